package com.ecomcrm.models;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;

import java.util.List;
import java.util.Objects;

/**
 * Fits BG/NBD by maximum likelihood. Histories are first aggregated into (x, t_x, T) groups with counts (the Spark job
 * can do the same with a groupBy and call {@link #fitGroups}); the likelihood then costs one pass over the groups with
 * the Gamma functions computed once per distinct x, so 1M customers (a few hundred thousand groups at most with
 * whole-day times) fit in well under a second. The optimiser is commons-math3's nonlinear conjugate gradient on the
 * log-parameters with the analytic gradient, preconditioned by the analytic Hessian so its directions are Newton
 * steps (see {@link LogSpaceMaximiser}).
 */
public final class BgNbdFit {
    private BgNbdFit() {
    }

    /** The maximum-likelihood parameters for these histories. */
    public static BgNbdParameters fit(List<CustomerHistory> histories) {
        Objects.requireNonNull(histories, "histories is null");
        return fitGroups(BgNbd.groups(histories));
    }

    /** The maximum-likelihood parameters for customers aggregated into (x, t_x, T) groups. */
    public static BgNbdParameters fitGroups(List<HistoryGroup> groups) {
        Objects.requireNonNull(groups, "groups is null");
        if (groups.isEmpty()) {
            throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot fit BG/NBD: there are no customers");
        }
        BgNbd.Likelihood likelihood = new BgNbd.Likelihood(groups);
        LogSpaceMaximiser.Result result = LogSpaceMaximiser.maximiseWithNewtonSteps(
                (p, gradient) -> likelihood.valueAndGradient(p[0], p[1], p[2], p[3], gradient),
                (p, gradient, hessian) -> likelihood.valueGradientAndHessian(p[0], p[1], p[2], p[3], gradient,
                        hessian),
                start(groups), likelihood.customers());
        double[] p = result.parameters();
        return new BgNbdParameters(p[0], p[1], p[2], p[3], result.logLikelihood(), result.iterations(),
                result.converged());
    }

    /** r = 1, alpha so that the mean rate r / alpha matches the mean observed repeat rate, a = b = 1. */
    private static double[] start(List<HistoryGroup> groups) {
        double purchases = 0;
        double weeks = 0;
        for (HistoryGroup g : groups) {
            purchases += g.count() * (double) g.frequency();
            weeks += g.count() * g.age();
        }
        double alpha = Math.min(1e4, Math.max(1e-2, (weeks + 1) / (purchases + 1)));
        return new double[] {1.0, alpha, 1.0, 1.0};
    }
}
