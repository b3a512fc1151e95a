package com.ecomcrm.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The nightly pipeline, run the way operators and Airflow run it: {@code com.ecomcrm.pipelines.NightlyPipeline} in
 * its own JVM on the pipelines module's runtime classpath. The whole process is timed; its peak resident memory is
 * read from {@code /proc/<pid>/status} (VmHWM, the high-water mark, and VmRSS) every 200 ms; and any per-stage timings
 * it prints are parsed from its machine-readable {@code NIGHTLY} lines.
 */
public final class PipelineRun {
    public static final String MAIN_CLASS = "com.ecomcrm.pipelines.NightlyPipeline";
    private static final Pattern MEMORY = Pattern.compile("^(VmHWM|VmRSS):\\s+(\\d+) kB", Pattern.MULTILINE);

    private final Path repositoryRoot;
    private final Map<String, String> environment;
    private final String maxHeap;

    public PipelineRun(Path repositoryRoot, Map<String, String> environment, String maxHeap) {
        this.repositoryRoot = repositoryRoot;
        this.environment = Map.copyOf(environment);
        this.maxHeap = maxHeap;
    }

    /** Whether the pipeline can be run at all (module built, main class compiled). */
    public String missing() {
        Path module = repositoryRoot.resolve("pipelines");
        if (!Files.exists(module.resolve("target/runtime-classpath.txt"))) {
            return "pipelines/target/runtime-classpath.txt is missing (build the pipelines module)";
        }
        if (!Files.exists(module.resolve("target/classes/" + MAIN_CLASS.replace('.', '/') + ".class"))) {
            return MAIN_CLASS + " is not built yet";
        }
        return null;
    }

    public StageResult nightly(LocalDate asOf, Path landing, Path log, long inputRows) throws IOException,
            InterruptedException {
        return nightly("nightly pipeline (child JVM)", asOf, landing, log, inputRows);
    }

    /** The nightly for {@code asOf}, reported as the stage {@code name}. */
    public StageResult nightly(String name, LocalDate asOf, Path landing, Path log, long inputRows)
            throws IOException, InterruptedException {
        Path module = repositoryRoot.resolve("pipelines");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + maxHeap);
        // Extra options for the child, e.g. a JFR recording of the nightly: BENCH_PIPELINE_JAVA_OPTS=
        // "-XX:StartFlightRecording=filename=var/bench-medium/nightly.jfr,settings=profile".
        String extra = environment.getOrDefault("BENCH_PIPELINE_JAVA_OPTS", "").trim();
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));
        }
        command.addAll(List.of(sparkOpens().trim().split("\\s+")));
        command.add("-cp");
        command.add(module.resolve("target/classes") + ":"
                + Files.readString(module.resolve("target/runtime-classpath.txt")).trim());
        command.add(MAIN_CLASS);
        command.addAll(List.of("--date", asOf.toString(), "--landing", landing.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(repositoryRoot.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);

        long start = System.nanoTime();
        Process process = builder.start();
        Path status = Path.of("/proc", Long.toString(process.pid()), "status");
        long peakKb = 0;
        // The child's CPU (user + system, all threads), last read before it exits: on a shared machine the wall
        // clock moves with others' load, the CPU seconds much less.
        java.time.Duration cpu = java.time.Duration.ZERO;
        while (!process.waitFor(200, TimeUnit.MILLISECONDS)) {
            peakKb = Math.max(peakKb, peakKb(status));
            cpu = process.info().totalCpuDuration().orElse(cpu);
            if (System.nanoTime() - start > TimeUnit.HOURS.toNanos(3)) {
                process.destroyForcibly();
                throw new IllegalStateException(MAIN_CLASS + " did not finish in 3 hours; log " + log);
            }
        }
        StageResult stage = StageResult.timed(name, start, inputRows, "input records");
        String output = Files.readString(log, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IllegalStateException(MAIN_CLASS + " exited " + process.exitValue() + "; log " + log + ":\n"
                    + tail(output, 60));
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("max_heap", maxHeap);
        details.put("cpu_seconds", Math.round(cpu.toMillis() / 100.0) / 10.0);
        details.put("log", repositoryRoot.relativize(log).toString());
        Map<String, Map<String, Object>> stages = stages(output);
        details.put("stages", stages.isEmpty()
                ? "not reported (no stage table in the pipeline's output); whole process timed"
                : stages);
        return stage.with(null, peakKb == 0 ? null : Math.round(peakKb / 102.4) / 10.0, details);
    }

    /**
     * stage name -> its figures, from the pipeline's machine-readable lines
     * ({@code NIGHTLY stage=<name> seconds=<s> status=<ok|failed> <key>=<value>...}); empty if there are none.
     */
    static Map<String, Map<String, Object>> stages(String output) {
        Map<String, Map<String, Object>> stages = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            if (!line.startsWith("NIGHTLY ")) {
                continue;
            }
            Map<String, Object> figures = new LinkedHashMap<>();
            String stage = null;
            for (String pair : line.substring("NIGHTLY ".length()).trim().split("\\s+")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                String key = pair.substring(0, eq);
                String value = pair.substring(eq + 1);
                if (key.equals("stage")) {
                    stage = value;
                }
                else {
                    figures.put(key, numberOrText(value));
                }
            }
            if (stage != null) {
                stages.put(stage, figures);
            }
        }
        return stages;
    }

    private static Object numberOrText(String value) {
        try {
            return value.contains(".") ? Double.parseDouble(value) : Long.parseLong(value);
        }
        catch (NumberFormatException e) {
            return value;
        }
    }

    private static long peakKb(Path status) {
        try {
            long peak = 0;
            Matcher m = MEMORY.matcher(Files.readString(status));
            while (m.find()) {
                peak = Math.max(peak, Long.parseLong(m.group(2)));
            }
            return peak;
        }
        catch (IOException | RuntimeException e) {
            return 0; // the process has just exited
        }
    }

    private String sparkOpens() throws IOException {
        Matcher matcher = Pattern.compile("<spark.jvm.opens>(.*?)</spark.jvm.opens>", Pattern.DOTALL)
                .matcher(Files.readString(repositoryRoot.resolve("pom.xml")));
        if (!matcher.find()) {
            throw new IllegalStateException("Cannot find spark.jvm.opens in the root pom.xml");
        }
        return matcher.group(1);
    }

    private static String tail(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", List.of(all).subList(Math.max(0, all.length - lines), all.length));
    }
}
