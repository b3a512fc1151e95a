package com.ecomcrm.models;

import com.ecomcrm.domain.DomainException;
import org.apache.commons.math3.analysis.integration.gauss.GaussIntegratorFactory;
import org.apache.commons.math3.special.Gamma;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class GammaGammaTest {
    /**
     * The marginal density of m_x against numerical integration over nu of Gamma(m_x; p x, nu x) times
     * Gamma(nu; q, v).
     */
    @Test
    void likelihoodEqualsNumericalIntegrationOverTheSpendRate() {
        double p = 3;
        double q = 4;
        double v = 10;
        GaussIntegratorFactory gauss = new GaussIntegratorFactory();
        for (int x = 1; x <= 3; x++) {
            for (double mx : new double[] {5.0, 12.5, 40.0}) {
                final int fx = x;
                double shape = p * x;
                double total = 0;
                for (double lo = 0; lo < 20; lo += 0.02) {
                    total += gauss.legendre(20, lo, lo + 0.02).integrate(nu -> {
                        double rate = nu * fx;
                        double logMean = shape * Math.log(rate) - Gamma.logGamma(shape) + (shape - 1) * Math.log(mx)
                                - rate * mx;
                        double logPrior = q * Math.log(v) - Gamma.logGamma(q) + (q - 1) * Math.log(nu) - v * nu;
                        return Math.exp(logMean + logPrior);
                    });
                }
                assertThat(GammaGamma.logLikelihood(p, q, v, x, mx)).as("x %d m_x %s", x, mx)
                        .isCloseTo(Math.log(total), within(1e-8));
            }
        }
    }

    @Test
    void analyticGradientMatchesCentralFiniteDifferences() {
        List<CustomerHistory> histories = BgNbdTest.randomHistories(400, 3);
        double[] at = {5.0, 3.5, 14.0};
        double[] analytic = GammaGamma.gradient(at[0], at[1], at[2], histories);
        for (int i = 0; i < 3; i++) {
            double h = 1e-6 * at[i];
            double[] up = at.clone();
            double[] down = at.clone();
            up[i] += h;
            down[i] -= h;
            double numeric = (GammaGamma.logLikelihood(up[0], up[1], up[2], histories)
                    - GammaGamma.logLikelihood(down[0], down[1], down[2], histories)) / (2 * h);
            assertThat(analytic[i]).as("d/d parameter %d", i)
                    .isCloseTo(numeric, within(1e-5 * Math.max(1, Math.abs(numeric))));
        }
    }

    @Test
    void expectedAverageValueShrinksTheCustomerMeanTowardsThePopulationMean() {
        GammaGammaParameters params = GammaGammaParameters.of(6.25, 3.74, 15.44);
        double population = 6.25 * 15.44 / (3.74 - 1);
        assertThat(GammaGamma.expectedAverageValue(params, 0, 0)).isCloseTo(population, within(1e-12));
        double oneRepeat = GammaGamma.expectedAverageValue(params, 1, 100);
        double manyRepeats = GammaGamma.expectedAverageValue(params, 20, 100);
        assertThat(oneRepeat).isBetween(population, 100.0);
        assertThat(manyRepeats).isBetween(oneRepeat, 100.0);
        double weight = 6.25 * 20 / (6.25 * 20 + 3.74 - 1);
        assertThat(manyRepeats).isCloseTo((1 - weight) * population + weight * 100, within(1e-9));
    }

    @Test
    void zeroValueRepeatersAreLeftOutOfTheFitAndNonRepeatersAreIgnored() {
        List<CustomerHistory> histories = List.of(
                new CustomerHistory("a", 2, 3, 10, 20), new CustomerHistory("b", 1, 2, 10, 35),
                new CustomerHistory("c", 3, 9, 10, 12), new CustomerHistory("d", 1, 1, 10, 0),
                new CustomerHistory("e", 0, 0, 10, 0));
        double withoutExtras = GammaGamma.logLikelihood(5, 3, 14, histories.subList(0, 3));
        assertThat(GammaGamma.logLikelihood(5, 3, 14, histories)).isEqualTo(withoutExtras);
    }

    @Test
    void refusesAnInfinitePopulationMean() {
        assertThatThrownBy(() -> GammaGamma.expectedAverageValue(GammaGammaParameters.of(2, 0.8, 10), 0, 0))
                .isInstanceOf(DomainException.class).hasMessageStartingWith("Cannot compute the expected average value");
        assertThatThrownBy(() -> GammaGamma.fit(List.of(new CustomerHistory("e", 0, 0, 10, 0))))
                .isInstanceOf(DomainException.class).hasMessageContaining("no customer has a repeat purchase");
    }
}
