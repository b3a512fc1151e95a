package com.ecomcrm.models;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;

/**
 * Fitted BG/NBD parameters (Fader, Hardie and Lee 2005): while alive a customer buys at a Poisson rate lambda ~
 * Gamma(shape r, rate alpha) per week; after each repeat purchase they drop out with probability p ~ Beta(a, b).
 * {@code logLikelihood} is the maximised log-likelihood of the fitted histories, {@code iterations} the optimiser's
 * iteration count and {@code converged} whether it stopped on its convergence test with a vanishing gradient.
 */
public record BgNbdParameters(double r, double alpha, double a, double b, double logLikelihood, int iterations,
                              boolean converged) {
    public BgNbdParameters {
        checkPositive("r", r);
        checkPositive("alpha", alpha);
        checkPositive("a", a);
        checkPositive("b", b);
        if (Double.isNaN(logLikelihood) || logLikelihood > 0) {
            throw new DomainException(ErrorCode.INVALID_INPUT,
                    "Cannot make BG/NBD parameters: log-likelihood " + logLikelihood + " is not <= 0");
        }
        if (iterations < 0) {
            throw new DomainException(ErrorCode.INVALID_INPUT,
                    "Cannot make BG/NBD parameters: iterations " + iterations + " is negative");
        }
    }

    /** Parameters given directly (not fitted), e.g. published ones or a pooled prior: no likelihood, no iterations. */
    public static BgNbdParameters of(double r, double alpha, double a, double b) {
        return new BgNbdParameters(r, alpha, a, b, Double.NEGATIVE_INFINITY, 0, true);
    }

    private static void checkPositive(String name, double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new DomainException(ErrorCode.INVALID_INPUT,
                    "Cannot make BG/NBD parameters: " + name + " " + value + " is not a finite number > 0");
        }
    }
}
