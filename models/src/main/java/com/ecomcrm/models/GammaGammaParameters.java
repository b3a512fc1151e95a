package com.ecomcrm.models;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;

/**
 * Fitted Gamma-Gamma spend parameters (Fader and Hardie's note "The Gamma-Gamma Model of Monetary Value", 2013):
 * a customer's purchase values are Gamma(shape p, rate nu) and nu ~ Gamma(shape q, rate v) across customers
 * (v is the note's gamma). {@code converged} says whether the optimiser stopped on its convergence test with a
 * vanishing gradient.
 */
public record GammaGammaParameters(double p, double q, double v, double logLikelihood, boolean converged) {
    public GammaGammaParameters {
        checkPositive("p", p);
        checkPositive("q", q);
        checkPositive("v", v);
        if (Double.isNaN(logLikelihood) || logLikelihood == Double.POSITIVE_INFINITY) {
            throw new DomainException(ErrorCode.INVALID_INPUT,
                    "Cannot make Gamma-Gamma parameters: log-likelihood " + logLikelihood + " is not a number");
        }
    }

    /** Parameters given directly (not fitted): no likelihood. */
    public static GammaGammaParameters of(double p, double q, double v) {
        return new GammaGammaParameters(p, q, v, Double.NEGATIVE_INFINITY, true);
    }

    private static void checkPositive(String name, double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new DomainException(ErrorCode.INVALID_INPUT,
                    "Cannot make Gamma-Gamma parameters: " + name + " " + value + " is not a finite number > 0");
        }
    }
}
