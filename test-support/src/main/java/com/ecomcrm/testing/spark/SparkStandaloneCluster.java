package com.ecomcrm.testing.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * A Spark standalone cluster on loopback, started from the project's own dependencies: one master and N workers
 * ({@code org.apache.spark.deploy.master.Master}, {@code org.apache.spark.deploy.worker.Worker}) as child JVMs on the
 * classpath given (the pipelines module's runtime classpath), no Spark distribution and nothing downloaded.
 *
 * <p>Layout under {@code directory}: {@code home/} (a minimal {@code SPARK_HOME}: the worker's launcher insists on a
 * {@code jars/} folder there, which stays empty because executors get the application's classpath from
 * {@code spark.executor.extraClassPath}), {@code logs/master.log}, {@code logs/worker-<i>.log}, and each worker's
 * work directory {@code worker-<i>/}, where every executor leaves {@code <app id>/<executor id>/stderr}.
 *
 * <p>Ports are chosen free at start; the master's web UI answers JSON at {@code /json/}, which is how the tests prove
 * an application really ran here (applications, cores, workers).
 */
public final class SparkStandaloneCluster implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String HOST = "127.0.0.1";

    /**
     * How to start the cluster.
     *
     * @param classpath    the classpath of the master, the workers (and, through the driver, the executors)
     * @param directory    where home, logs and work directories go; created if missing
     * @param jvmOptions   options for each daemon JVM (Java 17 needs Spark's --add-opens)
     * @param workers      how many workers
     * @param workerCores  cores each worker offers
     * @param workerMemory memory each worker offers to executors, in Spark's notation ({@code 1g}, {@code 768m})
     * @param startTimeout how long to wait for the master to be alive and every worker registered
     */
    public record Options(String classpath, Path directory, List<String> jvmOptions, int workers, int workerCores,
                          String workerMemory, Duration startTimeout) {
        public Options {
            requireNonNull(classpath, "classpath is null");
            directory = requireNonNull(directory, "directory is null").toAbsolutePath().normalize();
            jvmOptions = List.copyOf(requireNonNull(jvmOptions, "jvmOptions is null"));
            requireNonNull(workerMemory, "workerMemory is null");
            requireNonNull(startTimeout, "startTimeout is null");
            if (workers < 1 || workerCores < 1) {
                throw new IllegalArgumentException("Cannot start a cluster of " + workers + " workers with "
                        + workerCores + " cores: both must be at least 1");
            }
        }

        /** Two workers of one core and 1 GB each: the smallest cluster where work really spreads. */
        public static Options twoSmallWorkers(String classpath, Path directory, List<String> jvmOptions) {
            return new Options(classpath, directory, jvmOptions, 2, 1, "1g", Duration.ofMinutes(2));
        }
    }

    /** An application as the master reports it. */
    public record Application(String id, String name, String state, int cores) {
        public Application {
            requireNonNull(id, "id is null");
            requireNonNull(name, "name is null");
            requireNonNull(state, "state is null");
        }
    }

    private final Options options;
    private final int masterPort;
    private final int masterWebPort;
    private final List<Process> processes = new ArrayList<>();
    /** Stops the daemons if this JVM exits without closing the cluster: child processes would outlive it. */
    private final Thread stopAtExit = new Thread(this::close, "spark-cluster-stop-at-exit");

    private SparkStandaloneCluster(Options options, int masterPort, int masterWebPort) {
        this.options = options;
        this.masterPort = masterPort;
        this.masterWebPort = masterWebPort;
    }

    /** Starts the master, then the workers, and returns once every worker is registered and alive. */
    public static SparkStandaloneCluster start(Options options) {
        requireNonNull(options, "options is null");
        SparkStandaloneCluster cluster = new SparkStandaloneCluster(options, freePort(), freePort());
        Runtime.getRuntime().addShutdownHook(cluster.stopAtExit);
        try {
            cluster.startAll();
            return cluster;
        }
        catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private void startAll() {
        try {
            Files.createDirectories(options.directory().resolve("home/jars"));
            Files.createDirectories(options.directory().resolve("logs"));
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare " + options.directory() + ": " + e.getMessage(), e);
        }
        processes.add(launch("master", "org.apache.spark.deploy.master.Master", List.of(
                "--host", HOST, "--port", Integer.toString(masterPort),
                "--webui-port", Integer.toString(masterWebPort))));
        awaitStatus(status -> "ALIVE".equals(status.path("status").asText()), "the master to be alive");
        for (int i = 1; i <= options.workers(); i++) {
            Path work = options.directory().resolve("worker-" + i);
            try {
                Files.createDirectories(work);
            }
            catch (IOException e) {
                throw new UncheckedIOException("Cannot create " + work + ": " + e.getMessage(), e);
            }
            // Port 0: each worker's RPC and web UI ports are chosen by the OS; the master tells them to us.
            processes.add(launch("worker-" + i, "org.apache.spark.deploy.worker.Worker", List.of(
                    "--host", HOST, "--port", "0", "--webui-port", "0",
                    "--cores", Integer.toString(options.workerCores()), "--memory", options.workerMemory(),
                    "--work-dir", work.toString(), masterUrl())));
        }
        awaitStatus(status -> status.path("aliveworkers").asInt() == options.workers(),
                options.workers() + " workers to register");
    }

    private Process launch(String name, String mainClass, List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The daemons only schedule and launch; the work happens in the executors the workers start.
        command.add("-Xmx256m");
        command.addAll(options.jvmOptions());
        command.add("-cp");
        command.add(options.classpath());
        command.add(mainClass);
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).directory(options.directory().toFile())
                .redirectErrorStream(true)
                .redirectOutput(options.directory().resolve("logs/" + name + ".log").toFile());
        Map<String, String> env = builder.environment();
        env.put("SPARK_HOME", options.directory().resolve("home").toString());
        env.put("SPARK_LOCAL_IP", HOST);
        env.put("SPARK_SCALA_VERSION", "2.13");
        // The daemons must not pick up a driver's settings from the caller's environment.
        env.remove("SPARK_MASTER");
        env.remove("SPARK_CONF_DIR");
        try {
            return builder.start();
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot start the Spark " + name + ": " + e.getMessage(), e);
        }
    }

    private void awaitStatus(Predicate<JsonNode> condition, String what) {
        long deadline = System.nanoTime() + options.startTimeout().toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            for (Process process : processes) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("Cannot start the Spark cluster: a daemon exited with "
                            + process.exitValue() + " while waiting for " + what + "; see "
                            + options.directory().resolve("logs"));
                }
            }
            try {
                JsonNode status = status();
                if (condition.test(status)) {
                    return;
                }
                last = status.toString();
            }
            catch (UncheckedIOException e) {
                last = e.getMessage();
            }
            sleep(Duration.ofMillis(500));
        }
        throw new IllegalStateException("Cannot start the Spark cluster: gave up waiting " + options.startTimeout()
                + " for " + what + "; last status: " + last + "; logs in " + options.directory().resolve("logs"));
    }

    /** {@code spark://127.0.0.1:<port>}: what a driver's {@code SPARK_MASTER} must say. */
    public String masterUrl() {
        return "spark://" + HOST + ":" + masterPort;
    }

    /** The master's web UI; {@code /json/} under it is the cluster's status. */
    public URI masterWebUrl() {
        return URI.create("http://" + HOST + ":" + masterWebPort + "/");
    }

    /** The master's status document (workers, cores, active and completed applications). */
    public JsonNode status() {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(masterWebUrl().resolve("json/"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new UncheckedIOException(new IOException("the master answered " + response.statusCode()));
            }
            return JSON.readTree(response.body());
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read the master's status: " + e.getMessage(), e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while reading the master's status", e);
        }
    }

    /** Every application the master has seen, running or finished, oldest first. */
    public List<Application> applications() {
        JsonNode status = status();
        List<Application> applications = new ArrayList<>();
        for (String list : List.of("completedapps", "activeapps")) {
            for (JsonNode app : status.path(list)) {
                applications.add(new Application(app.path("id").asText(), app.path("name").asText(),
                        app.path("state").asText(), app.path("cores").asInt()));
            }
        }
        return applications;
    }

    /** How many workers the master sees alive. */
    public int aliveWorkers() {
        return status().path("aliveworkers").asInt();
    }

    /**
     * The executor directories the workers created for an application ({@code worker-<i>/<app id>/<executor id>}),
     * each holding the executor's {@code stdout} and {@code stderr}: proof that the work ran on these workers.
     */
    public List<Path> executorDirectories(String applicationId) {
        requireNonNull(applicationId, "applicationId is null");
        List<Path> found = new ArrayList<>();
        for (int i = 1; i <= options.workers(); i++) {
            Path app = options.directory().resolve("worker-" + i).resolve(applicationId);
            if (Files.isDirectory(app)) {
                try (Stream<Path> executors = Files.list(app)) {
                    executors.filter(Files::isDirectory).sorted().forEach(found::add);
                }
                catch (IOException e) {
                    throw new UncheckedIOException("Cannot list " + app + ": " + e.getMessage(), e);
                }
            }
        }
        return found;
    }

    public Path directory() {
        return options.directory();
    }

    /** Workers first, then the master; each is asked to stop, then killed if it has not after 20 seconds. */
    @Override
    public synchronized void close() {
        if (Thread.currentThread() != stopAtExit) {
            try {
                Runtime.getRuntime().removeShutdownHook(stopAtExit);
            }
            catch (IllegalStateException | IllegalArgumentException alreadyExitingOrRemoved) {
                // the JVM is exiting (the hook runs or ran) or close() was called before
            }
        }
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process process = processes.get(i);
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free port on " + HOST + ": " + e.getMessage(), e);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the Spark cluster", e);
        }
    }
}
