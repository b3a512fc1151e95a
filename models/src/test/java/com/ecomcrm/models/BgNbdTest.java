package com.ecomcrm.models;

import com.ecomcrm.domain.DomainException;
import org.apache.commons.math3.analysis.integration.gauss.GaussIntegratorFactory;
import org.apache.commons.math3.special.Beta;
import org.apache.commons.math3.special.Gamma;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class BgNbdTest {
    private static final GaussIntegratorFactory GAUSS = new GaussIntegratorFactory();

    /**
     * The likelihood of a tiny hand case against a direct 2-D numerical integration of the model: the individual
     * likelihood (1-p)^x lambda^x e^(-lambda T) + [x>0] p (1-p)^(x-1) lambda^x e^(-lambda t_x) integrated against
     * Gamma(r, alpha) and Beta(a, b) densities by composite Gauss-Legendre quadrature.
     */
    @Test
    void likelihoodEqualsNumericalIntegrationOfTheModel() {
        double r = 2.0;
        double alpha = 3.0;
        double a = 2.0; // integer Beta shapes: the p-integrand is a polynomial, which Gauss-Legendre integrates exactly
        double b = 3.0;
        int[][] histories = {{0, 0, 10}, {1, 4, 10}, {3, 7, 12}};
        double[][] times = {{0, 10}, {4, 10}, {7, 12}};
        for (int i = 0; i < histories.length; i++) {
            int x = histories[i][0];
            double tx = times[i][0];
            double age = times[i][1];
            double integrated = integrateIndividualLikelihood(r, alpha, a, b, x, tx, age);
            assertThat(BgNbd.logLikelihood(r, alpha, a, b, x, tx, age))
                    .as("x %d", x).isCloseTo(Math.log(integrated), within(1e-8));
        }
    }

    private static double integrateIndividualLikelihood(double r, double alpha, double a, double b, int x,
                                                        double tx, double age) {
        double logNormGamma = r * Math.log(alpha) - Gamma.logGamma(r);
        double logNormBeta = -Beta.logBeta(a, b);
        double total = 0;
        double width = 0.05;
        for (double lo = 0; lo < 30; lo += width) {
            final double lambdaLo = lo;
            total += GAUSS.legendre(16, lambdaLo, lambdaLo + width).integrate(lambda -> {
                double gammaDensity = Math.exp(logNormGamma + (r - 1) * Math.log(lambda) - alpha * lambda);
                double sum = 0;
                for (int j = 0; j < 40; j++) {
                    final double pLo = j / 40.0;
                    sum += GAUSS.legendre(16, pLo, pLo + 1 / 40.0).integrate(p -> {
                        double betaDensity = Math.exp(logNormBeta + (a - 1) * Math.log(p) + (b - 1) * Math.log1p(-p));
                        double individual = Math.pow(1 - p, x) * Math.pow(lambda, x) * Math.exp(-lambda * age);
                        if (x > 0) {
                            individual += p * Math.pow(1 - p, x - 1) * Math.pow(lambda, x) * Math.exp(-lambda * tx);
                        }
                        return individual * betaDensity;
                    });
                }
                return sum * gammaDensity;
            });
        }
        return total;
    }

    @Test
    void analyticGradientMatchesCentralFiniteDifferences() {
        List<CustomerHistory> histories = randomHistories(300, 11);
        double[] at = {0.4, 5.0, 0.8, 2.5};
        double[] analytic = BgNbd.gradient(at[0], at[1], at[2], at[3], histories);
        for (int i = 0; i < 4; i++) {
            double h = 1e-6 * at[i];
            double[] up = at.clone();
            double[] down = at.clone();
            up[i] += h;
            down[i] -= h;
            double numeric = (BgNbd.logLikelihood(up[0], up[1], up[2], up[3], histories)
                    - BgNbd.logLikelihood(down[0], down[1], down[2], down[3], histories)) / (2 * h);
            assertThat(analytic[i]).as("d/d parameter %d", i)
                    .isCloseTo(numeric, within(1e-5 * Math.max(1, Math.abs(numeric))));
        }
    }

    @Test
    void groupedLikelihoodEqualsTheSumOverCustomers() {
        List<CustomerHistory> histories = randomHistories(500, 5);
        double sum = 0;
        for (CustomerHistory h : histories) {
            sum += BgNbd.logLikelihood(0.3, 4, 0.9, 2, h.frequency(), h.recency(), h.age());
        }
        assertThat(BgNbd.groups(histories).size()).isLessThan(histories.size());
        assertThat(BgNbd.logLikelihood(0.3, 4, 0.9, 2, histories)).isCloseTo(sum, within(1e-8 * Math.abs(sum)));
    }

    @Test
    void customerWithoutRepeatPurchasesIsAliveForSure() {
        BgNbdParameters params = BgNbdParameters.of(0.243, 4.414, 0.793, 2.426);
        assertThat(BgNbd.probabilityAlive(params, new CustomerHistory("c", 0, 0, 38.86, 0))).isEqualTo(1.0);
        assertThat(BgNbd.probabilityAlive(params, new CustomerHistory("c", 0, 0, 0, 0))).isEqualTo(1.0);
    }

    @Test
    void repeatCustomerWhoHasBeenQuietLongIsLessLikelyAlive() {
        BgNbdParameters params = BgNbdParameters.of(0.243, 4.414, 0.793, 2.426);
        double recent = BgNbd.probabilityAlive(params, 3, 30, 31);
        double quiet = BgNbd.probabilityAlive(params, 3, 5, 31);
        assertThat(recent).isGreaterThan(quiet).isLessThan(1.0);
        assertThat(quiet).isGreaterThan(0.0);
        // A purchase at the very end of calibration: 1 / (1 + a / (b + x - 1)).
        assertThat(recent).isLessThan(BgNbd.probabilityAlive(params, 3, 31, 31));
        assertThat(BgNbd.probabilityAlive(params, 3, 31, 31)).isCloseTo(1 / (1 + 0.793 / (2.426 + 2)), within(1e-12));
    }

    /** Eq. 10 through 2F1 against the posterior integral over p: two independent formula paths. */
    @Test
    void conditionalExpectationAgreesWithItsIntegralForm() {
        BgNbdParameters[] parameterSets = {
                BgNbdParameters.of(0.243, 4.414, 0.793, 2.426),
                BgNbdParameters.of(1.5, 10, 2.5, 0.7),
                BgNbdParameters.of(0.5, 2, 1.2, 5)};
        double[][] cases = {{0, 0, 38.86, 39}, {1, 1.71, 38.86, 39}, {2, 30.43, 38.86, 52}, {7, 20, 60, 5},
                {25, 30, 31, 52}, {200, 100, 104, 52}, {0, 0, 0, 260}};
        for (BgNbdParameters params : parameterSets) {
            for (double[] c : cases) {
                double closedForm = BgNbd.expectedPurchases(params, (int) c[0], c[1], c[2], c[3]);
                double integral = BgNbd.expectedPurchasesByIntegration(params, (int) c[0], c[1], c[2], c[3]);
                assertThat(closedForm).as("%s x %s t %s", params, c[0], c[3])
                        .isFinite().isCloseTo(integral, within(1e-8 * Math.max(1, integral)));
            }
        }
    }

    @Test
    void newCustomerExpectationIsEquationNine() {
        BgNbdParameters params = BgNbdParameters.of(0.243, 4.414, 0.793, 2.426);
        double t = 39;
        // Eq. 9 written out with its own series: (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))].
        double z = t / (4.414 + t);
        double term = 1;
        double series = 1;
        for (int n = 0; n < 5000; n++) {
            term *= (0.243 + n) * (2.426 + n) / ((0.793 + 2.426 - 1 + n) * (n + 1)) * z;
            series += term;
        }
        double eq9 = (0.793 + 2.426 - 1) / (0.793 - 1) * (1 - Math.pow(4.414 / (4.414 + t), 0.243) * series);
        assertThat(BgNbd.expectedPurchasesNewCustomer(params, t)).isCloseTo(eq9, within(1e-10));
        assertThat(BgNbd.expectedPurchasesNewCustomer(params, 0)).isZero();
    }

    @Test
    void expectationIsWellDefinedWhereTheClosedFormIsNot() {
        // a = 1 makes eq. 10 0/0; a + b <= 1 makes the 2F1 series undefined for x = 0.
        BgNbdParameters aIsOne = BgNbdParameters.of(0.5, 3, 1.0, 2);
        double below = BgNbd.expectedPurchases(BgNbdParameters.of(0.5, 3, 0.99, 2), 2, 10, 20, 30);
        double above = BgNbd.expectedPurchases(BgNbdParameters.of(0.5, 3, 1.01, 2), 2, 10, 20, 30);
        assertThat(BgNbd.expectedPurchases(aIsOne, 2, 10, 20, 30)).isBetween(Math.min(below, above),
                Math.max(below, above));
        assertThat(BgNbd.expectedPurchasesNewCustomer(BgNbdParameters.of(0.5, 3, 0.3, 0.4), 30)).isFinite()
                .isPositive();
    }

    @Test
    void expectationGrowsWithTheHorizon() {
        BgNbdParameters params = BgNbdParameters.of(0.243, 4.414, 0.793, 2.426);
        double previous = 0;
        for (double t = 1; t <= 520; t *= 2) {
            double e = BgNbd.expectedPurchases(params, 3, 20, 38, t);
            assertThat(e).isGreaterThan(previous);
            previous = e;
        }
    }

    @Test
    void rejectsAnInvalidHistoryOrHorizon() {
        BgNbdParameters params = BgNbdParameters.of(0.243, 4.414, 0.793, 2.426);
        assertThatThrownBy(() -> BgNbd.expectedPurchases(params, 2, 40, 38, 1))
                .isInstanceOf(DomainException.class).hasMessageStartingWith("Cannot predict");
        assertThatThrownBy(() -> BgNbd.expectedPurchases(params, 2, 10, 38, -1))
                .isInstanceOf(DomainException.class).hasMessageContaining("horizon");
        assertThatThrownBy(() -> BgNbdFit.fit(List.of())).isInstanceOf(DomainException.class)
                .hasMessage("Cannot fit BG/NBD: there are no customers");
    }

    static List<CustomerHistory> randomHistories(int n, long seed) {
        Random random = new Random(seed);
        List<CustomerHistory> histories = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int ageDays = 180 + random.nextInt(90);
            int x = random.nextInt(4) == 0 ? 0 : random.nextInt(6);
            int txDays = x == 0 ? 0 : 1 + random.nextInt(ageDays);
            histories.add(new CustomerHistory("c" + i, x, txDays / 7.0, ageDays / 7.0, x == 0 ? 0 : 10 + i % 7));
        }
        return histories;
    }
}
