package com.ecomcrm.models;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import org.apache.commons.math3.analysis.UnivariateFunction;
import org.apache.commons.math3.analysis.integration.gauss.GaussIntegratorFactory;
import org.apache.commons.math3.special.Beta;
import org.apache.commons.math3.special.Gamma;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

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
        TripleCounts counts = new TripleCounts();
        for (CustomerHistory h : histories) {
            counts.add(h.frequency(), h.recency(), h.age());
        }
        return counts.sortedGroups();
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
     * The log-likelihood over (x, t_x, T) groups with its gradient and, for the optimiser's Newton preconditioner,
     * its Hessian. Everything that does not depend on the parameters is computed once at construction: the groups'
     * order (by x), the runs of equal x with their customer counts, and each group's index into the distinct time
     * values. Per evaluation, ln(alpha + t) and 1 / (alpha + t) are computed once per distinct time (whole days make
     * them a few hundred), the Gamma-function terms once per distinct x ({@link #xTerms}), and each group with x &gt; 0 costs one exp and
     * one log: with d = A4 - A3,
     * <pre>
     *   ln(exp(A3) + exp(A4)) = A3 + max(d, 0) + ln(1 + exp(-|d|))
     * </pre>
     * where ln(1 + e) with 0 &lt; e &lt;= 1 is accurate to 2e-16 absolute, and the weights of A3 and A4 in the
     * derivatives are 1 / (1 + e) and e / (1 + e). The per-x terms multiply the run's customer count rather than
     * being added per group.
     *
     * <p>Above {@link #SPLIT_MIN_GROUPS} groups the sum is cut into two fixed halves, evaluated on two threads when
     * there are two processors; the halves' partial sums are always added in the same order, so a result does not
     * depend on the number of processors, the scheduling or the run.
     */
    public static final class Likelihood {
        /** From this many groups, the two halves of the sum go to two threads (below, a fork costs more than it saves). */
        static final int SPLIT_MIN_GROUPS = 20_000;
        private static final boolean PARALLEL = Runtime.getRuntime().availableProcessors() > 1;
        /** Partial sums per (half, run of equal x); see {@link #accumulateRun}. */
        private static final int SUMS = 11;
        private static final int VALUE = 0;
        private static final int LOG_TIME = 1;
        private static final int INVERSE_TIME = 2;
        private static final int W4 = 3;
        private static final int INVERSE_TIME_SQUARED = 4;
        private static final int Q = 5;
        private static final int Q_D0 = 6;
        private static final int Q_D1 = 7;
        private static final int Q_D0_D0 = 8;
        private static final int Q_D0_D1 = 9;
        private static final int Q_D1_D1 = 10;
        /** The per-x terms of {@link #xTerms}. */
        private static final int X_TERMS = 8;
        private static final int LN_R = 0;
        private static final int A2 = 1;
        private static final int PSI_R = 2;
        private static final int DA2_DA = 3;
        private static final int DA2_DB = 4;
        private static final int TRI_R = 5;
        private static final int D2A2_DA2 = 6;
        private static final int D2A2_DB2 = 7;
        /** Above this x the per-x terms come from the Gamma functions rather than from sums over k &lt; x. */
        static final int RECURRENCE_MAX_X = 100_000;

        private final int[] ageIndex;
        private final int[] recencyIndex;
        private final double[] count;
        /** Distinct T and t_x values, ascending. */
        private final double[] distinctTimes;
        /** Runs of equal x: x, the first group, and the number of customers. */
        private final int[] runX;
        private final int[] runStart;
        private final double[] runCustomers;
        /** Group index where each half of the sum starts (one or two halves, then the end). */
        private final int[] partStart;
        private final long customers;

        public Likelihood(List<HistoryGroup> groups) {
            List<HistoryGroup> sorted = new ArrayList<>(groups);
            sorted.sort(Comparator.comparingInt(HistoryGroup::frequency));
            int n = sorted.size();
            int[] x = new int[n];
            double[] tx = new double[n];
            double[] age = new double[n];
            count = new double[n];
            long total = 0;
            int runs = 0;
            for (int i = 0; i < n; i++) {
                HistoryGroup g = sorted.get(i);
                x[i] = g.frequency();
                tx[i] = g.recency();
                age[i] = g.age();
                count[i] = g.count();
                total += g.count();
                if (i == 0 || x[i] != x[i - 1]) {
                    runs++;
                }
            }
            customers = total;
            runX = new int[runs];
            runStart = new int[runs + 1];
            runCustomers = new double[runs];
            int run = -1;
            for (int i = 0; i < n; i++) {
                if (i == 0 || x[i] != x[i - 1]) {
                    run++;
                    runX[run] = x[i];
                    runStart[run] = i;
                }
                runCustomers[run] += count[i];
            }
            runStart[runs] = n;
            double[] times = new double[2 * n];
            System.arraycopy(tx, 0, times, 0, n);
            System.arraycopy(age, 0, times, n, n);
            Arrays.sort(times);
            int distinct = 0;
            for (int i = 0; i < times.length; i++) {
                if (distinct == 0 || Double.compare(times[i], times[distinct - 1]) != 0) {
                    times[distinct++] = times[i];
                }
            }
            distinctTimes = Arrays.copyOf(times, distinct);
            ageIndex = new int[n];
            recencyIndex = new int[n];
            for (int i = 0; i < n; i++) {
                ageIndex[i] = Arrays.binarySearch(distinctTimes, age[i]);
                recencyIndex[i] = Arrays.binarySearch(distinctTimes, tx[i]);
            }
            partStart = n >= SPLIT_MIN_GROUPS ? new int[] {0, n / 2, n} : new int[] {0, n};
        }

        public long customers() {
            return customers;
        }

        /** The log-likelihood; when {@code gradient} is not null, its 4 entries are set to d/d(r, alpha, a, b). */
        public double valueAndGradient(double r, double alpha, double a, double b, double[] gradient) {
            return evaluate(r, alpha, a, b, gradient, null);
        }

        /**
         * The log-likelihood, its gradient d/d(r, alpha, a, b) into {@code gradient} and its matrix of second
         * derivatives into the 4 x 4 {@code hessian}.
         */
        public double valueGradientAndHessian(double r, double alpha, double a, double b, double[] gradient,
                                              double[][] hessian) {
            Objects.requireNonNull(gradient, "gradient is null");
            Objects.requireNonNull(hessian, "hessian is null");
            return evaluate(r, alpha, a, b, gradient, hessian);
        }

        private double evaluate(double r, double alpha, double a, double b, double[] gradient, double[][] hessian) {
            int level = hessian != null ? 2 : gradient != null ? 1 : 0;
            double[] logTime = new double[distinctTimes.length];
            double[] inverseTime = level > 0 ? new double[distinctTimes.length] : null;
            for (int k = 0; k < distinctTimes.length; k++) {
                logTime[k] = Math.log(alpha + distinctTimes[k]);
                if (level > 0) {
                    inverseTime[k] = 1 / (alpha + distinctTimes[k]);
                }
            }
            double logA = Math.log(a);
            double[] logOdds = new double[runX.length];
            for (int run = 0; run < runX.length; run++) {
                logOdds[run] = runX[run] > 0 ? logA - Math.log(b + runX[run] - 1) : 0;
            }
            int parts = partStart.length - 1;
            double[][] sums = new double[parts][runX.length * SUMS];
            if (parts == 2 && PARALLEL) {
                ForkJoinTask<?> second = ForkJoinPool.commonPool().submit(
                        () -> accumulatePart(1, r, logTime, inverseTime, logOdds, level, sums[1]));
                accumulatePart(0, r, logTime, inverseTime, logOdds, level, sums[0]);
                second.join();
            }
            else {
                for (int part = 0; part < parts; part++) {
                    accumulatePart(part, r, logTime, inverseTime, logOdds, level, sums[part]);
                }
            }
            return combine(r, alpha, a, b, sums, gradient, hessian);
        }

        private void accumulatePart(int part, double r, double[] logTime, double[] inverseTime, double[] logOdds,
                                    int level, double[] out) {
            int from = partStart[part];
            int to = partStart[part + 1];
            for (int run = 0; run < runX.length; run++) {
                int lo = Math.max(from, runStart[run]);
                int hi = Math.min(to, runStart[run + 1]);
                if (lo < hi) {
                    accumulateRun(runX[run], lo, hi, r, logTime, inverseTime, logOdds[run], level, out,
                            run * SUMS);
                }
            }
        }

        /**
         * The count-weighted sums over groups lo..hi (one x) of what varies per group: the group's A3 + ln(exp(0) +
         * exp(d)); ln(alpha + T) and 1 / (alpha + T) averaged with the weights w3, w4 of A3 and A4 (and t_x in place
         * of T); w4; and for the Hessian the second-order terms and q = w3 w4 times D = grad A3 - grad A4 =
         * (ln(alpha + t_x) - ln(alpha + T), (r + x) (1 / (alpha + t_x) - 1 / (alpha + T)), -1 / a, 1 / (b + x - 1)),
         * whose first two components vary per group (D1 is kept without its factor r + x).
         */
        private void accumulateRun(int x, int lo, int hi, double r, double[] logTime, double[] inverseTime,
                                   double logOdds, int level, double[] out, int at) {
            double rx = r + x;
            double value = 0;
            double logTimes = 0;
            double inverseTimes = 0;
            double w4Sum = 0;
            double inverseSquares = 0;
            double q = 0;
            double qD0 = 0;
            double qD1 = 0;
            double qD0D0 = 0;
            double qD0D1 = 0;
            double qD1D1 = 0;
            if (x == 0) {
                // Only A3: the customer cannot have dropped out.
                for (int i = lo; i < hi; i++) {
                    double w = count[i];
                    double lt = logTime[ageIndex[i]];
                    value -= w * rx * lt;
                    if (level > 0) {
                        double inv = inverseTime[ageIndex[i]];
                        logTimes += w * lt;
                        inverseTimes += w * inv;
                        inverseSquares += w * inv * inv;
                    }
                }
            }
            else if (level == 0) {
                for (int i = lo; i < hi; i++) {
                    double lt = logTime[ageIndex[i]];
                    double d = logOdds - rx * (logTime[recencyIndex[i]] - lt);
                    value += count[i] * (Math.max(d, 0) + Math.log(1 + Math.exp(-Math.abs(d))) - rx * lt);
                }
            }
            else {
                for (int i = lo; i < hi; i++) {
                    double w = count[i];
                    double lt = logTime[ageIndex[i]];
                    double ltx = logTime[recencyIndex[i]];
                    double d0 = ltx - lt;
                    double d = logOdds - rx * d0;
                    double e = Math.exp(-Math.abs(d));
                    value += w * (Math.max(d, 0) + Math.log(1 + e) - rx * lt);
                    double big = 1 / (1 + e);
                    double small = e * big;
                    double w3 = d > 0 ? small : big;
                    double w4 = d > 0 ? big : small;
                    double inv = inverseTime[ageIndex[i]];
                    double invTx = inverseTime[recencyIndex[i]];
                    logTimes += w * (lt + w4 * d0);
                    inverseTimes += w * (w3 * inv + w4 * invTx);
                    w4Sum += w * w4;
                    if (level > 1) {
                        double d1 = invTx - inv;
                        double wq = w * w3 * w4;
                        inverseSquares += w * (w3 * inv * inv + w4 * invTx * invTx);
                        q += wq;
                        qD0 += wq * d0;
                        qD1 += wq * d1;
                        qD0D0 += wq * d0 * d0;
                        qD0D1 += wq * d0 * d1;
                        qD1D1 += wq * d1 * d1;
                    }
                }
            }
            out[at + VALUE] = value;
            out[at + LOG_TIME] = logTimes;
            out[at + INVERSE_TIME] = inverseTimes;
            out[at + W4] = w4Sum;
            out[at + INVERSE_TIME_SQUARED] = inverseSquares;
            out[at + Q] = q;
            out[at + Q_D0] = qD0;
            out[at + Q_D1] = qD1;
            out[at + Q_D0_D0] = qD0D0;
            out[at + Q_D0_D1] = qD0D1;
            out[at + Q_D1_D1] = qD1D1;
        }

        /** Adds the halves' sums run by run, in a fixed order, with the per-x terms (see the class comment). */
        private double combine(double r, double alpha, double a, double b, double[][] sums, double[] gradient,
                               double[][] hessian) {
            boolean wantGradient = gradient != null;
            boolean wantHessian = hessian != null;
            double logAlpha = Math.log(alpha);
            double[][] t = xTerms(r, a, b, wantHessian ? 2 : wantGradient ? 1 : 0);
            double total = 0;
            double[] g = new double[4];
            double[][] h = new double[4][4];
            double[] s = new double[SUMS];
            for (int run = 0; run < runX.length; run++) {
                int x = runX[run];
                for (int j = 0; j < SUMS; j++) {
                    double sum = 0;
                    for (double[] part : sums) {
                        sum += part[run * SUMS + j];
                    }
                    s[j] = sum;
                }
                double n = runCustomers[run];
                double rx = r + x;
                total += n * (t[LN_R][run] + r * logAlpha + t[A2][run]) + s[VALUE];
                if (!wantGradient) {
                    continue;
                }
                g[0] += n * (t[PSI_R][run] + logAlpha) - s[LOG_TIME];
                g[1] += n * r / alpha - rx * s[INVERSE_TIME];
                if (x > 0) {
                    double b1 = b + x - 1;
                    g[2] += n * t[DA2_DA][run] + s[W4] / a;
                    g[3] += n * t[DA2_DB][run] - s[W4] / b1;
                }
                if (!wantHessian) {
                    continue;
                }
                h[0][0] += n * t[TRI_R][run] + s[Q_D0_D0];
                h[0][1] += n / alpha - s[INVERSE_TIME] + rx * s[Q_D0_D1];
                h[1][1] += -n * r / (alpha * alpha) + rx * s[INVERSE_TIME_SQUARED] + rx * rx * s[Q_D1_D1];
                if (x > 0) {
                    double b1 = b + x - 1;
                    h[0][2] += -s[Q_D0] / a;
                    h[0][3] += s[Q_D0] / b1;
                    h[1][2] += -rx * s[Q_D1] / a;
                    h[1][3] += rx * s[Q_D1] / b1;
                    h[2][2] += n * t[D2A2_DA2][run] + (s[Q] - s[W4]) / (a * a);
                    h[2][3] += n * t[D2A2_DA2][run] - s[Q] / (a * b1);
                    h[3][3] += n * t[D2A2_DB2][run] + (s[W4] + s[Q]) / (b1 * b1);
                }
            }
            if (wantGradient) {
                System.arraycopy(g, 0, gradient, 0, 4);
            }
            if (wantHessian) {
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 4; j++) {
                        hessian[i][j] = i <= j ? h[i][j] : h[j][i];
                    }
                }
            }
            return total;
        }

        /**
         * Per run of equal x, the Gamma-function terms as differences between x and 0, and their derivatives:
         * ln Gamma(r + x) - ln Gamma(r), A2 = ln B(a, b + x) - ln B(a, b), and d/dr, d/da, d/db, d2/dr2, d2/da2 (also
         * d2/da db) and d2/db2 of them. For integer x they are finite sums, accumulated over k = 0..x-1:
         * <pre>
         *   ln Gamma(r + x) - ln Gamma(r) = sum ln(r + k)        A2 = sum ln((b + k) / (a + b + k))
         *   d A2 / da = -sum 1 / (a + b + k)                      d A2 / db = sum a / ((b + k) (a + b + k))
         * </pre>
         * which stay exact where a + b is so large that ln Gamma(a + b) - ln Gamma(a + b + x) would cancel to noise
         * (a fit drifting towards no heterogeneity in dropout, a, b to infinity): with Gamma functions there, the
         * likelihood turned into large positive garbage that the optimiser followed. The sums cost max x steps per
         * evaluation; above {@link #RECURRENCE_MAX_X} the Gamma functions are used.
         */
        private double[][] xTerms(double r, double a, double b, int level) {
            int runs = runX.length;
            double[][] t = new double[X_TERMS][runs];
            int maxX = runs == 0 ? 0 : runX[runs - 1];
            if (maxX > RECURRENCE_MAX_X) {
                for (int run = 0; run < runs; run++) {
                    int x = runX[run];
                    double ab = a + b;
                    t[LN_R][run] = Gamma.logGamma(r + x) - Gamma.logGamma(r);
                    t[A2][run] = x > 0 ? Gamma.logGamma(ab) + Gamma.logGamma(b + x) - Gamma.logGamma(b)
                            - Gamma.logGamma(ab + x) : 0;
                    if (level > 0) {
                        t[PSI_R][run] = Gamma.digamma(r + x) - Gamma.digamma(r);
                        t[DA2_DA][run] = Gamma.digamma(ab) - Gamma.digamma(ab + x);
                        t[DA2_DB][run] = t[DA2_DA][run] + Gamma.digamma(b + x) - Gamma.digamma(b);
                    }
                    if (level > 1) {
                        t[TRI_R][run] = Gamma.trigamma(r + x) - Gamma.trigamma(r);
                        t[D2A2_DA2][run] = Gamma.trigamma(ab) - Gamma.trigamma(ab + x);
                        t[D2A2_DB2][run] = t[D2A2_DA2][run] + Gamma.trigamma(b + x) - Gamma.trigamma(b);
                    }
                }
                return t;
            }
            double lnR = 0;
            double a2 = 0;
            double psiR = 0;
            double da = 0;
            double db = 0;
            double triR = 0;
            double daa = 0;
            double dbb = 0;
            int k = 0;
            for (int run = 0; run < runs; run++) {
                for (; k < runX[run]; k++) {
                    double rk = r + k;
                    double bk = b + k;
                    double abk = a + b + k;
                    lnR += Math.log(rk);
                    a2 += Math.log(bk / abk);
                    if (level > 0) {
                        psiR += 1 / rk;
                        da -= 1 / abk;
                        db += a / (bk * abk);
                    }
                    if (level > 1) {
                        triR -= 1 / (rk * rk);
                        daa += 1 / (abk * abk);
                        dbb += 1 / (abk * abk) - 1 / (bk * bk);
                    }
                }
                t[LN_R][run] = lnR;
                t[A2][run] = a2;
                t[PSI_R][run] = psiR;
                t[DA2_DA][run] = da;
                t[DA2_DB][run] = db;
                t[TRI_R][run] = triR;
                t[D2A2_DA2][run] = daa;
                t[D2A2_DB2][run] = dbb;
            }
            return t;
        }
    }
}
