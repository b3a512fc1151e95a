package com.ecomcrm.models;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import org.apache.commons.math3.analysis.UnivariateFunction;
import org.apache.commons.math3.analysis.integration.gauss.GaussIntegratorFactory;
import org.apache.commons.math3.special.Beta;
import org.apache.commons.math3.special.Gamma;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The BG/NBD model of Fader, Hardie and Lee (2005), "Counting Your Customers the Easy Way": its log-likelihood with
 * the analytic gradient, and its predictions. Time is in weeks throughout.
 *
 * <p>One customer's log-likelihood (the paper's eq. 6, written as in its appendix to avoid overflow):
 * <pre>
 *   ln L = A1 + A2 + ln(exp(A3) + [x &gt; 0] exp(A4))
 *   A1 = ln Gamma(r + x) - ln Gamma(r) + r ln alpha
 *   A2 = ln Gamma(a + b) + ln Gamma(b + x) - ln Gamma(b) - ln Gamma(a + b + x)
 *   A3 = -(r + x) ln(alpha + T)
 *   A4 = ln a - ln(b + x - 1) - (r + x) ln(alpha + t_x)
 * </pre>
 */
public final class BgNbd {
    private static final GaussIntegratorFactory GAUSS = new GaussIntegratorFactory();

    private BgNbd() {
    }

    /** One customer's log-likelihood at (r, alpha, a, b). */
    public static double logLikelihood(double r, double alpha, double a, double b, int x, double tx, double age) {
        Likelihood likelihood = new Likelihood(List.of(new HistoryGroup(x, tx, age, 1)));
        return likelihood.valueAndGradient(r, alpha, a, b, null);
    }

    /** The total log-likelihood of the histories at (r, alpha, a, b). */
    public static double logLikelihood(double r, double alpha, double a, double b, List<CustomerHistory> histories) {
        return new Likelihood(groups(histories)).valueAndGradient(r, alpha, a, b, null);
    }

    /** The gradient of the total log-likelihood with respect to (r, alpha, a, b), in that order. */
    public static double[] gradient(double r, double alpha, double a, double b, List<CustomerHistory> histories) {
        double[] gradient = new double[4];
        new Likelihood(groups(histories)).valueAndGradient(r, alpha, a, b, gradient);
        return gradient;
    }

    /**
     * Aggregates histories into (x, t_x, T) groups with counts, ordered by x, then t_x, then T. The likelihood of a
     * group is its count times one member's, so fitting on groups gives exactly the fit on histories.
     */
    public static List<HistoryGroup> groups(List<CustomerHistory> histories) {
        Objects.requireNonNull(histories, "histories is null");
        Map<List<Double>, long[]> counts = new LinkedHashMap<>();
        for (CustomerHistory h : histories) {
            counts.computeIfAbsent(List.of((double) h.frequency(), h.recency(), h.age()), k -> new long[1])[0]++;
        }
        List<HistoryGroup> groups = new ArrayList<>(counts.size());
        counts.forEach((k, n) -> groups.add(new HistoryGroup(k.get(0).intValue(), k.get(1), k.get(2), n[0])));
        groups.sort(Comparator.comparingInt(HistoryGroup::frequency).thenComparingDouble(HistoryGroup::recency)
                .thenComparingDouble(HistoryGroup::age));
        return groups;
    }

    /**
     * P(alive at T | x, t_x, T), the paper's eq. 11 (Fader, Hardie and Lee 2008 note): 1 / (1 + [x &gt; 0] a / (b + x -
     * 1) ((alpha + T) / (alpha + t_x))^(r + x)). A customer without repeat purchases is alive with probability 1: in
     * BG/NBD a customer can only drop out right after a repeat purchase.
     */
    public static double probabilityAlive(BgNbdParameters params, CustomerHistory history) {
        return probabilityAlive(params, history.frequency(), history.recency(), history.age());
    }

    /** {@link #probabilityAlive(BgNbdParameters, CustomerHistory)} from the triple (x, t_x, T). */
    public static double probabilityAlive(BgNbdParameters params, int x, double tx, double age) {
        checkTriple(x, tx, age);
        if (x == 0) {
            return 1.0;
        }
        double logOdds = Math.log(params.a()) - Math.log(params.b() + x - 1)
                + (params.r() + x) * (Math.log(params.alpha() + age) - Math.log(params.alpha() + tx));
        return 1.0 / (1.0 + Math.exp(logOdds));
    }

    /**
     * E[Y(t) | x, t_x, T], the expected number of purchases in the next {@code t} weeks (T, T + t] of a customer with
     * this history, the paper's eq. 10:
     * <pre>
     *   (a + b + x - 1) / (a - 1) * [1 - ((alpha + T) / (alpha + T + t))^(r + x)
     *                                    * 2F1(r + x, b + x; a + b + x - 1; t / (alpha + T + t))]
     *   / (1 + [x &gt; 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x))
     * </pre>
     * The Gaussian hypergeometric function is summed as its power series with rescaling, so large x does not overflow.
     * Where the closed form is ill-conditioned (|a - 1| &lt; 1e-3, where it is 0/0) or undefined (a + b + x - 1 &lt;= 0)
     * the same expectation is computed from its integral form, {@link #expectedPurchasesByIntegration}.
     */
    public static double expectedPurchases(BgNbdParameters params, CustomerHistory history, double t) {
        return expectedPurchases(params, history.frequency(), history.recency(), history.age(), t);
    }

    /** {@link #expectedPurchases(BgNbdParameters, CustomerHistory, double)} from the triple (x, t_x, T). */
    public static double expectedPurchases(BgNbdParameters params, int x, double tx, double age, double t) {
        checkTriple(x, tx, age);
        checkHorizon(t);
        if (t == 0) {
            return 0.0;
        }
        double r = params.r();
        double alpha = params.alpha();
        double a = params.a();
        double b = params.b();
        double c = a + b + x - 1;
        if (Math.abs(a - 1) < 1e-3 || c <= 0) {
            return expectedPurchasesByIntegration(params, x, tx, age, t);
        }
        double z = t / (alpha + age + t);
        // ln[((alpha + T) / (alpha + T + t))^(r + x) * 2F1(...)], with ln((alpha + T) / (alpha + T + t)) = ln(1 - z).
        double logProduct = (r + x) * Math.log1p(-z) + logHyp2f1(r + x, b + x, c, z);
        double bracket = -Math.expm1(logProduct);
        return c / (a - 1) * bracket * probabilityAlive(params, x, tx, age);
    }

    /**
     * E[X(t)], the expected number of repeat purchases in the first {@code t} weeks after a new customer's first
     * purchase (the paper's eq. 9): eq. 10 with x = t_x = T = 0.
     */
    public static double expectedPurchasesNewCustomer(BgNbdParameters params, double t) {
        return expectedPurchases(params, 0, 0.0, 0.0, t);
    }

    /**
     * The same conditional expectation as {@link #expectedPurchases(BgNbdParameters, int, double, double, double)}
     * by another route: given the history and that the customer is alive at T, lambda ~ Gamma(r + x, alpha + T) and p
     * ~ Beta(a, b + x) independently, and an alive customer with (lambda, p) makes (1 - e^(-lambda p t)) / p expected
     * purchases in t weeks. Integrating lambda out gives
     * <pre>
     *   E[Y(t) | x, t_x, T] = P(alive) * E_p[(1 - ((alpha + T) / (alpha + T + p t))^(r + x)) / p],  p ~ Beta(a, b + x)
     * </pre>
     * and the p-integral is done by Gauss-Legendre quadrature after substitutions that remove the Beta density's
     * endpoint singularities.
     */
    public static double expectedPurchasesByIntegration(BgNbdParameters params, int x, double tx, double age,
                                                        double t) {
        checkTriple(x, tx, age);
        checkHorizon(t);
        if (t == 0) {
            return 0.0;
        }
        double shape = params.r() + x;
        double scale = params.alpha() + age;
        double a = params.a();
        double beta = params.b() + x;
        UnivariateFunction perPurchase = p -> {
            double u = p * t / scale;
            return u < 1e-8 ? shape * t / scale * (1 - (shape + 1) * u / 2)
                    : -Math.expm1(-shape * Math.log1p(u)) / p;
        };
        // Lower half: p = u^(1/a), so p^(a - 1) dp = du / a; upper half: 1 - p = s^(1/beta), (1-p)^(beta-1) dp = ds/beta.
        UnivariateFunction lower = u -> {
            double p = Math.pow(u, 1 / a);
            return perPurchase.value(p) * Math.pow(1 - p, beta - 1) / a;
        };
        UnivariateFunction upper = s -> {
            double p = 1 - Math.pow(s, 1 / beta);
            return perPurchase.value(p) * Math.pow(p, a - 1) / beta;
        };
        double integral = integrate(lower, Math.pow(0.5, a)) + integrate(upper, Math.pow(0.5, beta));
        double logBeta = Beta.logBeta(a, beta);
        return Math.exp(Math.log(integral) - logBeta) * probabilityAlive(params, x, tx, age);
    }

    /**
     * The integral of f over [0, upper] by 20-point Gauss-Legendre on each of the intervals [upper 2^-(k+1), upper
     * 2^-k], k = 0..59: the geometric grading resolves the algebraic behaviour left at 0 by the substitutions, and the
     * rest of [0, upper 2^-60] is negligible for a bounded integrand.
     */
    private static double integrate(UnivariateFunction f, double upper) {
        double total = 0;
        double hi = upper;
        for (int k = 0; k < 60; k++) {
            double lo = hi / 2;
            total += GAUSS.legendre(20, lo, hi).integrate(f);
            hi = lo;
        }
        return total;
    }

    /**
     * ln 2F1(a, b; c; z) for a, b, c &gt; 0 and 0 &lt;= z &lt; 1, by its power series. All terms are positive; the
     * running sum is rescaled whenever it grows large, so the result is exact in log space even where 2F1 itself
     * overflows a double (large x).
     */
    static double logHyp2f1(double a, double b, double c, double z) {
        if (!(a > 0 && b > 0 && c > 0) || !(z >= 0 && z < 1)) {
            throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot sum 2F1(" + a + ", " + b + "; " + c + "; "
                    + z + "): the series needs a, b, c > 0 and 0 <= z < 1");
        }
        double term = 1.0;
        double sum = 1.0;
        double logScale = 0.0;
        for (int n = 0; n < 10_000_000; n++) {
            double ratio = (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
            term *= ratio;
            sum += term;
            if (sum > 1e250) {
                sum *= 1e-250;
                term *= 1e-250;
                logScale += 250 * Math.log(10);
            }
            // Once the terms fall, the tail is below term * z / (1 - z) when the ratios rise towards z from below,
            // and below term * ratio / (1 - ratio) when they fall towards z from above.
            if (ratio < 1) {
                double tailRatio = Math.max(ratio, z);
                if (term * tailRatio / (1 - tailRatio) <= 1e-17 * sum) {
                    return Math.log(sum) + logScale;
                }
            }
        }
        throw new DomainException(ErrorCode.INTERNAL, "Cannot sum 2F1(" + a + ", " + b + "; " + c + "; " + z
                + "): the series did not converge in 10,000,000 terms");
    }

    private static void checkTriple(int x, double tx, double age) {
        if (x < 0 || !(age >= 0) || !Double.isFinite(age) || !(tx >= 0) || tx > age || (x == 0 && tx != 0)) {
            throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot predict for history (x " + x + ", t_x " + tx
                    + ", T " + age + "): it is not a valid triple");
        }
    }

    private static void checkHorizon(double t) {
        if (!(t >= 0) || !Double.isFinite(t)) {
            throw new DomainException(ErrorCode.INVALID_INPUT,
                    "Cannot predict purchases: horizon " + t + " is not a finite number of weeks >= 0");
        }
    }

    /**
     * The log-likelihood over groups sorted by x, evaluated with its gradient. The terms that depend only on x and the
     * parameters (the Gamma and digamma functions) are computed once per distinct x rather than once per customer,
     * and each group costs a few logarithms: this, with the (x, t_x, T) aggregation, is what keeps a million-customer
     * fit within seconds on the driver.
     */
    public static final class Likelihood {
        private final int[] x;
        private final double[] tx;
        private final double[] age;
        private final double[] count;
        private final long customers;
        /** Distinct T and t_x values (whole days make them few) and each group's index into them. */
        private final double[] distinctTimes;
        private final int[] ageIndex;
        private final int[] recencyIndex;

        public Likelihood(List<HistoryGroup> groups) {
            List<HistoryGroup> sorted = new ArrayList<>(groups);
            sorted.sort(Comparator.comparingInt(HistoryGroup::frequency));
            int n = sorted.size();
            x = new int[n];
            tx = new double[n];
            age = new double[n];
            count = new double[n];
            long total = 0;
            for (int i = 0; i < n; i++) {
                HistoryGroup g = sorted.get(i);
                x[i] = g.frequency();
                tx[i] = g.recency();
                age[i] = g.age();
                count[i] = g.count();
                total += g.count();
            }
            customers = total;
            java.util.TreeMap<Double, Integer> index = new java.util.TreeMap<>();
            for (int i = 0; i < n; i++) {
                index.putIfAbsent(age[i], 0);
                index.putIfAbsent(tx[i], 0);
            }
            distinctTimes = new double[index.size()];
            int k = 0;
            for (Map.Entry<Double, Integer> e : index.entrySet()) {
                distinctTimes[k] = e.getKey();
                e.setValue(k++);
            }
            ageIndex = new int[n];
            recencyIndex = new int[n];
            for (int i = 0; i < n; i++) {
                ageIndex[i] = index.get(age[i]);
                recencyIndex[i] = index.get(tx[i]);
            }
        }

        public long customers() {
            return customers;
        }

        /** The log-likelihood; when {@code gradient} is not null, its 4 entries are set to d/d(r, alpha, a, b). */
        public double valueAndGradient(double r, double alpha, double a, double b, double[] gradient) {
            boolean wantGradient = gradient != null;
            double logAlpha = Math.log(alpha);
            double logA = Math.log(a);
            double lgR = Gamma.logGamma(r);
            double lgB = Gamma.logGamma(b);
            double lgAB = Gamma.logGamma(a + b);
            double psiR = wantGradient ? Gamma.digamma(r) : 0;
            double psiB = wantGradient ? Gamma.digamma(b) : 0;
            double psiAB = wantGradient ? Gamma.digamma(a + b) : 0;

            double[] logAlphaTime = new double[distinctTimes.length];
            for (int k = 0; k < distinctTimes.length; k++) {
                logAlphaTime[k] = Math.log(alpha + distinctTimes[k]);
            }
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
            for (int i = 0; i < x.length; i++) {
                int xi = x[i];
                if (xi != currentX) {
                    currentX = xi;
                    a1 = Gamma.logGamma(r + xi) - lgR + r * logAlpha;
                    a2 = lgAB + Gamma.logGamma(b + xi) - lgB - Gamma.logGamma(a + b + xi);
                    logB1 = xi > 0 ? Math.log(b + xi - 1) : 0;
                    if (wantGradient) {
                        double psiABX = Gamma.digamma(a + b + xi);
                        dA1dr = Gamma.digamma(r + xi) - psiR + logAlpha;
                        dA2da = psiAB - psiABX;
                        dA2db = psiAB + Gamma.digamma(b + xi) - psiB - psiABX;
                    }
                }
                double rx = r + xi;
                double logAlphaT = logAlphaTime[ageIndex[i]];
                double a3 = -rx * logAlphaT;
                double w = count[i];
                if (xi == 0) {
                    total += w * (a1 + a2 + a3);
                    if (wantGradient) {
                        gr += w * (dA1dr - logAlphaT);
                        galpha += w * (r / alpha - rx / (alpha + age[i]));
                        ga += w * dA2da;
                        gb += w * dA2db;
                    }
                    continue;
                }
                double logAlphaTx = logAlphaTime[recencyIndex[i]];
                double a4 = logA - logB1 - rx * logAlphaTx;
                // One exp and one log per group: the larger of the two terms is factored out.
                double max = Math.max(a3, a4);
                double small = Math.exp(Math.min(a3, a4) - max);
                double e3 = a3 >= a4 ? 1.0 : small;
                double e4 = a3 >= a4 ? small : 1.0;
                double sum = 1.0 + small;
                total += w * (a1 + a2 + max + Math.log1p(small));
                if (wantGradient) {
                    double w3 = e3 / sum;
                    double w4 = e4 / sum;
                    gr += w * (dA1dr - w3 * logAlphaT - w4 * logAlphaTx);
                    galpha += w * (r / alpha - w3 * rx / (alpha + age[i]) - w4 * rx / (alpha + tx[i]));
                    ga += w * (dA2da + w4 / a);
                    gb += w * (dA2db - w4 / (b + xi - 1));
                }
            }
            if (wantGradient) {
                gradient[0] = gr;
                gradient[1] = galpha;
                gradient[2] = ga;
                gradient[3] = gb;
            }
            return total;
        }
    }
}
