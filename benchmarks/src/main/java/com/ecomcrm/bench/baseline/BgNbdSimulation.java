package com.ecomcrm.bench.baseline;

import com.ecomcrm.models.BgNbdParameters;
import com.ecomcrm.models.CustomerHistory;
import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.random.MersenneTwister;
import org.apache.commons.math3.random.RandomGenerator;

import java.util.ArrayList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Customers drawn from the BG/NBD generative process, seeded, for the fit benchmark: each customer draws a purchase
 * rate lambda ~ Gamma(shape r, rate alpha) and a dropout probability p ~ Beta(a, b), buys at Poisson rate lambda
 * from the first purchase on, and after each repeat purchase drops out with probability p.
 *
 * <p>The shape is CDNOW's: first purchases spread uniformly over the first {@code birthDays} days (84, 12 weeks),
 * the calibration period ending on day {@code calibrationDays} (273, 39 weeks). Times are recorded in whole days
 * (a repeat purchase is stamped with the day it falls in), as the pipeline records them, so that T and t_x take few
 * distinct values and the (x, t_x, T) groups are realistic; the model's time unit is the week.
 */
public record BgNbdSimulation(BgNbdParameters truth, int birthDays, int calibrationDays) {
    /** CDNOW's published BG/NBD fit (Fader, Hardie and Lee 2005), the simulator's own parameters. */
    public static final BgNbdParameters CDNOW = BgNbdParameters.of(0.243, 4.414, 0.793, 2.426);

    public BgNbdSimulation {
        requireNonNull(truth, "truth is null");
        if (birthDays < 1 || calibrationDays < birthDays) {
            throw new IllegalArgumentException("Cannot simulate: births over " + birthDays
                    + " days must fit in the calibration period of " + calibrationDays + " days");
        }
    }

    /** CDNOW's parameters and calendar: births over 12 weeks, calibration to week 39. */
    public static BgNbdSimulation cdnowLike() {
        return new BgNbdSimulation(CDNOW, 84, 273);
    }

    /** {@code customers} histories; the same seed gives the same histories. */
    public List<CustomerHistory> customers(int customers, long seed) {
        RandomGenerator random = new MersenneTwister(seed);
        GammaDistribution rates = new GammaDistribution(random, truth.r(), 1 / truth.alpha());
        BetaDistribution dropouts = new BetaDistribution(random, truth.a(), truth.b());
        List<CustomerHistory> histories = new ArrayList<>(customers);
        for (int i = 0; i < customers; i++) {
            int ageDays = calibrationDays - random.nextInt(birthDays);
            double age = ageDays / 7.0;
            double lambda = rates.sample();
            double p = dropouts.sample();
            int x = 0;
            int lastDay = 0;
            // Exponential gaps, in weeks, until the end of the calibration period or the dropout.
            for (double t = -Math.log(1 - random.nextDouble()) / lambda; t <= age;
                 t += -Math.log(1 - random.nextDouble()) / lambda) {
                x++;
                lastDay = Math.min(ageDays, (int) Math.floor(t * 7));
                if (random.nextDouble() < p) {
                    break;
                }
            }
            histories.add(new CustomerHistory("c" + i, x, lastDay / 7.0, age, 0));
        }
        return histories;
    }
}
