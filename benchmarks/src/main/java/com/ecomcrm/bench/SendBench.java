package com.ecomcrm.bench;

import com.ecomcrm.api.ApiMain;
import com.ecomcrm.api.config.ApiConfig;
import com.ecomcrm.tracking.TrackingLinks;
import io.vertx.core.Vertx;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * The send-throughput and tracking stages of {@code bin/bench} on their own, in a minute or two:
 * {@code bin/run benchmarks com.ecomcrm.bench.SendBench [--scale tiny|small|medium]} (default small). Same classes
 * ({@link SendThroughput}, {@link TrackingLoad}) and the same in-process API as {@code bin/bench}, so the figures are
 * the ones it reports; in its own throwaway world ({@code ecomcrm_bench_send}, {@code var/bench-send/}) so it can run
 * while {@code bin/bench} does. Prints the two rows as markdown and writes them as JSON to
 * {@code var/bench-send/results.json}.
 */
public final class SendBench {
    static final String DATABASE = "ecomcrm_bench_send";
    private static final String CLIENT_ID = "bench-client-id";
    private static final String SECRET = "bench-client-secret";

    private SendBench() {
    }

    public static void main(String[] args) throws Exception {
        String scaleName = "small";
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--scale") && i + 1 < args.length) {
                scaleName = args[++i];
            }
            else {
                System.err.println("usage: SendBench [--scale tiny|small|medium]");
                System.exit(2);
            }
        }
        Scale scale = Scale.named(scaleName);
        String loadBefore = loadAverage();
        // ECOMCRM_SEND_BENCH_DB / _DIR: a world of its own, so two SendBench runs (e.g. before and after a change)
        // never drop each other's databases.
        BenchDatabases world = BenchDatabases.fresh(Path.of("").toAbsolutePath(),
                System.getenv().getOrDefault("ECOMCRM_SEND_BENCH_DB", DATABASE),
                System.getenv().getOrDefault("ECOMCRM_SEND_BENCH_DIR", "var/bench-send"));
        Map<String, String> env = world.environment(CLIENT_ID, SECRET);
        Vertx vertx = Vertx.vertx();
        ApiMain.Application api = ApiMain.Application.start(vertx, ApiConfig.from(env), world.clickHouse(),
                Clock.systemUTC()).await();
        try {
            SendThroughput.Outcome sends = new SendThroughput(world, env, SendThroughput.Settings.of(scale)).run();
            // With the world: the CPU per request of the API, the load generator and PostgreSQL, as bin/bench-tracking
            // reports it, so the two can be compared process by process.
            StageResult tracking = new TrackingLoad(URI.create("http://127.0.0.1:" + api.server().actualPort()),
                    TrackingLoad.Settings.of(scale)).run(sends.sent(), TrackingLinks.fromEnv(env), world::connect,
                    world);
            List<StageResult> stages = List.of(sends.stage(), tracking);
            for (StageResult s : stages) {
                System.out.printf("| %s | %.2f s | %,d %s | %,.0f/s | p50 %.2f | p95 %.2f | p99 %.2f ms |%n", s.name(),
                        s.seconds(), s.rows(), s.unit(), s.rowsPerSecond(), s.latency().p50Ms(), s.latency().p95Ms(),
                        s.latency().p99Ms());
                System.out.println("  " + s.details());
            }
            System.out.println("load average " + loadBefore + " before, " + loadAverage() + " after");
            Path out = world.work().resolve("results.json");
            new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                    .writeValue(out.toFile(), Map.of("scale", scale.name(), "stages", stages,
                            "load_average_before", loadBefore, "load_average_after", loadAverage()));
            System.out.println("Written: " + out);
        }
        finally {
            api.close().await();
        }
        System.exit(0); // the HTTP clients' selector threads are not daemons
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        }
        catch (Exception e) {
            return "unknown";
        }
    }
}
