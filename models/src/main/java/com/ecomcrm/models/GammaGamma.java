package com.ecomcrm.models;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import org.apache.commons.math3.special.Gamma;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Gamma-Gamma model of spend per purchase (Fader and Hardie, "The Gamma-Gamma Model of Monetary Value", 2013; Colombo
 * and Jiang 1999): its log-likelihood with the analytic gradient, its maximum-likelihood fit and the expected average
 * value per purchase. Only customers with repeat purchases (x &gt; 0) inform it, through x and the mean value m_x of
 * their repeat purchase days. Customers whose m_x is 0 (only zero-value repeat purchases) have zero density under the
 * model and are left out of the fit.
 *
 * <p>One customer's log-likelihood, with m_x | nu ~ Gamma(p x, nu x) and nu ~ Gamma(q, v):
 * <pre>
 *   ln f = ln Gamma(p x + q) - ln Gamma(p x) - ln Gamma(q) + q ln v + (p x - 1) ln m_x + p x ln x
 *          - (p x + q) ln(v + x m_x)
 * </pre>
 */
public final class GammaGamma {
    /** (x, m_x) shared by {@code count} customers. */
    record SpendGroup(int frequency, double meanValue, long count) {
    }

    private GammaGamma() {
    }

    /** One customer's log-likelihood at (p, q, v); x &gt; 0 and m_x &gt; 0. */
    public static double logLikelihood(double p, double q, double v, int x, double mx) {
        if (x < 1 || !(mx > 0) || !Double.isFinite(mx)) {
            throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot evaluate the Gamma-Gamma likelihood: x " + x
                    + " and m_x " + mx + " are not a customer with repeat purchases of positive value");
        }
        return new Likelihood(List.of(new SpendGroup(x, mx, 1))).valueAndGradient(p, q, v, null);
    }

    /** The total log-likelihood of the histories with x &gt; 0 and m_x &gt; 0 at (p, q, v). */
    public static double logLikelihood(double p, double q, double v, List<CustomerHistory> histories) {
        return new Likelihood(groups(histories)).valueAndGradient(p, q, v, null);
    }

    /** The gradient of {@link #logLikelihood(double, double, double, List)} with respect to (p, q, v). */
    public static double[] gradient(double p, double q, double v, List<CustomerHistory> histories) {
        double[] gradient = new double[3];
        new Likelihood(groups(histories)).valueAndGradient(p, q, v, gradient);
        return gradient;
    }

    /**
     * Fits (p, q, v) by maximum likelihood on the customers with x &gt; 0 and m_x &gt; 0, with the same optimiser as
     * BG/NBD ({@link LogSpaceMaximiser}).
     */
    public static GammaGammaParameters fit(List<CustomerHistory> histories) {
        List<SpendGroup> groups = groups(histories);
        if (groups.isEmpty()) {
            throw new DomainException(ErrorCode.INVALID_INPUT,
                    "Cannot fit Gamma-Gamma: no customer has a repeat purchase of positive value");
        }
        Likelihood likelihood = new Likelihood(groups);
        LogSpaceMaximiser.Result result = LogSpaceMaximiser.maximise(
                (params, gradient) -> likelihood.valueAndGradient(params[0], params[1], params[2], gradient),
                start(groups), likelihood.customers);
        double[] params = result.parameters();
        return new GammaGammaParameters(params[0], params[1], params[2], result.logLikelihood(), result.converged());
    }

    /**
     * E[Z | x, m_x], the expected value of one future purchase of a customer (the note's eq. 5): a weighted mean of
     * the population mean p v / (q - 1) and the customer's own m_x,
     * <pre>
     *   (q - 1) / (p x + q - 1) * p v / (q - 1) + p x / (p x + q - 1) * m_x = p (v + x m_x) / (p x + q - 1).
     * </pre>
     * For x = 0 this is the population mean, which is finite only when q &gt; 1.
     */
    public static double expectedAverageValue(GammaGammaParameters params, int x, double mx) {
        if (x < 0 || !(mx >= 0) || !Double.isFinite(mx)) {
            throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot compute the expected average value: x " + x
                    + " or m_x " + mx + " is out of range");
        }
        double denominator = params.p() * x + params.q() - 1;
        if (!(denominator > 0)) {
            throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot compute the expected average value for x " + x
                    + ": p x + q - 1 = " + denominator + " <= 0 makes the expected spend infinite");
        }
        return params.p() * (params.v() + x * mx) / denominator;
    }

    /** {@link #expectedAverageValue(GammaGammaParameters, int, double)} for a history. */
    public static double expectedAverageValue(GammaGammaParameters params, CustomerHistory history) {
        return expectedAverageValue(params, history.frequency(), history.meanRepeatValue());
    }

    static List<SpendGroup> groups(List<CustomerHistory> histories) {
        Objects.requireNonNull(histories, "histories is null");
        Map<List<Double>, long[]> counts = new LinkedHashMap<>();
        for (CustomerHistory h : histories) {
            if (h.frequency() > 0 && h.meanRepeatValue() > 0) {
                counts.computeIfAbsent(List.of((double) h.frequency(), h.meanRepeatValue()), k -> new long[1])[0]++;
            }
        }
        List<SpendGroup> groups = new ArrayList<>(counts.size());
        counts.forEach((k, n) -> groups.add(new SpendGroup(k.get(0).intValue(), k.get(1), n[0])));
        groups.sort(Comparator.comparingInt(SpendGroup::frequency).thenComparingDouble(SpendGroup::meanValue));
        return groups;
    }

    /** Starts at p = q = 1 and v matching the mean repeat value: with q = 1 the shrinkage is mild. */
    private static double[] start(List<SpendGroup> groups) {
        double total = 0;
        double n = 0;
        for (SpendGroup g : groups) {
            total += g.count() * g.meanValue();
            n += g.count();
        }
        return new double[] {1.0, 1.0, Math.max(1e-6, total / n)};
    }

    /**
     * The log-likelihood over (x, m_x) groups sorted by x: the Gamma and digamma terms depend on x only and are
     * computed once per distinct x; ln m_x and ln x are computed once, so a group costs one logarithm per evaluation.
     * Public so the nightly job's pooled and posterior-mode fits (pipelines' {@code ModelLikelihoods}) evaluate the
     * same likelihood rather than a copy of it.
     */
    public static final class Likelihood {
        private final int[] x;
        private final double[] xm;
        private final double[] constant;
        private final double[] logMx;
        private final double[] count;
        final long customers;

        Likelihood(List<SpendGroup> groups) {
            this(groups.stream().mapToInt(SpendGroup::frequency).toArray(),
                    groups.stream().mapToDouble(SpendGroup::meanValue).toArray(),
                    groups.stream().mapToDouble(SpendGroup::count).toArray());
        }

        /**
         * Groups of {@code count[i]} customers with {@code frequency[i]} repeat purchases of mean value
         * {@code meanValue[i]}; x &gt; 0 and m_x &gt; 0. Summed in order of x, ties in the given order.
         */
        public Likelihood(int[] frequency, double[] meanValue, double[] count) {
            Objects.requireNonNull(frequency, "frequency is null");
            Objects.requireNonNull(meanValue, "meanValue is null");
            Objects.requireNonNull(count, "count is null");
            int n = frequency.length;
            if (meanValue.length != n || count.length != n) {
                throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot group spend: " + n + " frequencies, "
                        + meanValue.length + " mean values and " + count.length + " counts");
            }
            int[] order = java.util.stream.IntStream.range(0, n).boxed()
                    .sorted(Comparator.comparingInt(i -> frequency[i])).mapToInt(Integer::intValue).toArray();
            x = new int[n];
            xm = new double[n];
            constant = new double[n];
            logMx = new double[n];
            this.count = new double[n];
            double total = 0;
            for (int k = 0; k < n; k++) {
                int i = order[k];
                if (frequency[i] < 1 || !(meanValue[i] > 0) || !Double.isFinite(meanValue[i]) || !(count[i] > 0)) {
                    throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot evaluate the Gamma-Gamma likelihood:"
                            + " x " + frequency[i] + ", m_x " + meanValue[i] + ", count " + count[i]
                            + " is not a group of customers with repeat purchases of positive value");
                }
                x[k] = frequency[i];
                xm[k] = frequency[i] * meanValue[i];
                logMx[k] = Math.log(meanValue[i]);
                constant[k] = logMx[k] + Math.log(frequency[i]); // d/d(p x) of (p x - 1) ln m_x + p x ln x
                this.count[k] = count[i];
                total += count[i];
            }
            customers = (long) total;
        }

        /** The log-likelihood; when {@code gradient} is not null, its 3 entries are set to d/d(p, q, v). */
        public double valueAndGradient(double p, double q, double v, double[] gradient) {
            boolean wantGradient = gradient != null;
            double lgQ = Gamma.logGamma(q);
            double psiQ = wantGradient ? Gamma.digamma(q) : 0;
            double logV = Math.log(v);
            double total = 0;
            double gp = 0;
            double gq = 0;
            double gv = 0;
            int currentX = -1;
            double lgTerms = 0;
            double psiPxQ = 0;
            double psiPx = 0;
            for (int i = 0; i < x.length; i++) {
                int xi = x[i];
                double px = p * xi;
                if (xi != currentX) {
                    currentX = xi;
                    lgTerms = Gamma.logGamma(px + q) - Gamma.logGamma(px) - lgQ + q * logV;
                    if (wantGradient) {
                        psiPxQ = Gamma.digamma(px + q);
                        psiPx = Gamma.digamma(px);
                    }
                }
                double w = count[i];
                double logVXm = Math.log(v + xm[i]);
                total += w * (lgTerms + px * constant[i] - logMx[i] - (px + q) * logVXm);
                if (wantGradient) {
                    gp += w * xi * (psiPxQ - psiPx + constant[i] - logVXm);
                    gq += w * (psiPxQ - psiQ + logV - logVXm);
                    gv += w * (q / v - (px + q) / (v + xm[i]));
                }
            }
            if (wantGradient) {
                gradient[0] = gp;
                gradient[1] = gq;
                gradient[2] = gv;
            }
            return total;
        }
    }
}
