package com.ecomcrm.bench.baseline;

import com.ecomcrm.models.BgNbd;
import com.ecomcrm.models.BgNbdFit;
import com.ecomcrm.models.BgNbdParameters;
import com.ecomcrm.models.CustomerHistory;
import com.ecomcrm.models.HistoryGroup;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.management.OperatingSystemMXBean;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The BG/NBD fit benchmark ({@code bin/bench-fit}): our grouped fit (models module: {@link BgNbd#groups} then
 * {@link BgNbdFit#fitGroups}) on a million customers simulated from CDNOW-like parameters, timed end to end, against
 * the Python {@code lifetimes} package on the same customers. Target (issue #10): under 30 s and at least 10 times
 * faster than lifetimes.
 *
 * <p>lifetimes is first run on the first 100,000 customers; if ten times that would exceed the 10-minute budget, the
 * million-customer figure is extrapolated linearly from it (and the results say so), otherwise lifetimes is run on
 * all of them. Results: {@code bench/fit-results.json} and {@code bench/fit-results.md}.
 */
public final class FitBench {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int PROBE_CUSTOMERS = 100_000;
    private static final double LIFETIMES_BUDGET_SECONDS = 600;
    private static final double TARGET_SECONDS = 30;
    private static final double TARGET_SPEED_UP = 10;

    private FitBench() {
    }

    /**
     * One timed fit of ours: grouping, then the optimisation (wall clock), and the JVM's CPU time over both (JIT and
     * GC threads included, as Python's process time includes everything of its process).
     */
    record OurFit(double groupingSeconds, double optimisationSeconds, double cpuSeconds, int groups,
                  BgNbdParameters parameters) {
        double seconds() {
            return groupingSeconds + optimisationSeconds;
        }
    }

    public static void main(String[] args) throws Exception {
        int customers = 1_000_000;
        long seed = 20261010L;
        Path out = Path.of("bench");
        boolean lifetimes = true;
        int probe = PROBE_CUSTOMERS;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--customers" -> customers = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--probe" -> probe = Integer.parseInt(args[++i]);
                case "--no-lifetimes" -> lifetimes = false;
                default -> {
                    System.err.println("usage: FitBench [--customers N] [--seed S] [--probe N] [--no-lifetimes]"
                            + " [--out DIR]");
                    System.exit(2);
                }
            }
        }
        Path root = Path.of("").toAbsolutePath();
        ObjectNode report = JSON.createObjectNode();
        List<String> md = new ArrayList<>();
        report.put("timestamp", Instant.now().toString());
        report.put("customers", customers);
        report.put("seed", seed);
        report.put("load_average_at_start", Files.readString(Path.of("/proc/loadavg")).trim());
        report.put("nproc", Runtime.getRuntime().availableProcessors());
        BgNbdSimulation simulation = BgNbdSimulation.cdnowLike();
        BgNbdParameters truth = simulation.truth();
        report.set("truth", parameters(truth));

        long start = System.nanoTime();
        List<CustomerHistory> histories = simulation.customers(customers, seed);
        report.put("simulation_seconds", seconds(start));
        System.out.printf(Locale.ROOT, "simulated %,d customers in %.1f s%n", customers, seconds(start));

        OurFit cold = ourFit(histories);
        OurFit warm = ourFit(histories);
        ObjectNode ours = report.putObject("ours");
        ours.put("groups", cold.groups());
        ours.put("cold_seconds", round(cold.seconds()));
        ours.put("cold_cpu_seconds", round(cold.cpuSeconds()));
        ours.put("cold_grouping_seconds", round(cold.groupingSeconds()));
        ours.put("cold_optimisation_seconds", round(cold.optimisationSeconds()));
        ours.put("warm_seconds", round(warm.seconds()));
        ours.put("warm_cpu_seconds", round(warm.cpuSeconds()));
        ours.put("iterations", cold.parameters().iterations());
        ours.put("converged", cold.parameters().converged());
        ours.set("parameters", parameters(cold.parameters()));
        System.out.printf(Locale.ROOT, "ours: %.2f s cold (grouping %.2f + optimisation %.2f, %,d groups), %.2f s warm%n",
                cold.seconds(), cold.groupingSeconds(), cold.optimisationSeconds(), cold.groups(), warm.seconds());

        md.add("# BG/NBD fit benchmark\n");
        md.add(String.format(Locale.ROOT, "%s; %d CPUs, load average at start %s; %,d customers simulated from"
                        + " CDNOW's parameters (seed %d), %,d distinct (x, t_x, T) groups.%n",
                report.get("timestamp").asText(), Runtime.getRuntime().availableProcessors(),
                report.get("load_average_at_start").asText(), customers, seed, cold.groups()));
        md.add("| fit | customers | seconds | CPU seconds | r | alpha | a | b | log-likelihood |");
        md.add("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        md.add(row("truth (simulating parameters)", customers, Double.NaN, Double.NaN, truth, Double.NaN));
        md.add(row("ours, cold JVM (grouping + optimisation)", customers, cold.seconds(), cold.cpuSeconds(),
                cold.parameters(), cold.parameters().logLikelihood()));
        md.add(row("ours, second run (warm JVM)", customers, warm.seconds(), warm.cpuSeconds(), warm.parameters(),
                warm.parameters().logLikelihood()));

        List<String> notes = new ArrayList<>();
        String verdictLine;
        if (!lifetimes) {
            verdictLine = "lifetimes: not run (--no-lifetimes)";
        }
        else {
            LifetimesFit python = new LifetimesFit(root);
            String missing = python.missing();
            if (missing != null) {
                verdictLine = "lifetimes: NOT RUN, " + missing;
            }
            else {
                Path work = Files.createDirectories(root.resolve("var/bench-fit"));
                int probeSize = Math.min(probe, customers);
                List<CustomerHistory> probeHistories = histories.subList(0, probeSize);
                Path probeCsv = work.resolve("customers-" + probeSize + ".csv");
                HistoryCsv.write(probeHistories, probeCsv);
                LifetimesFit.Result small = python.fit(probeCsv, work.resolve("lifetimes-" + probeSize + ".log"),
                        60);
                OurFit oursSmall = ourFit(probeHistories);
                md.add(row("lifetimes", probeSize, small.fitSeconds(), small.fitCpuSeconds(), small));
                md.add(row("ours on the same customers", probeSize, oursSmall.seconds(), oursSmall.cpuSeconds(),
                        oursSmall.parameters(), oursSmall.parameters().logLikelihood()));
                report.set("lifetimes_probe", lifetimes(small));
                report.put("ours_probe_seconds", round(oursSmall.seconds()));
                report.set("ours_probe_parameters", parameters(oursSmall.parameters()));
                double predicted = small.fitSeconds() * customers / probeSize;
                double lifetimesSeconds;
                double lifetimesCpuSeconds = small.fitCpuSeconds() * customers / probeSize;
                String basis;
                BgNbdParameters compareWith;
                LifetimesFit.Result compared;
                if (customers == probeSize) {
                    lifetimesSeconds = small.fitSeconds();
                    lifetimesCpuSeconds = small.fitCpuSeconds();
                    basis = "measured";
                    compareWith = oursSmall.parameters();
                    compared = small;
                }
                else if (predicted <= LIFETIMES_BUDGET_SECONDS) {
                    Path csv = work.resolve("customers-" + customers + ".csv");
                    HistoryCsv.write(histories, csv);
                    LifetimesFit.Result full = python.fit(csv, work.resolve("lifetimes-" + customers + ".log"), 60);
                    md.add(row("lifetimes", customers, full.fitSeconds(), full.fitCpuSeconds(), full));
                    report.set("lifetimes", lifetimes(full));
                    lifetimesSeconds = full.fitSeconds();
                    lifetimesCpuSeconds = full.fitCpuSeconds();
                    basis = "measured";
                    compareWith = cold.parameters();
                    compared = full;
                }
                else {
                    lifetimesSeconds = predicted;
                    basis = String.format(Locale.ROOT, "EXTRAPOLATED linearly from %,d customers (%.1f s x %d):"
                            + " at %,d it would exceed the %.0f-minute budget", probeSize, small.fitSeconds(),
                            customers / probeSize, customers, LIFETIMES_BUDGET_SECONDS / 60);
                    compareWith = oursSmall.parameters();
                    compared = small;
                    notes.add("lifetimes at " + customers + " customers: " + basis);
                }
                // lifetimes given the aggregation our fit starts with (pandas groupby + weights), at full size: the
                // same work on both sides when both group; reported beside the standard per-customer fit.
                Path fullCsv = work.resolve("customers-" + customers + ".csv");
                if (!Files.exists(fullCsv)) {
                    HistoryCsv.write(histories, fullCsv);
                }
                LifetimesFit.Result grouped = python.fitGrouped(fullCsv,
                        work.resolve("lifetimes-grouped-" + customers + ".log"), 60);
                md.add(row("lifetimes, grouped first (pandas groupby + weights, groupby timed)", customers,
                        grouped.fitSeconds(), grouped.fitCpuSeconds(), grouped));
                report.set("lifetimes_grouped", lifetimes(grouped));
                notes.add(String.format(Locale.ROOT, "lifetimes given the same (x, t_x, T) grouping (pandas groupby"
                                + " and `weights`, the groupby timed): %.2f s, %.2f CPU s; ours %.2f s cold: %.1fx by"
                                + " the wall clock, %.1fx by CPU time", grouped.fitSeconds(), grouped.fitCpuSeconds(),
                        cold.seconds(), grouped.fitSeconds() / cold.seconds(),
                        grouped.fitCpuSeconds() / cold.cpuSeconds()));
                double speedUp = lifetimesSeconds / cold.seconds();
                double cpuSpeedUp = lifetimesCpuSeconds / cold.cpuSeconds();
                ObjectNode comparison = report.putObject("comparison");
                comparison.put("lifetimes_seconds_at_full_size", round(lifetimesSeconds));
                comparison.put("lifetimes_cpu_seconds_at_full_size", round(lifetimesCpuSeconds));
                comparison.put("cpu_speed_up_x", round(cpuSpeedUp));
                comparison.put("lifetimes_basis", basis);
                comparison.put("speed_up_x", round(speedUp));
                comparison.put("parameters_compared_at_customers", compared.customers());
                comparison.put("max_relative_parameter_difference", round(maxRelativeDifference(compareWith,
                        compared), 6));
                comparison.put("log_likelihood_difference", round(compareWith.logLikelihood()
                        - compared.logLikelihood(), 4));
                verdictLine = String.format(Locale.ROOT, "lifetimes at %,d customers: %.1f s (%s); ours %.2f s cold:"
                                + " **%.1fx** faster by the wall clock, %.1fx by CPU time (%.1f s against %.1f s)."
                                + " Parameters (at %,d customers) differ by at most %.4f%% (relative);"
                                + " log-likelihood ours minus lifetimes %.4f.", customers, lifetimesSeconds, basis,
                        cold.seconds(), speedUp, cpuSpeedUp, lifetimesCpuSeconds, cold.cpuSeconds(),
                        compared.customers(),
                        100 * maxRelativeDifference(compareWith, compared),
                        compareWith.logLikelihood() - compared.logLikelihood());
                boolean met = cold.seconds() < TARGET_SECONDS && speedUp >= TARGET_SPEED_UP;
                report.put("target_met", met);
                notes.add(String.format(Locale.ROOT, "target (under %.0f s and at least %.0fx faster than"
                        + " lifetimes): %s", TARGET_SECONDS, TARGET_SPEED_UP, met ? "MET" : "MISSED"));
            }
        }
        md.add("");
        md.add("- " + verdictLine);
        for (String note : notes) {
            md.add("- " + note);
        }
        md.add("- seconds of lifetimes are its `BetaGeoFitter.fit` alone, timed inside Python (reading the CSV"
                + " excluded); ours are `BgNbd.groups` + `BgNbdFit.fitGroups` from the in-memory histories. CPU"
                + " seconds are each process's CPU time over the same span (Python's process_time; the JVM's process"
                + " CPU time, JIT and GC threads included): less sensitive to other work on the machine. The target"
                + " verdict uses the wall clock.");
        md.add("- load average at the end: " + Files.readString(Path.of("/proc/loadavg")).trim()
                + " (other work on the machine makes every figure pessimistic)");
        report.putPOJO("notes", notes);
        Files.createDirectories(out);
        Files.writeString(out.resolve("fit-results.json"), JSON.writeValueAsString(report) + "\n");
        Files.writeString(out.resolve("fit-results.md"), String.join("\n", md) + "\n");
        System.out.println(String.join("\n", md));
        System.out.println("Written: " + out.resolve("fit-results.json") + ", " + out.resolve("fit-results.md"));
    }

    static OurFit ourFit(List<CustomerHistory> histories) {
        long cpuStart = processCpuNanos();
        long start = System.nanoTime();
        List<HistoryGroup> groups = BgNbd.groups(histories);
        double grouping = seconds(start);
        start = System.nanoTime();
        BgNbdParameters parameters = BgNbdFit.fitGroups(groups);
        double optimisation = seconds(start);
        return new OurFit(grouping, optimisation, (processCpuNanos() - cpuStart) / 1e9, groups.size(), parameters);
    }

    private static long processCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static double maxRelativeDifference(BgNbdParameters ours, LifetimesFit.Result theirs) {
        double[][] pairs = {{ours.r(), theirs.r()}, {ours.alpha(), theirs.alpha()}, {ours.a(), theirs.a()},
                {ours.b(), theirs.b()}};
        double max = 0;
        for (double[] pair : pairs) {
            max = Math.max(max, Math.abs(pair[0] - pair[1]) / Math.abs(pair[1]));
        }
        return max;
    }

    private static ObjectNode parameters(BgNbdParameters p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("r", p.r());
        n.put("alpha", p.alpha());
        n.put("a", p.a());
        n.put("b", p.b());
        if (Double.isFinite(p.logLikelihood())) {
            n.put("log_likelihood", p.logLikelihood());
        }
        return n;
    }

    private static ObjectNode lifetimes(LifetimesFit.Result l) {
        ObjectNode n = JSON.createObjectNode();
        n.put("customers", l.customers());
        n.put("fit_seconds", round(l.fitSeconds()));
        n.put("fit_cpu_seconds", round(l.fitCpuSeconds()));
        n.put("read_seconds", round(l.readSeconds()));
        n.put("process_seconds", round(l.wallSeconds()));
        n.put("r", l.r());
        n.put("alpha", l.alpha());
        n.put("a", l.a());
        n.put("b", l.b());
        n.put("log_likelihood", l.logLikelihood());
        return n;
    }

    private static String row(String name, long customers, double seconds, double cpuSeconds, BgNbdParameters p,
                              double logLikelihood) {
        return String.format(Locale.ROOT, "| %s | %,d | %s | %s | %.4f | %.4f | %.4f | %.4f | %s |", name, customers,
                seconds(seconds), seconds(cpuSeconds), p.r(), p.alpha(), p.a(), p.b(),
                Double.isNaN(logLikelihood) ? "" : String.format(Locale.ROOT, "%.2f", logLikelihood));
    }

    private static String row(String name, long customers, double seconds, double cpuSeconds, LifetimesFit.Result l) {
        return String.format(Locale.ROOT, "| %s | %,d | %s | %s | %.4f | %.4f | %.4f | %.4f | %.2f |", name,
                customers, seconds(seconds), seconds(cpuSeconds), l.r(), l.alpha(), l.a(), l.b(), l.logLikelihood());
    }

    private static String seconds(double value) {
        return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.2f", value);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static double round(double value) {
        return round(value, 3);
    }

    private static double round(double value, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(value * f) / f;
    }
}
