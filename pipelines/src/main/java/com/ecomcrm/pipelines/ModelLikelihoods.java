package com.ecomcrm.pipelines;

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

    /** (x, t_x, T) groups with counts, sorted by x (the Gamma terms are computed once per distinct x). */
    record BgGroups(int[] x, double[] tx, double[] age, double[] count, long customers) {
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
            return new BgGroups(x, tx, age, count, customers);
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
        double r = params[0];
        double alpha = params[1];
        double a = params[2];
        double b = params[3];
        boolean want = gradient != null;
        double logAlpha = Math.log(alpha);
        double lgR = Gamma.logGamma(r);
        double lgB = Gamma.logGamma(b);
        double lgAB = Gamma.logGamma(a + b);
        double psiR = want ? Gamma.digamma(r) : 0;
        double psiB = want ? Gamma.digamma(b) : 0;
        double psiAB = want ? Gamma.digamma(a + b) : 0;
        double total = 0;
        double gr = 0;
        double galpha = 0;
        double ga = 0;
        double gb = 0;
        int currentX = -1;
        double a1 = 0;
        double a2 = 0;
        double dA1dr = 0;
        double dA2da = 0;
        double dA2db = 0;
        double logB1 = 0;
        for (int i = 0; i < g.x.length; i++) {
            int x = g.x[i];
            if (x != currentX) {
                currentX = x;
                a1 = Gamma.logGamma(r + x) - lgR + r * logAlpha;
                a2 = lgAB + Gamma.logGamma(b + x) - lgB - Gamma.logGamma(a + b + x);
                logB1 = x > 0 ? Math.log(b + x - 1) : 0;
                if (want) {
                    double psiABX = Gamma.digamma(a + b + x);
                    dA1dr = Gamma.digamma(r + x) - psiR + logAlpha;
                    dA2da = psiAB - psiABX;
                    dA2db = psiAB + Gamma.digamma(b + x) - psiB - psiABX;
                }
            }
            double rx = r + x;
            double logAlphaT = Math.log(alpha + g.age[i]);
            double a3 = -rx * logAlphaT;
            double w = g.count[i];
            if (x == 0) {
                total += w * (a1 + a2 + a3);
                if (want) {
                    gr += w * (dA1dr - logAlphaT);
                    galpha += w * (r / alpha - rx / (alpha + g.age[i]));
                    ga += w * dA2da;
                    gb += w * dA2db;
                }
                continue;
            }
            double logAlphaTx = Math.log(alpha + g.tx[i]);
            double a4 = Math.log(a) - logB1 - rx * logAlphaTx;
            double max = Math.max(a3, a4);
            double small = Math.exp(Math.min(a3, a4) - max);
            total += w * (a1 + a2 + max + Math.log1p(small));
            if (want) {
                double w3 = (a3 >= a4 ? 1.0 : small) / (1 + small);
                double w4 = (a3 >= a4 ? small : 1.0) / (1 + small);
                gr += w * (dA1dr - w3 * logAlphaT - w4 * logAlphaTx);
                galpha += w * (r / alpha - w3 * rx / (alpha + g.age[i]) - w4 * rx / (alpha + g.tx[i]));
                ga += w * (dA2da + w4 / a);
                gb += w * (dA2db - w4 / (b + x - 1));
            }
        }
        if (want) {
            gradient[0] = gr;
            gradient[1] = galpha;
            gradient[2] = ga;
            gradient[3] = gb;
        }
        return total;
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
