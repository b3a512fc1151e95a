package com.ecomcrm.pipelines;

import com.ecomcrm.models.BgNbdFit;
import com.ecomcrm.models.BgNbdParameters;
import com.ecomcrm.models.CustomerHistory;
import com.ecomcrm.models.GammaGamma;
import com.ecomcrm.models.GammaGammaParameters;
import com.ecomcrm.models.HistoryGroup;
import org.apache.commons.math3.exception.MathIllegalStateException;
import org.apache.commons.math3.exception.TooManyEvaluationsException;
import org.apache.commons.math3.exception.TooManyIterationsException;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.NonPositiveDefiniteMatrixException;
import org.apache.commons.math3.linear.NonSymmetricMatrixException;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.MaxIter;
import org.apache.commons.math3.optim.PointValuePair;
import org.apache.commons.math3.optim.SimpleValueChecker;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunctionGradient;
import org.apache.commons.math3.optim.nonlinear.scalar.gradient.NonLinearConjugateGradientOptimizer;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-shop BG/NBD and Gamma-Gamma parameters with empirical-Bayes pooling for small shops, and their uncertainty.
 *
 * <p><b>The pooling rule.</b> A prior is fitted once per run by maximum likelihood on the customers of all shops
 * together ({@link #pooledPrior}): BG/NBD on the merged (x, t_x, T) groups, Gamma-Gamma on every repeat buyer's m_x
 * divided by their shop's {@linkplain ShopData#spendScale spend scale} (the mean net value of the shop's purchase
 * days), so shops in different currencies and price ranges pool on one scale. The prior holds parameters only. Then
 * per shop:
 * <ul>
 *   <li><b>OWN</b>: the shop has at least {@link #OWN_MIN_BUYERS} buyers, {@link #OWN_MIN_HISTORY_DAYS} days of
 *       history and {@link #OWN_MIN_REPEAT_BUYERS} repeat buyers, and its own maximum-likelihood fits
 *       ({@code BgNbdFit.fitGroups}, {@code GammaGamma.fit}) both converged, with q &gt; 1 and negative-definite
 *       Hessians. Its parameters depend on its own customers only.</li>
 *   <li><b>BLENDED</b>: otherwise, the posterior mode (MAP): the shop's log-likelihood plus an independent normal
 *       prior on each log-parameter, centred at the pooled fit (Gamma-Gamma's v times the shop's spend scale) with
 *       standard deviation {@link #PRIOR_SD}. With few customers the prior dominates; with many, the data. A shop
 *       without repeat buyers gets the prior's Gamma-Gamma parameters, scaled to its own spend.</li>
 *   <li><b>POOLED</b>: when the posterior-mode optimisation does not converge or its Hessian is not negative
 *       definite: the prior centre itself.</li>
 * </ul>
 * So every shop with one buyer or more gets parameters, from its first day.
 *
 * <p><b>Uncertainty.</b> Standard errors of the log-parameters are the square roots of the diagonal of the inverse
 * of minus the Hessian (in log-parameters) of the maximised function: the log-likelihood for OWN, the log-posterior
 * for BLENDED (Laplace approximation); the Hessian is central differences (step {@link #HESSIAN_STEP}) of the
 * analytic gradient. POOLED shops get the prior's width, {@link #PRIOR_SD}, and no correlations. The full covariance
 * matrices are kept for the per-customer CLV interval (see {@link PredictionsJob}).
 *
 * <p>If the pooled data is smaller than one own fit needs ({@link #OWN_MIN_BUYERS} buyers and
 * {@link #OWN_MIN_REPEAT_BUYERS} repeat buyers over all shops) or the pooled fit does not converge, a fixed
 * {@linkplain #FALLBACK_BG fallback prior} is used: the published CDNOW BG/NBD fit and Gamma-Gamma shapes p = 6.25,
 * q = 3.74 with v set so the prior mean spend is the shop's spend scale. Everything here is deterministic.
 */
final class ShopModels {
    static final long OWN_MIN_BUYERS = 500;
    static final int OWN_MIN_HISTORY_DAYS = 180;
    static final long OWN_MIN_REPEAT_BUYERS = 50;
    /** Prior standard deviation of every log-parameter: one sd is a factor e (2.7) either way. */
    static final double PRIOR_SD = 1.0;
    static final double HESSIAN_STEP = 1e-4;
    /** Fitted BG/NBD of CDNOW (Fader, Hardie and Lee 2005): the prior when no pooled fit is possible. */
    static final double[] FALLBACK_BG = {0.243, 4.414, 0.793, 2.426};
    /** Gamma-Gamma p and q of CDNOW; v in spend-scale units so that p v / (q - 1) = 1. */
    static final double[] FALLBACK_GG_UNIT = {6.25, 3.74, 2.74 / 6.25};
    private static final int MAX_ITERATIONS = 5_000;
    private static final double GRADIENT_TOLERANCE = 1e-5;

    enum Status { OWN, BLENDED, POOLED }

    private ShopModels() {
    }

    /** One shop's sufficient statistics, as collected from Spark. */
    record ShopData(String shopId, long buyers, long repeatBuyers, int historyDays, double spendScale,
                    List<HistoryGroup> groups, ModelLikelihoods.SpendGroups spend) {
    }

    /** The prior: BG/NBD (r, alpha, a, b) and Gamma-Gamma (p, q, v) with v in spend-scale units. */
    record Prior(double[] bg, double[] ggUnit, boolean pooledBg, boolean pooledGg) implements Serializable {
        double[] gg(double spendScale) {
            return new double[] {ggUnit[0], ggUnit[1], ggUnit[2] * spendScale};
        }
    }

    /**
     * A shop's parameters and their covariance in log-parameters (4 x 4 BG/NBD, 3 x 3 Gamma-Gamma). Serializable: it
     * is shipped to the executors that compute the customers' predictions.
     */
    record ShopFit(String shopId, Status status, long buyers, long repeatBuyers, int historyDays, double spendScale,
                   double[] bg, double bgLogLikelihood, double[] gg, double ggLogLikelihood, boolean converged,
                   double[][] bgCovariance, double[][] ggCovariance) implements Serializable {
        BgNbdParameters bgNbd() {
            return BgNbdParameters.of(bg[0], bg[1], bg[2], bg[3]);
        }

        GammaGammaParameters gammaGamma() {
            return GammaGammaParameters.of(gg[0], gg[1], gg[2]);
        }

        double standardError(boolean bgModel, int i) {
            return Math.sqrt((bgModel ? bgCovariance : ggCovariance)[i][i]);
        }
    }

    /** The pooled prior from every shop's customers (see the class comment). */
    static Prior pooledPrior(List<ShopData> shops) {
        int spendRows = 0;
        for (ShopData shop : shops) {
            spendRows += shop.spend().x().length;
        }
        long buyers = 0;
        long repeatBuyers = 0;
        for (ShopData shop : shops) {
            buyers += shop.buyers();
            repeatBuyers += shop.repeatBuyers();
        }
        double[] bg = FALLBACK_BG;
        boolean pooledBg = false;
        // The prior must itself be a stable fit: the same sizes as a shop's own fit, over all shops.
        if (buyers >= OWN_MIN_BUYERS && repeatBuyers >= OWN_MIN_REPEAT_BUYERS) {
            BgNbdParameters fit = BgNbdFit.fitGroups(mergedGroups(shops));
            if (fit.converged()) {
                bg = new double[] {fit.r(), fit.alpha(), fit.a(), fit.b()};
                pooledBg = true;
            }
        }
        // Gamma-Gamma on m_x / spend scale of every repeat buyer of every shop: one (x, m_x, count) row per distinct
        // pair, so the driver holds roughly one row (20 bytes) per repeat buyer here.
        int[] x = new int[spendRows];
        double[] mx = new double[spendRows];
        double[] count = new double[spendRows];
        long customers = 0;
        int k = 0;
        for (ShopData shop : shops) {
            ModelLikelihoods.SpendGroups s = shop.spend();
            for (int i = 0; i < s.x().length; i++, k++) {
                x[k] = s.x()[i];
                mx[k] = s.mx()[i] / shop.spendScale();
                count[k] = s.count()[i];
            }
            customers += s.customers();
        }
        double[] ggUnit = FALLBACK_GG_UNIT;
        boolean pooledGg = false;
        if (customers >= OWN_MIN_REPEAT_BUYERS) {
            ModelLikelihoods.SpendGroups all = sortSpend(x, mx, count, customers);
            Optimum fit = maximise(theta -> ggObjective(theta, all, null), startGg(all), customers);
            double[] p = exp(fit.theta);
            if (fit.converged && p[1] > 1) {
                ggUnit = p;
                pooledGg = true;
            }
        }
        return new Prior(bg, ggUnit, pooledBg, pooledGg);
    }

    /**
     * Every shop's (x, t_x, T) groups merged: equal triples (compared as doubles) summed, in ascending (x, t_x, T)
     * order, as a sorted map keyed by the triple would give them, from primitive arrays sorted once (a map of boxed
     * keys cost seconds per 100 shops).
     */
    static List<HistoryGroup> mergedGroups(List<ShopData> shops) {
        int n = 0;
        for (ShopData shop : shops) {
            n += shop.groups().size();
        }
        double[] x = new double[n];
        double[] tx = new double[n];
        double[] age = new double[n];
        long[] count = new long[n];
        int k = 0;
        for (ShopData shop : shops) {
            for (HistoryGroup g : shop.groups()) {
                x[k] = g.frequency();
                tx[k] = g.recency();
                age[k] = g.age();
                count[k] = g.count();
                k++;
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Comparator<Integer> byTriple = (i, j) -> {
            int c = Double.compare(x[i], x[j]);
            if (c == 0) {
                c = Double.compare(tx[i], tx[j]);
            }
            return c != 0 ? c : Double.compare(age[i], age[j]);
        };
        java.util.Arrays.sort(order, byTriple);
        List<HistoryGroup> merged = new ArrayList<>();
        int i = 0;
        while (i < n) {
            int first = order[i];
            long total = 0;
            while (i < n && byTriple.compare(first, order[i]) == 0) {
                total += count[order[i]];
                i++;
            }
            merged.add(new HistoryGroup((int) x[first], tx[first], age[first], total));
        }
        return merged;
    }

    /** The shop's parameters by the pooling rule of the class comment. */
    static ShopFit fit(ShopData shop, Prior prior) {
        ShopFit own = ownFit(shop);
        if (own != null) {
            return own;
        }
        double[] bgCentre = logs(prior.bg());
        double[] ggCentre = logs(prior.gg(shop.spendScale()));
        ModelLikelihoods.BgGroups bgGroups = ModelLikelihoods.BgGroups.of(shop.groups());
        ModelLikelihoods.SpendGroups spend = shop.spend();
        Objective bgPosterior = theta -> bgObjective(theta, bgGroups, bgCentre);
        Objective ggPosterior = theta -> ggObjective(theta, spend, ggCentre);
        Optimum bg = maximise(bgPosterior, bgCentre, shop.buyers());
        Optimum gg = maximise(ggPosterior, ggCentre, Math.max(1, spend.customers()));
        double[][] bgCov = bg.converged ? covariance(bgPosterior, bg.theta) : null;
        double[][] ggCov = gg.converged ? covariance(ggPosterior, gg.theta) : null;
        if (bgCov != null && ggCov != null && exp(gg.theta)[1] > 1) {
            double[] bgParams = exp(bg.theta);
            double[] ggParams = exp(gg.theta);
            return new ShopFit(shop.shopId(), Status.BLENDED, shop.buyers(), shop.repeatBuyers(), shop.historyDays(),
                    shop.spendScale(), bgParams, ModelLikelihoods.bgNbd(bgParams, bgGroups, null), ggParams,
                    ModelLikelihoods.gammaGamma(ggParams, spend, null), true, bgCov, ggCov);
        }
        double[] bgParams = prior.bg();
        double[] ggParams = prior.gg(shop.spendScale());
        return new ShopFit(shop.shopId(), Status.POOLED, shop.buyers(), shop.repeatBuyers(), shop.historyDays(),
                shop.spendScale(), bgParams, ModelLikelihoods.bgNbd(bgParams, bgGroups, null), ggParams,
                ModelLikelihoods.gammaGamma(ggParams, spend, null), false, priorCovariance(4),
                priorCovariance(3));
    }

    /** The shop's own maximum-likelihood fit when it qualifies (class comment), else null. */
    private static ShopFit ownFit(ShopData shop) {
        if (shop.buyers() < OWN_MIN_BUYERS || shop.historyDays() < OWN_MIN_HISTORY_DAYS
                || shop.spend().customers() < OWN_MIN_REPEAT_BUYERS) {
            return null;
        }
        BgNbdParameters bg = BgNbdFit.fitGroups(sortedGroups(shop.groups()));
        // GammaGamma.fit takes histories: one per repeat buyer of this shop (only x and m_x matter to it). The driver
        // holds them for one shop at a time.
        ModelLikelihoods.SpendGroups s = shop.spend();
        List<CustomerHistory> histories = new ArrayList<>((int) s.customers());
        for (int i = 0; i < s.x().length; i++) {
            CustomerHistory h = new CustomerHistory("c", s.x()[i], 0.0, 0.0, s.mx()[i]);
            for (long n = 0; n < (long) s.count()[i]; n++) {
                histories.add(h);
            }
        }
        GammaGammaParameters gg = GammaGamma.fit(histories);
        if (!bg.converged() || !gg.converged() || !(gg.q() > 1)) {
            return null;
        }
        ModelLikelihoods.BgGroups bgGroups = ModelLikelihoods.BgGroups.of(shop.groups());
        double[] bgParams = {bg.r(), bg.alpha(), bg.a(), bg.b()};
        double[] ggParams = {gg.p(), gg.q(), gg.v()};
        double[][] bgCov = covariance(theta -> bgObjective(theta, bgGroups, null), logs(bgParams));
        double[][] ggCov = covariance(theta -> ggObjective(theta, s, null), logs(ggParams));
        if (bgCov == null || ggCov == null) {
            return null;
        }
        return new ShopFit(shop.shopId(), Status.OWN, shop.buyers(), shop.repeatBuyers(), shop.historyDays(),
                shop.spendScale(), bgParams, bg.logLikelihood(), ggParams, gg.logLikelihood(), true, bgCov, ggCov);
    }

    /** Sorted by (x, t_x, T) so the fit sums in the same order whatever order Spark returned the groups in. */
    static List<HistoryGroup> sortedGroups(List<HistoryGroup> groups) {
        List<HistoryGroup> sorted = new ArrayList<>(groups);
        sorted.sort(java.util.Comparator.comparingInt(HistoryGroup::frequency)
                .thenComparingDouble(HistoryGroup::recency).thenComparingDouble(HistoryGroup::age)
                .thenComparingLong(HistoryGroup::count));
        return sorted;
    }

    /** Spend groups sorted by x, then m_x (deterministic summation order). */
    static ModelLikelihoods.SpendGroups sortSpend(int[] x, double[] mx, double[] count, long customers) {
        Integer[] order = new Integer[x.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (i, j) -> x[i] != x[j] ? Integer.compare(x[i], x[j])
                : mx[i] != mx[j] ? Double.compare(mx[i], mx[j]) : Double.compare(count[i], count[j]));
        int[] sx = new int[x.length];
        double[] smx = new double[x.length];
        double[] sc = new double[x.length];
        for (int i = 0; i < order.length; i++) {
            sx[i] = x[order[i]];
            smx[i] = mx[order[i]];
            sc[i] = count[order[i]];
        }
        return new ModelLikelihoods.SpendGroups(sx, smx, sc, customers);
    }

    // ---- objectives in log-parameters: value and gradient d/d(theta) --------------------------------------------

    /** A function of log-parameters returning {value, d/dtheta_1, ...}. */
    interface Objective {
        double[] valueAndGradient(double[] theta);
    }

    /** BG/NBD log-likelihood (+ the log-normal prior's log-density up to a constant when {@code centre} is given). */
    static double[] bgObjective(double[] theta, ModelLikelihoods.BgGroups groups, double[] centre) {
        double[] params = exp(theta);
        double[] g = new double[4];
        double value = groups.x().length == 0 ? 0 : ModelLikelihoods.bgNbd(params, groups, g);
        return withPrior(value, g, params, theta, centre);
    }

    /** Gamma-Gamma log-likelihood (+ prior as in {@link #bgObjective}). */
    static double[] ggObjective(double[] theta, ModelLikelihoods.SpendGroups spend, double[] centre) {
        double[] params = exp(theta);
        double[] g = new double[3];
        double value = spend.x().length == 0 ? 0 : ModelLikelihoods.gammaGamma(params, spend, g);
        return withPrior(value, g, params, theta, centre);
    }

    private static double[] withPrior(double value, double[] gradient, double[] params, double[] theta,
                                      double[] centre) {
        double[] out = new double[theta.length + 1];
        double total = value;
        for (int i = 0; i < theta.length; i++) {
            double gi = gradient[i] * params[i]; // chain rule: d/dtheta = d/dparam * param
            if (centre != null) {
                double z = (theta[i] - centre[i]) / PRIOR_SD;
                total -= 0.5 * z * z;
                gi -= z / PRIOR_SD;
            }
            out[i + 1] = gi;
        }
        out[0] = total;
        return out;
    }

    // ---- the optimiser and the Hessian --------------------------------------------------------------------------

    record Optimum(double[] theta, boolean converged) {
    }

    /**
     * Maximises the objective over log-parameters with commons-math3's Polak-Ribiere conjugate gradient (the
     * optimiser the models module uses), on the objective divided by {@code customers} so tolerances do not depend on
     * shop size; restarted from the last point until the scaled gradient is below 1e-5 in every coordinate.
     */
    static Optimum maximise(Objective objective, double[] start, long customers) {
        double scale = 1.0 / Math.max(1, customers);
        ObjectiveFunction value = new ObjectiveFunction(theta -> {
            double v = objective.valueAndGradient(theta)[0] * scale;
            return Double.isFinite(v) ? v : -Double.MAX_VALUE;
        });
        ObjectiveFunctionGradient gradient = new ObjectiveFunctionGradient(theta -> scaledGradient(objective, theta,
                scale));
        NonLinearConjugateGradientOptimizer optimizer = new NonLinearConjugateGradientOptimizer(
                NonLinearConjugateGradientOptimizer.Formula.POLAK_RIBIERE, new SimpleValueChecker(1e-15, 1e-15),
                1e-12, 1e-14, 1e-3, new NonLinearConjugateGradientOptimizer.IdentityPreconditioner());
        double[] theta = start.clone();
        boolean stopped = false;
        for (int restart = 0; restart < 5 && !small(scaledGradient(objective, theta, scale)); restart++) {
            try {
                PointValuePair best = optimizer.optimize(new MaxEval(100 * MAX_ITERATIONS),
                        new MaxIter(MAX_ITERATIONS), value, gradient, GoalType.MAXIMIZE, new InitialGuess(theta));
                theta = best.getPoint();
                stopped = true;
            }
            catch (TooManyIterationsException | TooManyEvaluationsException e) {
                stopped = false;
            }
            catch (MathIllegalStateException e) { // e.g. the line search found no bracket
                stopped = false;
                break;
            }
        }
        boolean converged = small(scaledGradient(objective, theta, scale));
        return new Optimum(theta, converged && (stopped || converged));
    }

    private static double[] scaledGradient(Objective objective, double[] theta, double scale) {
        double[] vg = objective.valueAndGradient(theta);
        double[] g = new double[theta.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = Double.isFinite(vg[i + 1]) ? vg[i + 1] * scale : 0.0;
        }
        return g;
    }

    private static boolean small(double[] gradient) {
        for (double g : gradient) {
            if (!(Math.abs(g) < GRADIENT_TOLERANCE)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The inverse of minus the Hessian at {@code theta} (central differences of the analytic gradient,
     * symmetrised), or null when it is not positive definite.
     */
    static double[][] covariance(Objective objective, double[] theta) {
        int n = theta.length;
        double[][] h = new double[n][n];
        for (int j = 0; j < n; j++) {
            double[] up = theta.clone();
            double[] down = theta.clone();
            up[j] += HESSIAN_STEP;
            down[j] -= HESSIAN_STEP;
            double[] gUp = objective.valueAndGradient(up);
            double[] gDown = objective.valueAndGradient(down);
            for (int i = 0; i < n; i++) {
                h[i][j] = -(gUp[i + 1] - gDown[i + 1]) / (2 * HESSIAN_STEP);
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                double mean = (h[i][j] + h[j][i]) / 2;
                h[i][j] = mean;
                h[j][i] = mean;
            }
            if (!Double.isFinite(h[i][i])) {
                return null;
            }
        }
        try {
            RealMatrix inverse = new CholeskyDecomposition(new Array2DRowRealMatrix(h)).getSolver().getInverse();
            double[][] out = inverse.getData();
            for (int i = 0; i < n; i++) {
                if (!(out[i][i] > 0) || !Double.isFinite(out[i][i])) {
                    return null;
                }
            }
            return out;
        }
        catch (NonPositiveDefiniteMatrixException | NonSymmetricMatrixException e) {
            return null;
        }
    }

    private static double[][] priorCovariance(int n) {
        double[][] c = new double[n][n];
        for (int i = 0; i < n; i++) {
            c[i][i] = PRIOR_SD * PRIOR_SD;
        }
        return c;
    }

    /** p = q = 1, v = mean m_x: as in the models module's Gamma-Gamma start. */
    private static double[] startGg(ModelLikelihoods.SpendGroups s) {
        double total = 0;
        double n = 0;
        for (int i = 0; i < s.x().length; i++) {
            total += s.count()[i] * s.mx()[i];
            n += s.count()[i];
        }
        return new double[] {0.0, 0.0, Math.log(Math.max(1e-6, total / n))};
    }

    static double[] logs(double[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Math.log(values[i]);
        }
        return out;
    }

    static double[] exp(double[] theta) {
        double[] out = new double[theta.length];
        for (int i = 0; i < theta.length; i++) {
            out[i] = Math.exp(theta[i]);
        }
        return out;
    }
}
