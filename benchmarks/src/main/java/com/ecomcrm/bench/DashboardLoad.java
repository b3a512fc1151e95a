package com.ecomcrm.bench;

import com.ecomcrm.api.segments.ClickHouseSegmentReader;
import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.testing.session.SessionTokens;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The dashboard's read path under load: {@code clients} concurrent clients, each making {@code requestsPerClient}
 * requests one after another (a closed loop) for random shops. Measured twice: through the API
 * ({@code GET /api/segments} with a valid session token), and directly against ClickHouse with the very reader the
 * API uses ({@link ClickHouseSegmentReader}, through the gateway), so the ratio of the two is the API's overhead
 * (HTTP, session token check, JSON, worker-thread hop).
 */
public final class DashboardLoad {
    private final List<ShopId> shops;
    private final int clients;
    private final int requestsPerClient;
    private final boolean published;

    /** @param published whether the shops have a publication (the nightly pipeline ran); checked on every answer */
    public DashboardLoad(List<ShopId> shops, int clients, int requestsPerClient, boolean published) {
        this.shops = List.copyOf(shops);
        this.clients = clients;
        this.requestsPerClient = requestsPerClient;
        this.published = published;
    }

    /** Through the API. Tokens are issued before the clock starts (one per shop, valid for the whole run). */
    public StageResult api(URI baseUrl, SessionTokens tokens) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        Map<ShopId, HttpRequest> requests = new HashMap<>();
        for (ShopId shop : shops) {
            requests.put(shop, HttpRequest.newBuilder(baseUrl.resolve("/api/segments")).timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + tokens.issue(shop, Duration.ofHours(2))).GET().build());
        }
        return run("dashboard API (GET /api/segments)", shop -> {
            HttpResponse<String> response = http.send(requests.get(shop), HttpResponse.BodyHandlers.ofString());
            String expected = published ? "\"status\":\"READY\"" : "\"status\":\"NOT_COMPUTED\"";
            if (response.statusCode() != 200 || !response.body().contains(expected)) {
                throw new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
            }
        });
    }

    /** The same two SELECTs, straight to ClickHouse through the gateway: the floor the API is compared with. */
    public StageResult rawClickHouse(ClickHouseGateway clickHouse) throws Exception {
        ClickHouseSegmentReader reader = new ClickHouseSegmentReader(clickHouse);
        return run("raw ClickHouse (same SELECTs)", shop -> {
            if (reader.latest(shop).isPresent() != published) {
                throw new IllegalStateException("publication of " + shop + " present: " + !published);
            }
        });
    }

    private interface Call {
        void run(ShopId shop) throws Exception;
    }

    private StageResult run(String name, Call call) throws Exception {
        // Warm-up: one request per shop, not measured.
        for (ShopId shop : shops) {
            call.run(shop);
        }
        long[] latencies = new long[clients * requestsPerClient];
        AtomicInteger failures = new AtomicInteger();
        Map<String, Integer> firstErrors = new TreeMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        try {
            List<Future<?>> running = new java.util.ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                running.add(pool.submit(() -> {
                    Random random = new Random(Scale.SEED + client);
                    for (int i = 0; i < requestsPerClient; i++) {
                        ShopId shop = shops.get(random.nextInt(shops.size()));
                        long sent = System.nanoTime();
                        try {
                            call.run(shop);
                        }
                        catch (Exception e) {
                            failures.incrementAndGet();
                            synchronized (firstErrors) {
                                if (firstErrors.size() < 3) {
                                    firstErrors.merge(String.valueOf(e.getMessage()), 1, Integer::sum);
                                }
                            }
                        }
                        latencies[client * requestsPerClient + i] = System.nanoTime() - sent;
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        }
        finally {
            pool.shutdown();
        }
        StageResult stage = StageResult.timed(name, start, latencies.length, "requests");
        Map<String, Object> details = new TreeMap<>();
        details.put("clients", clients);
        details.put("requests_per_client", requestsPerClient);
        details.put("shops", shops.size());
        details.put("failures", failures.get());
        if (!firstErrors.isEmpty()) {
            details.put("first_errors", firstErrors);
        }
        return stage.with(Latency.ofNanos(latencies), null, details);
    }
}
