package com.ecomcrm.models;

import org.apache.commons.math3.exception.TooManyEvaluationsException;
import org.apache.commons.math3.exception.TooManyIterationsException;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.MaxIter;
import org.apache.commons.math3.optim.PointValuePair;
import org.apache.commons.math3.optim.SimpleValueChecker;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunctionGradient;
import org.apache.commons.math3.optim.nonlinear.scalar.gradient.NonLinearConjugateGradientOptimizer;

import java.util.function.BiFunction;

/**
 * Maximum likelihood over positive parameters with commons-math3's Polak-Ribiere conjugate gradient optimiser,
 * working on the logarithms of the parameters so every step stays positive. The objective is the mean log-likelihood
 * per customer, so tolerances do not depend on the number of customers. A fit counts as converged when the optimiser
 * stopped on its value test and the gradient of the mean log-likelihood in log-parameters is below 1e-5 in every
 * coordinate. Deterministic: the same input gives the same output bit for bit.
 */
final class LogSpaceMaximiser {
    static final int MAX_ITERATIONS = 5_000;
    static final double GRADIENT_TOLERANCE = 1e-5;

    /** The result: parameters (not logs), the total log-likelihood, iterations, and the convergence flag. */
    record Result(double[] parameters, double logLikelihood, int iterations, boolean converged) {
    }

    private LogSpaceMaximiser() {
    }

    /**
     * @param valueAndGradient the total log-likelihood at parameters, writing its gradient d/d(parameter) into the
     *                         array it is given unless that is null
     * @param customers        the number of customers, to scale the objective to a mean
     */
    static Result maximise(BiFunction<double[], double[], Double> valueAndGradient, double[] start, long customers) {
        int dimension = start.length;
        double scale = 1.0 / Math.max(1, customers);
        double[] logStart = new double[dimension];
        for (int i = 0; i < dimension; i++) {
            logStart[i] = Math.log(start[i]);
        }
        ObjectiveFunction objective = new ObjectiveFunction(theta -> {
            double value = valueAndGradient.apply(exp(theta), null) * scale; // the line search needs no gradient
            return Double.isFinite(value) ? value : -Double.MAX_VALUE;
        });
        ObjectiveFunctionGradient gradient = new ObjectiveFunctionGradient(theta -> logGradient(valueAndGradient,
                theta, scale));
        NonLinearConjugateGradientOptimizer optimizer = new NonLinearConjugateGradientOptimizer(
                NonLinearConjugateGradientOptimizer.Formula.POLAK_RIBIERE, new SimpleValueChecker(1e-15, 1e-15),
                1e-12, 1e-14, 1e-3, new NonLinearConjugateGradientOptimizer.IdentityPreconditioner());
        double[] theta = logStart;
        int iterations = 0;
        boolean stopped = false;
        // Conjugate gradients restarted from the last point until the gradient vanishes (rarely more than twice).
        for (int restart = 0; restart < 5 && !converged(valueAndGradient, theta, scale); restart++) {
            try {
                PointValuePair best = optimizer.optimize(new MaxEval(100 * MAX_ITERATIONS),
                        new MaxIter(MAX_ITERATIONS), objective, gradient, GoalType.MAXIMIZE, new InitialGuess(theta));
                theta = best.getPoint();
                stopped = true;
            } catch (TooManyIterationsException | TooManyEvaluationsException e) {
                stopped = false;
            }
            iterations += optimizer.getIterations();
        }
        double[] parameters = exp(theta);
        double logLikelihood = valueAndGradient.apply(parameters, null);
        boolean converged = stopped && converged(valueAndGradient, theta, scale);
        return new Result(parameters, logLikelihood, iterations, converged);
    }

    private static boolean converged(BiFunction<double[], double[], Double> valueAndGradient, double[] theta,
                                     double scale) {
        for (double g : logGradient(valueAndGradient, theta, scale)) {
            if (!(Math.abs(g) < GRADIENT_TOLERANCE)) {
                return false;
            }
        }
        return true;
    }

    private static double[] logGradient(BiFunction<double[], double[], Double> valueAndGradient, double[] theta,
                                        double scale) {
        double[] parameters = exp(theta);
        double[] g = new double[theta.length];
        valueAndGradient.apply(parameters, g);
        for (int i = 0; i < g.length; i++) {
            g[i] = Double.isFinite(g[i]) ? g[i] * parameters[i] * scale : 0.0;
        }
        return g;
    }

    private static double[] exp(double[] theta) {
        double[] out = new double[theta.length];
        for (int i = 0; i < theta.length; i++) {
            out[i] = Math.exp(theta[i]);
        }
        return out;
    }
}
