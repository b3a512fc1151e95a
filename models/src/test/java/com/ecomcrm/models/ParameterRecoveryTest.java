package com.ecomcrm.models;

import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.commons.math3.distribution.ExponentialDistribution;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.random.MersenneTwister;
import org.apache.commons.math3.random.RandomGenerator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

/**
 * Data simulated from known parameters is fitted back. The simulator follows the BG/NBD story: each customer draws
 * lambda ~ Gamma(shape r, rate alpha) and p ~ Beta(a, b), buys at Poisson rate lambda from their first purchase on,
 * and after each repeat purchase drops out with probability p. Births are spread over 12 weeks, calibration ends at
 * week 52, times are continuous as in the model. Stated tolerances, for 20,000 customers (seeded, so
 * deterministic): r and alpha within 5%, a and b within 10% (the dropout process is the less informed one); the
 * Gamma-Gamma parameters from simulated spend within 10%. (Seen: r +0.9%, alpha +1.4%, a +3.0%, b +1.4%; p -2.5%,
 * q +0.9%, v +3.0%.)
 */
class ParameterRecoveryTest {
    private static final int CUSTOMERS = 20_000;

    @Test
    void bgNbdFitRecoversTheSimulatingParameters() {
        double r = 0.5;
        double alpha = 6.0;
        double a = 0.8;
        double b = 2.5;
        List<CustomerHistory> histories = simulate(r, alpha, a, b, new MersenneTwister(20240611L));
        BgNbdParameters fitted = BgNbdFit.fit(histories);
        assertThat(fitted.converged()).isTrue();
        assertThat(fitted.r()).isCloseTo(r, withinPercentage(5));
        assertThat(fitted.alpha()).isCloseTo(alpha, withinPercentage(5));
        assertThat(fitted.a()).isCloseTo(a, withinPercentage(10));
        assertThat(fitted.b()).isCloseTo(b, withinPercentage(10));
        // The fitted likelihood is at least that of the truth.
        assertThat(fitted.logLikelihood()).isGreaterThanOrEqualTo(BgNbd.logLikelihood(r, alpha, a, b, histories));
    }

    @Test
    void gammaGammaFitRecoversTheSimulatingParameters() {
        double p = 6.0;
        double q = 4.0;
        double v = 15.0;
        RandomGenerator random = new MersenneTwister(7L);
        GammaDistribution nuDistribution = new GammaDistribution(random, q, 1 / v);
        List<CustomerHistory> histories = new ArrayList<>();
        for (int i = 0; i < CUSTOMERS; i++) {
            int x = 1 + random.nextInt(6);
            double nu = nuDistribution.sample();
            GammaDistribution spend = new GammaDistribution(random, p, 1 / nu);
            double total = 0;
            for (int k = 0; k < x; k++) {
                total += spend.sample();
            }
            histories.add(new CustomerHistory("c" + i, x, 1, 10, total / x));
        }
        GammaGammaParameters fitted = GammaGamma.fit(histories);
        assertThat(fitted.converged()).isTrue();
        assertThat(fitted.p()).isCloseTo(p, withinPercentage(10));
        assertThat(fitted.q()).isCloseTo(q, withinPercentage(10));
        assertThat(fitted.v()).isCloseTo(v, withinPercentage(10));
    }

    static List<CustomerHistory> simulate(double r, double alpha, double a, double b, RandomGenerator random) {
        GammaDistribution lambdas = new GammaDistribution(random, r, 1 / alpha);
        BetaDistribution dropouts = new BetaDistribution(random, a, b);
        List<CustomerHistory> histories = new ArrayList<>(CUSTOMERS);
        for (int i = 0; i < CUSTOMERS; i++) {
            double age = 52 - 12 * random.nextDouble();
            double lambda = lambdas.sample();
            double p = dropouts.sample();
            ExponentialDistribution gaps = new ExponentialDistribution(random, 1 / lambda);
            int x = 0;
            double last = 0;
            for (double t = gaps.sample(); t <= age; t += gaps.sample()) {
                x++;
                last = t;
                if (random.nextDouble() < p) {
                    break;
                }
            }
            histories.add(new CustomerHistory("c" + i, x, last, age, x == 0 ? 0 : 1));
        }
        return histories;
    }
}
