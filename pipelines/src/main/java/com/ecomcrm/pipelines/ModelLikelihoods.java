package com.ecomcrm.pipelines;

import com.ecomcrm.models.BgNbd;
import com.ecomcrm.models.HistoryGroup;
import org.apache.commons.math3.special.Gamma;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The BG/NBD and Gamma-Gamma log-likelihoods with their analytic gradients over aggregated customers, for the
 * posterior-mode fits and the Hessians of {@link ShopModels}. The formulas are those of the {@code models} module
 * ({@code BgNbd}, {@code GammaGamma}, whose own aggregated likelihoods are package-private there); the unit test
 * checks both against the models' public per-customer functions. Kept here, not in {@code models}, because only the
 * nightly job needs the grouped form with a prior.
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

    /** Repeat buyers as (x, m_x) with counts, sorted by x then m_x; m_x &gt; 0. */
    record SpendGroups(int[] x, double[] mx, double[] count, long customers) {
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
        double p = params[0];
        double q = params[1];
        double v = params[2];
        boolean want = gradient != null;
        double lgQ = Gamma.logGamma(q);
        double psiQ = want ? Gamma.digamma(q) : 0;
        double logV = Math.log(v);
        double total = 0;
        double gp = 0;
        double gq = 0;
        double gv = 0;
        int currentX = -1;
        double lgTerms = 0;
        double psiPxQ = 0;
        double psiPx = 0;
        for (int i = 0; i < g.x.length; i++) {
            int x = g.x[i];
            double px = p * x;
            if (x != currentX) {
                currentX = x;
                lgTerms = Gamma.logGamma(px + q) - Gamma.logGamma(px) - lgQ + q * logV;
                if (want) {
                    psiPxQ = Gamma.digamma(px + q);
                    psiPx = Gamma.digamma(px);
                }
            }
            double w = g.count[i];
            double logMx = Math.log(g.mx[i]);
            double logX = Math.log(x);
            double xm = x * g.mx[i];
            double logVXm = Math.log(v + xm);
            total += w * (lgTerms + (px - 1) * logMx + px * logX - (px + q) * logVXm);
            if (want) {
                gp += w * x * (psiPxQ - psiPx + logMx + logX - logVXm);
                gq += w * (psiPxQ - psiQ + logV - logVXm);
                gv += w * (q / v - (px + q) / (v + xm));
            }
        }
        if (want) {
            gradient[0] = gp;
            gradient[1] = gq;
            gradient[2] = gv;
        }
        return total;
    }
}
