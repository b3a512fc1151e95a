package com.ecomcrm.bench.jmh;

import com.ecomcrm.bench.baseline.BgNbdSimulation;
import com.ecomcrm.models.BgNbd;
import com.ecomcrm.models.BgNbdParameters;
import com.ecomcrm.models.CustomerHistory;
import com.ecomcrm.models.HistoryGroup;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The BG/NBD log-likelihood, alone, with its analytic gradient ({@link BgNbd.Likelihood#valueAndGradient}) and with
 * its gradient and Hessian ({@link BgNbd.Likelihood#valueGradientAndHessian}), over
 * the (x, t_x, T) groups of customers simulated from CDNOW's parameters with whole-day times: one evaluation is what
 * each step of the fit costs. Also the grouping itself ({@link BgNbd#groups}), done once per fit. The parameters are
 * near the optimum, where the fit spends most of its evaluations.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BgNbdLikelihoodBench {
    @Param("100000")
    public int customers;

    private List<CustomerHistory> histories;
    private BgNbd.Likelihood likelihood;
    private BgNbdParameters at;
    private double[] gradient;
    private double[][] hessian;

    @Setup
    public void setUp() {
        histories = BgNbdSimulation.cdnowLike().customers(customers, 20261010L);
        List<HistoryGroup> groups = BgNbd.groups(histories);
        likelihood = new BgNbd.Likelihood(groups);
        at = BgNbdSimulation.CDNOW;
        gradient = new double[4];
        hessian = new double[4][4];
    }

    @Benchmark
    public double logLikelihood() {
        return likelihood.valueAndGradient(at.r(), at.alpha(), at.a(), at.b(), null);
    }

    @Benchmark
    public double[] logLikelihoodAndGradient() {
        likelihood.valueAndGradient(at.r(), at.alpha(), at.a(), at.b(), gradient);
        return gradient;
    }

    /** What the fit's Newton preconditioner costs once per iteration. */
    @Benchmark
    public double[][] logLikelihoodGradientAndHessian() {
        likelihood.valueGradientAndHessian(at.r(), at.alpha(), at.a(), at.b(), gradient, hessian);
        return hessian;
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public List<HistoryGroup> groupHistories() {
        return BgNbd.groups(histories);
    }
}
