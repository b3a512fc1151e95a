package com.ecomcrm.testing.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a {@link SparkStandaloneCluster} in the foreground until this JVM is asked to stop (SIGTERM, Ctrl-C), then
 * stops the workers and the master with it. {@code bin/spark-cluster} runs it in the background:
 *
 * <pre>SparkClusterMain --dir DIR --classpath CP [--workers N] [--cores C] [--memory 1g] [--jvm-option OPT]...</pre>
 *
 * <p>Once the cluster is up it writes {@code DIR/master-url} (the {@code spark://} URL for {@code SPARK_MASTER}) and
 * {@code DIR/master-ui} and prints both; exit code 2 on bad arguments, 1 when the cluster does not come up.
 */
public final class SparkClusterMain {
    private SparkClusterMain() {
    }

    public static void main(String[] args) throws Exception {
        SparkStandaloneCluster.Options options;
        try {
            options = parse(args);
        }
        catch (IllegalArgumentException e) {
            System.err.println("SparkClusterMain: " + e.getMessage());
            System.err.println("usage: SparkClusterMain --dir DIR --classpath CP [--workers N] [--cores C]"
                    + " [--memory 1g] [--jvm-option OPT]...");
            System.exit(2);
            return;
        }
        SparkStandaloneCluster cluster;
        try {
            cluster = SparkStandaloneCluster.start(options);
        }
        catch (RuntimeException e) {
            System.err.println("SparkClusterMain: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.close();
            stopped.countDown();
        }, "spark-cluster-stop"));
        write(options.directory().resolve("master-url"), cluster.masterUrl());
        write(options.directory().resolve("master-ui"), cluster.masterWebUrl().toString());
        System.out.println("SPARK_MASTER=" + cluster.masterUrl());
        System.out.println("MASTER_UI=" + cluster.masterWebUrl());
        System.out.println("workers alive: " + cluster.aliveWorkers());
        System.out.flush();
        stopped.await();
    }

    static SparkStandaloneCluster.Options parse(String[] args) {
        Path dir = null;
        String classpath = null;
        int workers = 2;
        int cores = 1;
        String memory = "1g";
        List<String> jvmOptions = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            String value = args[++i];
            switch (name) {
                case "--dir" -> dir = Path.of(value);
                case "--classpath" -> classpath = value;
                case "--workers" -> workers = positive(name, value);
                case "--cores" -> cores = positive(name, value);
                case "--memory" -> memory = value;
                case "--jvm-option" -> jvmOptions.add(value);
                default -> throw new IllegalArgumentException("unknown argument '" + name + "'");
            }
        }
        if (dir == null || classpath == null) {
            throw new IllegalArgumentException("--dir and --classpath are required");
        }
        SparkStandaloneCluster.Options defaults = SparkStandaloneCluster.Options.twoSmallWorkers(classpath, dir,
                jvmOptions);
        return new SparkStandaloneCluster.Options(classpath, dir, jvmOptions, workers, cores, memory,
                defaults.startTimeout());
    }

    private static int positive(String name, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        }
        catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(name + " '" + value + "' is not a positive number");
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text + "\n");
    }
}
