package com.ecomcrm.bench;

import static java.util.Objects.requireNonNull;

import com.ecomcrm.tracking.TrackingLinks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The tracking endpoints under load: open pixels ({@code GET /t/o/<token>}) and click redirects
 * ({@code GET /t/c/<token>}) of emails the send-throughput stage really sent, with tokens signed by the same
 * {@link TrackingLinks} the send job uses, over loopback with a fixed number of requests in flight (a closed loop).
 * Bounded in count and in time: requests stop being started at the deadline. Every request is built before the clock
 * starts. Each send is clicked at most once (one link), so no click burst is manufactured; opens repeat over the
 * sends, as readers reopen mail. User-Agents are a fixed mix of mail clients and privacy proxies, so the machine-open
 * rule runs both ways.
 *
 * <p>Success is 200 for a pixel and 302 for a click; anything outside 2xx/3xx (or a timeout, status -1) is counted.
 * Afterwards the stage counts the events PostgreSQL recorded (each request lands its event durably and records it
 * before answering).
 */
final class TrackingLoad {
    static final double TARGET_PER_SECOND = 5_000;
    private static final List<String> USER_AGENTS = List.of(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
                    + " Edg/126.0 (Outlook)",
            "Mozilla/5.0",
            "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)");

    /** How much load at a scale. */
    record Settings(int requests, int warmup, int concurrency, double clickShare, Duration timeLimit) {
        static Settings of(Scale scale) {
            return switch (scale.name()) {
                case "tiny" -> new Settings(5_000, 1_000, 64, 0.2, Duration.ofSeconds(60));
                case "small" -> new Settings(50_000, 5_000, 64, 0.2, Duration.ofSeconds(120));
                default -> new Settings(200_000, 10_000, 64, 0.2, Duration.ofSeconds(300));
            };
        }
    }

    private final URI api;
    private final Settings settings;

    TrackingLoad(URI api, Settings settings) {
        this.api = requireNonNull(api, "api is null");
        this.settings = requireNonNull(settings, "settings is null");
    }

    StageResult run(List<SendThroughput.SentEmail> sent, TrackingLinks links, Supplier<Connection> postgres)
            throws Exception {
        if (sent.isEmpty()) {
            throw new IllegalStateException("Cannot load the tracking endpoints: no email was sent");
        }
        List<HttpRequest> all = requests(sent, links, settings.warmup() + settings.requests());
        List<HttpRequest> warmup = all.subList(0, settings.warmup());
        List<HttpRequest> measured = all.subList(settings.warmup(), all.size());
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
        send(http, warmup, System.nanoTime() + settings.timeLimit().toNanos());
        long eventsBefore = events(postgres);

        long cpuBefore = ProcessCpu.nanos();
        long start = System.nanoTime();
        Outcome outcome = send(http, measured, start + settings.timeLimit().toNanos());
        StageResult stage = StageResult.timed("tracking endpoints (open + click)", start, outcome.answered(),
                "requests");
        long cpu = ProcessCpu.nanos() - cpuBefore;
        long recorded = events(postgres) - eventsBefore;
        long clicks = measured.stream().limit(outcome.answered()).filter(r -> r.uri().getPath().startsWith("/t/c/"))
                .count();
        Map<String, Object> details = new TreeMap<>();
        details.put("concurrency", settings.concurrency());
        details.put("warmup_requests", warmup.size());
        details.put("planned_requests", measured.size());
        details.put("time_limit_s", settings.timeLimit().toSeconds());
        details.put("opens", outcome.answered() - clicks);
        details.put("clicks", clicks);
        details.put("sends_tracked", Math.min(sent.size(), all.size()));
        details.put("non_2xx_3xx", outcome.failed());
        details.put("wrong_answer", outcome.wrong());
        details.put("statuses", outcome.statuses());
        details.put("events_recorded", recorded);
        details.put("target_per_second", TARGET_PER_SECOND);
        details.put("jvm_cpu_us_per_request", outcome.answered() == 0 ? 0 : Math.round(cpu / 1e3 / outcome.answered()));
        StageResult result = stage.with(Latency.ofNanos(outcome.latencies()), null, details);
        details.put("target_met", result.rowsPerSecond() >= TARGET_PER_SECOND && outcome.failed() == 0);
        return result.with(result.latency(), null, details);
    }

    /**
     * {@code count} requests over the sends: clicks first assigned one per send (at most {@code clickShare} of all),
     * the rest opens spread round-robin, then shuffled with a fixed seed.
     */
    private List<HttpRequest> requests(List<SendThroughput.SentEmail> sent, TrackingLinks links, int count) {
        Random random = new Random(Scale.SEED);
        int clicks = (int) Math.min(sent.size(), Math.round(count * settings.clickShare()));
        List<HttpRequest> requests = new ArrayList<>(count);
        for (int i = 0; i < clicks; i++) {
            SendThroughput.SentEmail email = sent.get(i);
            String token = email.clickTokens().get(i % email.clickTokens().size());
            requests.add(request("/t/c/" + token, random));
        }
        for (int i = 0; requests.size() < count; i++) {
            SendThroughput.SentEmail email = sent.get(i % sent.size());
            String pixel = links.openPixelUrl(email.shop(), email.sendId());
            requests.add(request("/t/o/" + pixel.substring(pixel.lastIndexOf('/') + 1), random));
        }
        Collections.shuffle(requests, random);
        return requests;
    }

    private HttpRequest request(String path, Random random) {
        return HttpRequest.newBuilder(api.resolve(path)).GET().timeout(Duration.ofSeconds(10))
                .header("User-Agent", USER_AGENTS.get(random.nextInt(USER_AGENTS.size()))).build();
    }

    private record Outcome(long[] latencies, int answered, int failed, int wrong, Map<Integer, Integer> statuses) {
    }

    private Outcome send(HttpClient http, List<HttpRequest> requests, long deadline) throws InterruptedException {
        long[] latencies = new long[requests.size()];
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger wrong = new AtomicInteger();
        Semaphore inFlight = new Semaphore(settings.concurrency());
        int started = 0;
        for (int i = 0; i < requests.size() && System.nanoTime() < deadline; i++) {
            inFlight.acquire();
            int index = i;
            HttpRequest request = requests.get(i);
            boolean click = request.uri().getPath().startsWith("/t/c/");
            long sentAt = System.nanoTime();
            started++;
            http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
                latencies[index] = System.nanoTime() - sentAt;
                int status = error == null ? response.statusCode() : -1;
                statuses.merge(status, 1, Integer::sum);
                if (status < 200 || status > 399) {
                    failed.incrementAndGet();
                }
                else if (status != (click ? 302 : 200)) {
                    wrong.incrementAndGet();
                }
                inFlight.release();
            });
        }
        inFlight.acquire(settings.concurrency());
        inFlight.release(settings.concurrency());
        long[] measured = new long[started];
        System.arraycopy(latencies, 0, measured, 0, started);
        return new Outcome(measured, started, failed.get(), wrong.get(), new TreeMap<>(statuses));
    }

    private static long events(Supplier<Connection> postgres) throws Exception {
        try (Connection c = postgres.get();
             PreparedStatement p = c.prepareStatement("SELECT count(*) FROM email_events WHERE kind IN ('open', "
                     + "'click')");
             ResultSet rs = p.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
