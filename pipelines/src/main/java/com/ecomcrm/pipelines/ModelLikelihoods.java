package com.ecomcrm.pipelines;

import com.ecomcrm.models.BgNbd;
import com.ecomcrm.models.GammaGamma;
import com.ecomcrm.models.HistoryGroup;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The BG/NBD and Gamma-Gamma log-likelihoods with their analytic gradients over aggregated customers, for the
 * posterior-mode fits and the Hessians of {@link ShopModels}: the {@code models} module's grouped likelihoods
 * ({@code BgNbd.Likelihood}, {@code GammaGamma.Likelihood}) over the job's arrays, so the nightly fits and the
 * models' own fits evaluate one implementation; the unit test checks both against the models' public per-customer
 * functions.
 */
final class ModelLikelihoods {
    private ModelLikelihoods() {
    }

    /**
     * (x, t_x, T) groups with counts, in a fixed order (so sums, and so fits, are the same on every run), with the
     * models module's grouped likelihood over them.
     */
    record BgGroups(int[] x, double[] tx, double[] age, double[] count, long customers, BgNbd.Likelihood likelihood) {
        static BgGroups of(List<HistoryGroup> groups) {
            List<HistoryGroup> sorted = new ArrayList<>(groups);
            sorted.sort(Comparator.comparingInt(HistoryGroup::frequency).thenComparingDouble(HistoryGroup::recency)
                    .thenComparingDouble(HistoryGroup::age));
            int n = sorted.size();
            int[] x = new int[n];
            double[] tx = new double[n];
            double[] age = new double[n];
            double[] count = new double[n];
            long customers = 0;
            for (int i = 0; i < n; i++) {
                HistoryGroup g = sorted.get(i);
                x[i] = g.frequency();
                tx[i] = g.recency();
                age[i] = g.age();
                count[i] = g.count();
                customers += g.count();
            }
            return new BgGroups(x, tx, age, count, customers, new BgNbd.Likelihood(sorted));
        }
    }

    /**
     * Repeat buyers as (x, m_x) with counts, sorted by x then m_x; m_x &gt; 0; with the models module's Gamma-Gamma
     * likelihood over them (built once, as it takes the logarithms of m_x and x).
     */
    record SpendGroups(int[] x, double[] mx, double[] count, long customers, GammaGamma.Likelihood likelihood) {
        SpendGroups(int[] x, double[] mx, double[] count, long customers) {
            this(x, mx, count, customers, new GammaGamma.Likelihood(x, mx, count));
        }

        static SpendGroups empty() {
            return new SpendGroups(new int[0], new double[0], new double[0], 0);
        }

        /** The same customers with every m_x divided by {@code scale} (Gamma-Gamma is scale-equivariant in v). */
        SpendGroups scaled(double scale) {
            double[] out = new double[mx.length];
            for (int i = 0; i < mx.length; i++) {
                out[i] = mx[i] / scale;
            }
            return new SpendGroups(x, out, count, customers);
        }
    }

    /** BG/NBD log-likelihood at {@code params} = (r, alpha, a, b); gradient d/d(params) into {@code gradient}. */
    static double bgNbd(double[] params, BgGroups g, double[] gradient) {
        return g.likelihood().valueAndGradient(params[0], params[1], params[2], params[3], gradient);
    }

    /** Gamma-Gamma log-likelihood at {@code params} = (p, q, v); gradient d/d(params) into {@code gradient}. */
    static double gammaGamma(double[] params, SpendGroups g, double[] gradient) {
        return g.likelihood().valueAndGradient(params[0], params[1], params[2], gradient);
    }
}
