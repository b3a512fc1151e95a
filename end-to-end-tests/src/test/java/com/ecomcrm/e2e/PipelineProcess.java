package com.ecomcrm.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a main class of the pipelines module the way operators and Airflow run it: in its own JVM, on the runtime
 * classpath Maven wrote at package time (Spark's dependencies stay out of this test's classpath, which carries
 * Vert.x's newer Netty).
 */
final class PipelineProcess {
    private final Path repositoryRoot;
    private final Map<String, String> environment;
    private final Path logDirectory;
    /** Null: the module's classes and the runtime classpath Maven wrote. */
    private final String classpath;
    private final java.time.Duration timeout;

    PipelineProcess(Path repositoryRoot, Map<String, String> environment, Path logDirectory) {
        this(repositoryRoot, environment, logDirectory, null, java.time.Duration.ofMinutes(15));
    }

    /**
     * On the given classpath (e.g. a private copy of the project's jars that other builds cannot replace mid-run),
     * giving up on a run after {@code timeout}.
     */
    PipelineProcess(Path repositoryRoot, Map<String, String> environment, Path logDirectory, String classpath,
                    java.time.Duration timeout) {
        this.repositoryRoot = repositoryRoot;
        this.environment = Map.copyOf(environment);
        this.logDirectory = logDirectory;
        this.classpath = classpath;
        this.timeout = timeout;
    }

    /** Runs the nightly pipeline for the logical date; fails with the tail of its log if it does not exit 0. */
    String nightly(LocalDate asOf, Path landing, String runName) throws IOException, InterruptedException {
        return run("com.ecomcrm.pipelines.NightlyPipeline", runName,
                "--date", asOf.toString(), "--landing", landing.toString());
    }

    String run(String mainClass, String runName, String... args) throws IOException, InterruptedException {
        Path module = repositoryRoot.resolve("pipelines");
        Path classpathFile = module.resolve("target/runtime-classpath.txt");
        if (!Files.exists(classpathFile)) {
            throw new IllegalStateException("Cannot run the pipeline: " + classpathFile
                    + " is missing; build with `mvn package` (or `make test`) first");
        }
        String opens = sparkOpens(repositoryRoot.resolve("pom.xml"));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx3g");
        command.addAll(List.of(opens.trim().split("\\s+")));
        command.add("-cp");
        command.add(classpath != null ? classpath
                : module.resolve("target/classes") + ":" + Files.readString(classpathFile).trim());
        command.add(mainClass);
        command.addAll(List.of(args));
        Path log = logDirectory.resolve(runName + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(repositoryRoot.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(mainClass + " did not finish in " + timeout + "; log " + log);
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new AssertionError(mainClass + " exited " + process.exitValue() + "; log " + log + ":\n"
                    + tail(output, 80));
        }
        return output;
    }

    static String sparkOpens(Path pom) throws IOException {
        Matcher matcher = Pattern.compile("<spark.jvm.opens>(.*?)</spark.jvm.opens>", Pattern.DOTALL)
                .matcher(Files.readString(pom));
        if (!matcher.find()) {
            throw new IllegalStateException("Cannot find spark.jvm.opens in " + pom);
        }
        return matcher.group(1);
    }

    private static String tail(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", List.of(all).subList(Math.max(0, all.length - lines), all.length));
    }
}
