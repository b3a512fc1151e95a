package com.ecomcrm.bench.baseline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * BG/NBD fitted by the Python {@code lifetimes} package, the baseline our fit is compared with: runs
 * {@code bench/lifetimes/fit_bgnbd.py} in the venv that {@code bin/lifetimes-env} builds (var/venv-lifetimes) on a
 * CSV written by {@link HistoryCsv}, and reads back the one JSON object it prints.
 */
public final class LifetimesFit {
    private final Path repositoryRoot;
    private final Path python;

    public LifetimesFit(Path repositoryRoot) {
        this.repositoryRoot = requireNonNull(repositoryRoot, "repositoryRoot is null");
        String venv = System.getenv("ECOMCRM_LIFETIMES_VENV");
        this.python = (venv == null ? repositoryRoot.resolve("var/venv-lifetimes") : Path.of(venv))
                .resolve("bin/python");
    }

    /** Why the baseline cannot run (the venv is missing), or null when it can. */
    public String missing() {
        return Files.isExecutable(python) ? null
                : python + " is missing: run bin/lifetimes-env (needs Python 3.11 and PyPI)";
    }

    /**
     * lifetimes' fit of the customers in {@code csv}.
     *
     * @param fitSeconds  the fit alone, timed inside Python ({@code BetaGeoFitter.fit})
     * @param fitCpuSeconds the CPU time of the Python process during the fit (less sensitive to other work on the
     *                    machine than the wall clock)
     * @param readSeconds reading the CSV into pandas, timed inside Python
     * @param wallSeconds the whole child process (interpreter start and imports included)
     */
    public record Result(long customers, double r, double alpha, double a, double b, double logLikelihood,
                         double fitSeconds, double fitCpuSeconds, double readSeconds, double wallSeconds) {
    }

    public Result fit(Path csv, Path log, long timeoutMinutes) throws IOException, InterruptedException {
        return run(csv, log, timeoutMinutes, List.of());
    }

    /**
     * lifetimes' fit of the same customers aggregated first into (frequency, recency, T) rows with counts by a pandas
     * groupby (timed within {@code fitSeconds}), passed as lifetimes' {@code weights}: the form lifetimes documents
     * for large data, and the same aggregation our fit starts with.
     */
    public Result fitGrouped(Path csv, Path log, long timeoutMinutes) throws IOException, InterruptedException {
        return run(csv, log, timeoutMinutes, List.of("--grouped"));
    }

    private Result run(Path csv, Path log, long timeoutMinutes, List<String> options)
            throws IOException, InterruptedException {
        String unavailable = missing();
        if (unavailable != null) {
            throw new IllegalStateException("Cannot run the lifetimes baseline: " + unavailable);
        }
        List<String> command = new ArrayList<>(List.of(python.toString(),
                repositoryRoot.resolve("bench/lifetimes/fit_bgnbd.py").toString(), csv.toString()));
        command.addAll(options);
        Path out = Files.createTempFile("lifetimes-", ".json");
        try {
            long start = System.nanoTime();
            Process process = new ProcessBuilder(command).directory(repositoryRoot.toFile())
                    .redirectOutput(out.toFile()).redirectError(log.toFile()).start();
            if (!process.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("lifetimes did not finish in " + timeoutMinutes + " minutes on "
                        + csv + "; log " + log);
            }
            double wall = (System.nanoTime() - start) / 1e9;
            String output = Files.readString(out, StandardCharsets.UTF_8).trim();
            if (process.exitValue() != 0 || output.isEmpty()) {
                throw new IllegalStateException("lifetimes exited " + process.exitValue() + "; log " + log + ":\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
            return parse(output.substring(output.lastIndexOf('\n') + 1), wall);
        }
        finally {
            Files.deleteIfExists(out);
        }
    }

    static Result parse(String json, double wallSeconds) throws IOException {
        JsonNode n = new ObjectMapper().readTree(json);
        return new Result(n.get("customers").asLong(), n.get("r").asDouble(), n.get("alpha").asDouble(),
                n.get("a").asDouble(), n.get("b").asDouble(), n.get("log_likelihood").asDouble(),
                n.get("fit_seconds").asDouble(), n.path("fit_cpu_seconds").asDouble(Double.NaN),
                n.get("read_seconds").asDouble(), wallSeconds);
    }
}
