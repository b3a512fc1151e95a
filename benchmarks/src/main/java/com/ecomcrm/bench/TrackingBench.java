package com.ecomcrm.bench;

import com.ecomcrm.api.ApiMain;
import com.ecomcrm.api.config.ApiConfig;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.tracking.TrackingLinks;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vertx.core.Vertx;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tracking stage of {@code bin/bench} on its own, in about a minute and without the send stage before it:
 * {@code bin/bench-tracking [--requests N] [--warmup N] [--concurrency N] [--rounds N] [--sends N] [--client vertx|jdk]}
 * (defaults: the small scale's 50,000 requests, 100,000 warm-up, 64 in flight, 1 round, and as many sends as its send
 * stage, 20,000, so 20% of the requests are clicks on 10,000 of them; the Vert.x load generator). Same {@link TrackingLoad} and the same in-process API start-up as {@code bin/bench}, on sends written
 * straight into PostgreSQL (SENT an hour ago, over four shops, three product links each) instead of really sent, so
 * the requests are the ones the send stage's emails would give. Own throwaway world: database
 * {@code ecomcrm_bench_tracking} (PostgreSQL and ClickHouse) and {@code var/bench-tracking/} (landing zone,
 * {@code results.json}). Besides rate and latency it prints the CPU per request of the API server's threads, the load
 * generator's and the PostgreSQL backends': on a shared machine those move much less with other work than the rate.
 */
public final class TrackingBench {
    static final String DATABASE = "ecomcrm_bench_tracking";
    private static final String CLIENT_ID = "bench-client-id";
    private static final String SECRET = "bench-client-secret";
    private static final int SHOPS = 4;
    private static final int LINKS_PER_EMAIL = 3;

    private TrackingBench() {
    }

    public static void main(String[] args) throws Exception {
        TrackingLoad.Settings small = TrackingLoad.Settings.of(Scale.named("small"));
        int requests = small.requests();
        int warmup = small.warmup();
        int concurrency = small.concurrency();
        int rounds = 1;
        // As many sends as the small scale's send stage (20,000), so the request mix is SendBench's: at most one
        // click per send, so with 2,000 sends (the default until 2026-11-30) only 2,000 of the 55,000 requests could
        // be clicks (3.6%) where the stage plans 20%, and the opens hit 10 times fewer sends (a warm sent_at cache).
        int sends = SendThroughput.Settings.of(Scale.named("small")).sends();
        TrackingLoad.Client client = TrackingLoad.Client.VERTX;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--requests" -> requests = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--sends" -> sends = Integer.parseInt(args[++i]);
                case "--client" -> client = TrackingLoad.Client.named(args[++i]);
                default -> {
                    System.err.println("usage: TrackingBench [--requests N] [--warmup N] [--concurrency N] "
                            + "[--rounds N] [--sends N] [--client vertx|jdk]");
                    System.exit(2);
                }
            }
        }
        BenchDatabases world = BenchDatabases.fresh(Path.of("").toAbsolutePath(), DATABASE, "var/bench-tracking");
        Map<String, String> env = world.environment(CLIENT_ID, SECRET);
        TrackingLinks links = TrackingLinks.fromEnv(env);
        List<SendThroughput.SentEmail> sent = sends(world, links, sends);

        Vertx vertx = Vertx.vertx();
        ApiMain.Application api = ApiMain.Application.start(vertx, ApiConfig.from(env), world.clickHouse(),
                Clock.systemUTC(), env).await();
        URI endpoint = URI.create("http://127.0.0.1:" + api.server().actualPort());
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        List<Map<String, Object>> results = new ArrayList<>();
        try {
            for (int round = 0; round < rounds; round++) {
                String loadBefore = loadAverage();
                // Later rounds repeat the same requests (clicks more than a burst window apart) on a warm JVM.
                TrackingLoad load = new TrackingLoad(endpoint, new TrackingLoad.Settings(requests,
                        round == 0 ? warmup : 0, concurrency, small.clickShare(), Duration.ofSeconds(120)), client);
                StageResult stage = load.run(sent, links, world::connect, world);
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("round", round + 1);
                result.put("requests_per_second", Math.round(stage.rowsPerSecond()));
                result.put("latency_ms", stage.latency());
                result.put("details", stage.details());
                result.put("load_average_before", loadBefore);
                result.put("load_average_after", loadAverage());
                results.add(result);
                Map<String, Object> d = stage.details();
                System.out.printf("round %d: %,d requests/s, p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms, "
                                + "non-2xx/3xx %s, events recorded %s of %,d (load average %s -> %s)%n", round + 1,
                        Math.round(stage.rowsPerSecond()), stage.latency().p50Ms(), stage.latency().p95Ms(),
                        stage.latency().p99Ms(), stage.latency().maxMs(), d.get("non_2xx_3xx"),
                        d.get("events_recorded"), stage.rows(), loadBefore, loadAverage());
                System.out.println("  CPU per request (microseconds): api_server " + d.get("api_cpu_us_per_request")
                        + ", load_generator " + d.get("load_generator_cpu_us_per_request") + ", postgres "
                        + d.get("postgres_cpu_us_per_request") + ", whole JVM " + d.get("jvm_cpu_us_per_request")
                        + " (" + d.get("load_generator") + " client)");
            }
            Path out = world.work().resolve("results.json");
            json.writeValue(out.toFile(), results);
            System.out.println("Written: " + out);
        }
        finally {
            api.close().await();
        }
        System.exit(0); // the JDK HTTP client's selector thread is not a daemon
    }

    /**
     * {@code count} sends over {@link #SHOPS} shops, SENT an hour ago (so no open or click is "on delivery"), each
     * with {@link #LINKS_PER_EMAIL} signed product links as the send job's link rewriting makes them.
     */
    private static List<SendThroughput.SentEmail> sends(BenchDatabases world, TrackingLinks links, int count)
            throws Exception {
        List<SendThroughput.SentEmail> sent = new ArrayList<>(count);
        try (Connection connection = world.connect();
             PreparedStatement insert = connection.prepareStatement("""
                     INSERT INTO sends (shop_domain, customer_id, email, trigger_key, idempotency_key, status, due_at,
                                        sent_at)
                     SELECT ?, n, 'customer-' || n || '@example.com', 'bench', 'bench-tracking-' || n, 'SENT',
                            now() - interval '1 hour', now() - interval '1 hour'
                       FROM generate_series(?, ?) AS n
                     RETURNING id""")) {
            for (int s = 0; s < SHOPS; s++) {
                ShopId shop = ShopId.of(String.format("bench-track-%02d.myshopify.com", s));
                int from = s * count / SHOPS;
                int to = (s + 1) * count / SHOPS - 1;
                insert.setString(1, shop.domain());
                insert.setInt(2, from);
                insert.setInt(3, to);
                try (ResultSet ids = insert.executeQuery()) {
                    while (ids.next()) {
                        long id = ids.getLong(1);
                        List<String> tokens = new ArrayList<>(LINKS_PER_EMAIL);
                        for (int l = 0; l < LINKS_PER_EMAIL; l++) {
                            String url = links.clickUrl(shop, id, "https://" + shop.handle()
                                    + ".example/products/" + (id * 7 + l) % 500 + "?utm_source=ecomcrm");
                            tokens.add(url.substring(url.lastIndexOf('/') + 1));
                        }
                        sent.add(new SendThroughput.SentEmail(shop, id, tokens));
                    }
                }
            }
        }
        return sent;
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
