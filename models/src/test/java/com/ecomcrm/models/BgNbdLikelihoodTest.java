package com.ecomcrm.models;

import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.random.MersenneTwister;
import org.apache.commons.math3.random.RandomGenerator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The grouped likelihood the fit runs on: its Hessian, its split sum, and the grouping that feeds it. */
class BgNbdLikelihoodTest {
    @Test
    void hessianMatchesCentralDifferencesOfTheAnalyticGradient() {
        BgNbd.Likelihood likelihood = new BgNbd.Likelihood(BgNbd.groups(BgNbdTest.randomHistories(400, 3)));
        double[][] points = {{0.4, 5.0, 0.8, 2.5}, {2.0, 0.7, 3.0, 0.6}, {0.05, 40.0, 0.2, 9.0}};
        for (double[] at : points) {
            double[] gradient = new double[4];
            double[][] hessian = new double[4][4];
            likelihood.valueGradientAndHessian(at[0], at[1], at[2], at[3], gradient, hessian);
            for (int j = 0; j < 4; j++) {
                double h = 1e-5 * at[j];
                double[] up = at.clone();
                double[] down = at.clone();
                up[j] += h;
                down[j] -= h;
                double[] gradientUp = new double[4];
                double[] gradientDown = new double[4];
                likelihood.valueAndGradient(up[0], up[1], up[2], up[3], gradientUp);
                likelihood.valueAndGradient(down[0], down[1], down[2], down[3], gradientDown);
                for (int i = 0; i < 4; i++) {
                    double numeric = (gradientUp[i] - gradientDown[i]) / (2 * h);
                    assertThat(hessian[i][j]).as("d2/d%d d%d at %s", i, j, java.util.Arrays.toString(at))
                            .isCloseTo(numeric, within(1e-5 * Math.max(1, Math.abs(numeric))));
                }
            }
        }
    }

    @Test
    void gradientWithTheHessianIsTheGradientAlone() {
        BgNbd.Likelihood likelihood = new BgNbd.Likelihood(BgNbd.groups(BgNbdTest.randomHistories(300, 8)));
        double[] alone = new double[4];
        double[] withHessian = new double[4];
        double value = likelihood.valueAndGradient(0.3, 4, 0.9, 2, alone);
        assertThat(likelihood.valueGradientAndHessian(0.3, 4, 0.9, 2, withHessian, new double[4][4]))
                .isEqualTo(value);
        assertThat(withHessian).containsExactly(alone);
        assertThat(likelihood.valueAndGradient(0.3, 4, 0.9, 2, null)).isEqualTo(value);
    }

    /**
     * Enough distinct groups to split the sum in two halves (on two threads where there are two processors): the
     * result is the per-customer sum, and bit for bit the same on every evaluation.
     */
    @Test
    void splitSumIsTheSumOverCustomersAndTheSameEveryTime() {
        List<CustomerHistory> histories = continuousHistories(3 * BgNbd.Likelihood.SPLIT_MIN_GROUPS / 2, 21);
        List<HistoryGroup> groups = BgNbd.groups(histories);
        assertThat(groups).hasSizeGreaterThanOrEqualTo(BgNbd.Likelihood.SPLIT_MIN_GROUPS);
        BgNbd.Likelihood likelihood = new BgNbd.Likelihood(groups);
        double sum = 0;
        for (CustomerHistory h : histories) {
            sum += BgNbd.logLikelihood(0.3, 4, 0.9, 2, h.frequency(), h.recency(), h.age());
        }
        double[] first = new double[4];
        double value = likelihood.valueAndGradient(0.3, 4, 0.9, 2, first);
        assertThat(value).isCloseTo(sum, within(1e-10 * Math.abs(sum)));
        for (int run = 0; run < 20; run++) {
            double[] again = new double[4];
            assertThat(likelihood.valueAndGradient(0.3, 4, 0.9, 2, again)).isEqualTo(value);
            assertThat(again).containsExactly(first);
        }
    }

    @Test
    void groupsCountEveryDistinctTripleOnceInTripleOrder() {
        List<CustomerHistory> histories = new ArrayList<>(BgNbdTest.randomHistories(5_000, 13));
        histories.addAll(continuousHistories(2_000, 5));
        assertThat(BgNbd.groups(histories)).containsExactlyElementsOf(boxedGroups(histories));
    }

    /** x near 2^30 leaves too few bits to pack (x, t_x rank, T rank, index) in a long: the comparator sort. */
    @Test
    void groupsOfHugeFrequenciesAreOrderedTheSameWay() {
        List<CustomerHistory> histories = new ArrayList<>();
        Random random = new Random(4);
        for (int i = 0; i < 5_000; i++) {
            int x = (1 << 30) + random.nextInt(3);
            int ageDays = 1 + random.nextInt(2_000);
            histories.add(new CustomerHistory("c" + i, x, random.nextInt(ageDays + 1) / 7.0, ageDays / 7.0, 1));
        }
        List<HistoryGroup> groups = BgNbd.groups(histories);
        assertThat(groups).hasSizeGreaterThan(4_000).containsExactlyElementsOf(boxedGroups(histories));
    }

    /** Newton-preconditioned, the fit takes a handful of iterations and stops with a vanishing gradient. */
    @Test
    void fitConvergesInAFewNewtonPreconditionedIterations() {
        List<CustomerHistory> histories = simulated(0.4, 5, 0.7, 2.5, 20_000, 9);
        BgNbdParameters fit = BgNbdFit.fit(histories);
        assertThat(fit.converged()).isTrue();
        assertThat(fit.iterations()).isLessThanOrEqualTo(20);
        double[] gradient = BgNbd.gradient(fit.r(), fit.alpha(), fit.a(), fit.b(), histories);
        double[] at = {fit.r(), fit.alpha(), fit.a(), fit.b()};
        for (int i = 0; i < 4; i++) {
            assertThat(gradient[i] * at[i] / histories.size()).as("mean d/d ln parameter %d", i)
                    .isCloseTo(0, within(LogSpaceMaximiser.GRADIENT_TOLERANCE));
        }
        assertThat(BgNbdFit.fit(histories)).isEqualTo(fit);
    }

    /**
     * Histories the model does not fit well (times drawn uniformly, no dropout story): the maximum lies towards a and
     * b without bound. Whatever the optimiser reports, the likelihood it reports is the real one at its parameters,
     * and at least as high as at a point the plain conjugate gradient reached; with Gamma functions in place of the
     * finite sums it used to be 4.7e17, rounding noise of ln Gamma(a + b) - ln Gamma(a + b + x) at a, b near 1e26.
     */
    @Test
    void fitTowardsUnboundedDropoutParametersReportsTheTrueLikelihood() {
        List<CustomerHistory> histories = continuousHistories(20_000, 9);
        BgNbdParameters fit = BgNbdFit.fit(histories);
        double perCustomer = 0;
        for (CustomerHistory h : histories) {
            perCustomer += BgNbd.logLikelihood(fit.r(), fit.alpha(), fit.a(), fit.b(), h.frequency(), h.recency(),
                    h.age());
        }
        assertThat(fit.logLikelihood()).isCloseTo(perCustomer, within(1e-9 * Math.abs(perCustomer)))
                .isGreaterThanOrEqualTo(BgNbd.logLikelihood(0.3086, 1.2092, 818.79, 4112.78, histories));
        assertThat(fit.a() / (fit.a() + fit.b())).isCloseTo(818.79 / (818.79 + 4112.78), within(0.01));
    }

    /** The grouping as it was written before, with boxed keys: the reference. */
    private static List<HistoryGroup> boxedGroups(List<CustomerHistory> histories) {
        Comparator<List<Double>> order = (p, q) -> {
            for (int i = 0; i < 3; i++) {
                int c = Double.compare(p.get(i), q.get(i));
                if (c != 0) {
                    return c;
                }
            }
            return 0;
        };
        Map<List<Double>, long[]> counts = new TreeMap<>(order);
        for (CustomerHistory h : histories) {
            counts.computeIfAbsent(List.of((double) h.frequency(), h.recency(), h.age()), k -> new long[1])[0]++;
        }
        List<HistoryGroup> groups = new ArrayList<>();
        counts.forEach((k, n) -> groups.add(new HistoryGroup(k.get(0).intValue(), k.get(1), k.get(2), n[0])));
        return groups;
    }

    /** Customers of the BG/NBD story with continuous times, births over 12 weeks, calibration to week 39. */
    private static List<CustomerHistory> simulated(double r, double alpha, double a, double b, int n, long seed) {
        RandomGenerator random = new MersenneTwister(seed);
        GammaDistribution rates = new GammaDistribution(random, r, 1 / alpha);
        BetaDistribution dropouts = new BetaDistribution(random, a, b);
        List<CustomerHistory> histories = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double age = 27 + 12 * random.nextDouble();
            double lambda = rates.sample();
            double p = dropouts.sample();
            int x = 0;
            double last = 0;
            for (double t = -Math.log(1 - random.nextDouble()) / lambda; t <= age;
                 t += -Math.log(1 - random.nextDouble()) / lambda) {
                x++;
                last = t;
                if (random.nextDouble() < p) {
                    break;
                }
            }
            histories.add(new CustomerHistory("c" + i, x, last, age, x == 0 ? 0 : 20));
        }
        return histories;
    }

    /** Histories with times to the second, so nearly every customer is a group of their own. */
    private static List<CustomerHistory> continuousHistories(int n, long seed) {
        Random random = new Random(seed);
        List<CustomerHistory> histories = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double age = 26 + 13 * random.nextDouble();
            int x = random.nextInt(3) == 0 ? 0 : 1 + (int) (-3 * Math.log(1 - random.nextDouble()));
            double tx = x == 0 ? 0 : age * random.nextDouble();
            histories.add(new CustomerHistory("c" + i, x, tx, age, x == 0 ? 0 : 20));
        }
        return histories;
    }
}
