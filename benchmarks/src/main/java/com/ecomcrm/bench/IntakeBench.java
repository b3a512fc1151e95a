package com.ecomcrm.bench;

import com.ecomcrm.api.ApiMain;
import com.ecomcrm.api.config.ApiConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.ecomcrm.testing.shopify.SimulatedWebhook;
import io.vertx.core.Vertx;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The webhook intake stage of {@code bin/bench} on its own, in about a minute instead of five:
 * {@code bin/bench-intake [--deliveries N] [--warmup N] [--concurrency N] [--rounds N] [--client vertx|jdk]}
 * (defaults: the small scale's 20,000 deliveries, 1,000 warm-up, 32 in flight, 1 round, the Vert.x load generator). Same API start-up in the same JVM, same deliveries (the
 * seeded timeline of {@code bench-webhooks.myshopify.com}) and the same {@link WebhookLoad}, so its figures are the
 * ones {@code bin/bench small} reports; each round sends deliveries not seen before. It works in its own throwaway
 * world ({@code ecomcrm_bench_intake}, {@code var/bench-intake/}) so it can run while {@code bin/bench} does. Besides
 * throughput and latency it prints the CPU time one delivery costs the API server, PostgreSQL and the load generator:
 * on a shared machine that moves much less with other work than the throughput does.
 */
public final class IntakeBench {
    static final String DATABASE = "ecomcrm_bench_intake";
    private static final String CLIENT_ID = "bench-client-id";
    private static final String SECRET = "bench-client-secret";

    private IntakeBench() {
    }

    public static void main(String[] args) throws Exception {
        Scale small = Scale.named("small");
        int deliveries = small.webhookDeliveries();
        int warmup = small.webhookWarmup();
        int concurrency = small.webhookConcurrency();
        int rounds = 1;
        WebhookLoad.Client client = WebhookLoad.Client.VERTX;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--deliveries" -> deliveries = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--client" -> client = WebhookLoad.Client.named(args[++i]);
                default -> {
                    System.err.println("usage: IntakeBench [--deliveries N] [--warmup N] [--concurrency N] "
                            + "[--rounds N] [--client vertx|jdk]");
                    System.exit(2);
                }
            }
        }
        Path root = Path.of("").toAbsolutePath();
        BenchDatabases world = BenchDatabases.fresh(root, DATABASE, "var/bench-intake");
        List<SimulatedWebhook> timeline = FoundationBench.webhookTimeline(warmup + rounds * deliveries);

        Vertx vertx = Vertx.vertx();
        ApiMain.Application api = ApiMain.Application.start(vertx, ApiConfig.from(world.environment(CLIENT_ID, SECRET)),
                world.clickHouse(), Clock.systemUTC()).await();
        URI endpoint = URI.create("http://127.0.0.1:" + api.server().actualPort() + "/webhooks");
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        List<Map<String, Object>> results = new ArrayList<>();
        try (WebhookLoad load = new WebhookLoad(endpoint, SECRET, concurrency, client)) {
            for (int round = 0; round < rounds; round++) {
                int from = warmup + round * deliveries;
                String loadBefore = loadAverage();
                CpuTimes cpuBefore = CpuTimes.now(world, load.generatorThreadIds());
                // Only the first round warms up: later rounds run on a warm JVM and warm pools.
                StageResult stage = load.run(round == 0 ? timeline.subList(0, warmup) : List.of(),
                                timeline.subList(from, from + deliveries));
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("round", round + 1);
                result.put("deliveries_per_second", Math.round(stage.rowsPerSecond()));
                result.put("latency_ms", stage.latency());
                result.put("details", stage.details());
                Map<String, Double> cpu = CpuTimes.now(world, load.generatorThreadIds()).perDeliveryMicros(cpuBefore, deliveries);
                result.put("cpu_microseconds_per_delivery", cpu);
                result.put("load_average_before", loadBefore);
                result.put("load_average_after", loadAverage());
                results.add(result);
                System.out.printf("round %d: %,d deliveries/s, p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms, "
                                + "non-200 %s (load average %s -> %s)%n", round + 1, Math.round(stage.rowsPerSecond()),
                        stage.latency().p50Ms(), stage.latency().p95Ms(), stage.latency().p99Ms(),
                        stage.latency().maxMs(), stage.details().get("non_200"), loadBefore, loadAverage());
                System.out.println("  CPU per delivery (microseconds): " + cpu);
            }
            Path out = world.work().resolve("results.json");
            json.writeValue(out.toFile(), results);
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
