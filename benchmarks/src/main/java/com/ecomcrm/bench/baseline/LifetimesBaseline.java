package com.ecomcrm.bench.baseline;

import com.ecomcrm.bench.StageResult;
import com.ecomcrm.models.BgNbdParameters;
import com.ecomcrm.models.CustomerHistory;
import com.ecomcrm.testing.shopify.SimulatedStore;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * The lifetimes baseline of the foundation benchmark: the bulk shops' customers summarised as the pipeline summarises
 * them ({@link PurchaseHistories}), written as CSV, fitted by our models module in-process (grouping + optimisation)
 * and by the Python {@code lifetimes} package on the same CSV. One pooled fit over every bulk shop's buyers (the
 * pipeline fits each shop on its own; its own fit time is the predictions stage's {@code fit_seconds}).
 */
public final class LifetimesBaseline {
    private final LifetimesFit lifetimes;
    private final Path work;

    public LifetimesBaseline(Path repositoryRoot, Path work) {
        this.lifetimes = new LifetimesFit(requireNonNull(repositoryRoot, "repositoryRoot is null"));
        this.work = requireNonNull(work, "work is null");
    }

    public String missing() {
        return lifetimes.missing();
    }

    public List<StageResult> run(List<SimulatedStore> stores, LocalDate asOf) throws Exception {
        List<BaselineOrder> orders = new ArrayList<>();
        stores.forEach(store -> orders.addAll(BaselineOrder.of(store)));
        List<CustomerHistory> histories = PurchaseHistories.of(orders, asOf);
        Path csv = work.resolve("lifetimes-customers.csv");
        HistoryCsv.write(histories, csv);

        FitBench.OurFit ours = FitBench.ourFit(histories);
        LifetimesFit.Result theirs = lifetimes.fit(csv, work.resolve("lifetimes.log"), 30);
        BgNbdParameters p = ours.parameters();
        Map<String, Object> oursDetails = parameters(p.r(), p.alpha(), p.a(), p.b(), p.logLikelihood());
        oursDetails.put("cpu_seconds", Math.round(ours.cpuSeconds() * 100) / 100.0);
        StageResult oursStage = new StageResult("our BG/NBD fit (models, in-process, pooled)", ours.seconds(),
                histories.size(), "buyers", null, null, oursDetails);
        Map<String, Object> details = parameters(theirs.r(), theirs.alpha(), theirs.a(), theirs.b(),
                theirs.logLikelihood());
        details.put("cpu_seconds", Math.round(theirs.fitCpuSeconds() * 100) / 100.0);
        details.put("ours_vs_lifetimes_speed_up_x", Math.round(theirs.fitSeconds() / ours.seconds() * 100) / 100.0);
        details.put("ours_vs_lifetimes_cpu_speed_up_x",
                Math.round(theirs.fitCpuSeconds() / ours.cpuSeconds() * 100) / 100.0);
        details.put("max_relative_parameter_difference_pct",
                String.format(Locale.ROOT, "%.4f", 100 * FitBench.maxRelativeDifference(p, theirs)));
        details.put("process_seconds", Math.round(theirs.wallSeconds() * 100) / 100.0);
        StageResult theirsStage = new StageResult("baseline: lifetimes BG/NBD fit (same customers)",
                theirs.fitSeconds(), theirs.customers(), "buyers", null, null, details);
        return List.of(oursStage, theirsStage);
    }

    private static Map<String, Object> parameters(double r, double alpha, double a, double b, double logLikelihood) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("r", String.format(Locale.ROOT, "%.5f", r));
        d.put("alpha", String.format(Locale.ROOT, "%.5f", alpha));
        d.put("a", String.format(Locale.ROOT, "%.5f", a));
        d.put("b", String.format(Locale.ROOT, "%.5f", b));
        d.put("log_likelihood", String.format(Locale.ROOT, "%.3f", logLikelihood));
        return d;
    }
}
