package com.ecomcrm.bench;

import static java.util.Objects.requireNonNull;

import com.ecomcrm.tracking.TrackingLinks;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
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
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
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
                // A warm-up of 100,000 requests: a server runs for days, and on this machine the JIT is still compiling
                // the request path after 50,000 (the JVM's CPU per request 240 us then, 130-170 once it is done).
                case "small" -> new Settings(50_000, 100_000, 64, 0.2, Duration.ofSeconds(120));
                default -> new Settings(200_000, 100_000, 64, 0.2, Duration.ofSeconds(300));
            };
        }
    }

    /**
     * Which HTTP client sends the requests: {@link #VERTX} (default since 2026-11-30) is a Vert.x client on one event
     * loop of its own, several times cheaper per request than the JDK client, whose CPU competed with the server for
     * the same cores and was counted in {@code jvm_cpu_us_per_request}; {@link #JDK} is the client of the figures
     * measured before, kept to compare.
     */
    enum Client {
        VERTX, JDK;

        static Client named(String name) {
            return valueOf(name.toUpperCase(java.util.Locale.ROOT));
        }
    }

    private final URI api;
    private final Settings settings;
    private final Client client;

    TrackingLoad(URI api, Settings settings) {
        this(api, settings, Client.VERTX);
    }

    TrackingLoad(URI api, Settings settings, Client client) {
        this.api = requireNonNull(api, "api is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.client = requireNonNull(client, "client is null");
    }

    StageResult run(List<SendThroughput.SentEmail> sent, TrackingLinks links, Supplier<Connection> postgres)
            throws Exception {
        return run(sent, links, postgres, null);
    }

    /**
     * @param world when given, the CPU of the PostgreSQL backends serving its database is reported too
     *              ({@code postgres_cpu_us_per_request})
     */
    StageResult run(List<SendThroughput.SentEmail> sent, TrackingLinks links, Supplier<Connection> postgres,
                    BenchDatabases world) throws Exception {
        if (sent.isEmpty()) {
            throw new IllegalStateException("Cannot load the tracking endpoints: no email was sent");
        }
        Plan plan = plan(sent, links);
        List<Planned> warmup = plan.warmup();
        List<Planned> measured = plan.measured();
        try (Sender sender = client == Client.VERTX ? new VertxSender() : new JdkSender()) {
            send(sender, warmup, System.nanoTime() + settings.timeLimit().toNanos());
            long eventsBefore = events(postgres);

            long cpuBefore = ProcessCpu.nanos();
            long jitBefore = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
            CpuTimes threadsBefore = world == null ? null : CpuTimes.now(world, sender.threadIds());
            long[] maintenanceBefore = maintenance(postgres);
            long start = System.nanoTime();
            Outcome outcome = send(sender, measured, start + settings.timeLimit().toNanos());
            StageResult stage = StageResult.timed("tracking endpoints (open + click)", start, outcome.answered(),
                    "requests");
            long cpu = ProcessCpu.nanos() - cpuBefore;
            long jitMillis = ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jitBefore;
            CpuTimes threadsAfter = world == null ? null : CpuTimes.now(world, sender.threadIds());
            long recorded = events(postgres) - eventsBefore;
            long[] maintenanceAfter = maintenance(postgres);
            long clicks = measured.stream().limit(outcome.answered()).filter(Planned::click).count();
            Map<String, Object> details = new TreeMap<>();
            details.put("concurrency", settings.concurrency());
            details.put("load_generator", client.name().toLowerCase(java.util.Locale.ROOT));
            details.put("warmup_requests", warmup.size());
            details.put("planned_requests", measured.size());
            details.put("time_limit_s", settings.timeLimit().toSeconds());
            details.put("opens", outcome.answered() - clicks);
            details.put("clicks", clicks);
            details.put("sends_tracked", Math.min(sent.size(), measured.size()));
            details.put("warmup_clicks", warmup.stream().filter(Planned::click).count());
            // How warm the JVM was: the JIT's compiling time while the measured requests ran (its threads' CPU is
            // in jvm_cpu_us_per_request).
            details.put("jit_compile_ms_during", jitMillis);
            details.put("non_2xx_3xx", outcome.failed());
            details.put("wrong_answer", outcome.wrong());
            details.put("statuses", outcome.statuses());
            details.put("events_recorded", recorded);
            // PostgreSQL's own background work on the tables the stage touches while it ran (not in the CPU split:
            // autovacuum workers are not the run's backends), e.g. right after a send stage updated every send.
            details.put("autovacuum_runs_during", maintenanceAfter[0] - maintenanceBefore[0]);
            details.put("autoanalyze_runs_during", maintenanceAfter[1] - maintenanceBefore[1]);
            details.put("sends_dead_tuples_at_start", maintenanceBefore[2]);
            details.put("target_per_second", TARGET_PER_SECOND);
            details.put("jvm_cpu_us_per_request", outcome.answered() == 0 ? 0
                    : Math.round(cpu / 1e3 / outcome.answered()));
            if (world != null && outcome.answered() > 0) {
                Map<String, Double> split = threadsAfter.perDeliveryMicros(threadsBefore, outcome.answered());
                details.put("api_cpu_us_per_request", split.get("api_server"));
                details.put("load_generator_cpu_us_per_request", split.get("load_generator"));
                details.put("postgres_cpu_us_per_request", split.get("postgres"));
            }
            StageResult result = stage.with(Latency.ofNanos(outcome.latencies()), null, details);
            details.put("target_met", result.rowsPerSecond() >= TARGET_PER_SECOND && outcome.failed() == 0);
            return result.with(result.latency(), null, details);
        }
    }

    /** One request of the plan: the path (token included), the User-Agent, and whether it is a click. */
    record Planned(String path, String userAgent, boolean click) {
    }

    /**
     * The measured requests and, apart, the warm-up's. The measured: {@code requests} over the sends, clicks
     * assigned one per send from the first send on ({@code clickShare} of them, at most one per send), the rest opens
     * spread round-robin, shuffled with a fixed seed. The warm-up: the same mix with its clicks on the sends after
     * those (as many as are left: a send is never clicked twice, so no click burst is made up), the rest opens. The
     * warm-up can then be as long as the JIT needs without changing the measured mix.
     */
    record Plan(List<Planned> warmup, List<Planned> measured) {
    }

    Plan plan(List<SendThroughput.SentEmail> sent, TrackingLinks links) {
        Random random = new Random(Scale.SEED);
        int measuredClicks = (int) Math.min(sent.size(), Math.round(settings.requests() * settings.clickShare()));
        List<Planned> measured = requests(sent, links, random, settings.requests(), 0, measuredClicks);
        int warmupClicks = (int) Math.min(sent.size() - measuredClicks,
                Math.round(settings.warmup() * settings.clickShare()));
        List<Planned> warmup = requests(sent, links, random, settings.warmup(), measuredClicks, warmupClicks);
        return new Plan(warmup, measured);
    }

    /** {@code count} requests: clicks on the sends from {@code firstClicked} on, one each, then opens; shuffled. */
    private static List<Planned> requests(List<SendThroughput.SentEmail> sent, TrackingLinks links, Random random,
                                          int count, int firstClicked, int clicks) {
        List<Planned> requests = new ArrayList<>(count);
        for (int i = firstClicked; i < firstClicked + clicks && requests.size() < count; i++) {
            SendThroughput.SentEmail email = sent.get(i);
            String token = email.clickTokens().get(i % email.clickTokens().size());
            requests.add(new Planned("/t/c/" + token, userAgent(random), true));
        }
        for (int i = 0; requests.size() < count; i++) {
            SendThroughput.SentEmail email = sent.get(i % sent.size());
            String pixel = links.openPixelUrl(email.shop(), email.sendId());
            requests.add(new Planned("/t/o/" + pixel.substring(pixel.lastIndexOf('/') + 1), userAgent(random), false));
        }
        Collections.shuffle(requests, random);
        return requests;
    }

    private static String userAgent(Random random) {
        return USER_AGENTS.get(random.nextInt(USER_AGENTS.size()));
    }

    private record Outcome(long[] latencies, int answered, int failed, int wrong, Map<Integer, Integer> statuses) {
    }

    private Outcome send(Sender sender, List<Planned> plan, long deadline) throws InterruptedException {
        List<Object> requests = sender.prepare(plan);
        long[] latencies = new long[requests.size()];
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger wrong = new AtomicInteger();
        Semaphore inFlight = new Semaphore(settings.concurrency());
        int started = 0;
        for (int i = 0; i < requests.size() && System.nanoTime() < deadline; i++) {
            inFlight.acquire();
            int index = i;
            boolean click = plan.get(i).click();
            long sentAt = System.nanoTime();
            started++;
            sender.send(requests.get(i), (status, error) -> {
                latencies[index] = System.nanoTime() - sentAt;
                int code = error == null ? status : -1;
                statuses.merge(code, 1, Integer::sum);
                if (code < 200 || code > 399) {
                    failed.incrementAndGet();
                }
                else if (code != (click ? 302 : 200)) {
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

    /** Prepares requests, then sends them asynchronously, calling back with the status or the error. */
    private interface Sender extends AutoCloseable {
        List<Object> prepare(List<Planned> plan);

        void send(Object request, BiConsumer<Integer, Throwable> done);

        /** The sender's own threads, to tell its CPU from the server's (empty: the JDK client's are found by name). */
        Set<Long> threadIds();

        @Override
        void close();
    }

    private final class VertxSender implements Sender {
        private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        private final io.vertx.core.http.HttpClient http = vertx.createHttpClient(new HttpClientOptions()
                        .setKeepAlive(true).setConnectTimeout((int) TIMEOUT.toMillis()),
                new PoolOptions().setHttp1MaxSize(settings.concurrency()).setMaxWaitQueueSize(-1));
        private final long loopThread;

        VertxSender() {
            CompletableFuture<Long> thread = new CompletableFuture<>();
            vertx.getOrCreateContext().runOnContext(ignored -> thread.complete(Thread.currentThread().getId()));
            loopThread = thread.join();
        }

        @Override
        public List<Object> prepare(List<Planned> plan) {
            return plan.stream().<Object>map(p -> new RequestOptions().setMethod(HttpMethod.GET)
                    .setHost(api.getHost()).setPort(api.getPort()).setURI(p.path())
                    .putHeader("User-Agent", p.userAgent()).setIdleTimeout(TIMEOUT.toMillis())).toList();
        }

        @Override
        public void send(Object request, BiConsumer<Integer, Throwable> done) {
            // Redirects are not followed: request() never does, the 302 is the answer measured.
            http.request((RequestOptions) request)
                    .compose(outgoing -> outgoing.send())
                    .compose(response -> response.body().map(ignored -> response.statusCode()))
                    .onComplete(result -> done.accept(result.succeeded() ? result.result() : null, result.cause()));
        }

        @Override
        public Set<Long> threadIds() {
            return Set.of(loopThread);
        }

        @Override
        public void close() {
            http.close().await();
            vertx.close().await();
        }
    }

    private final class JdkSender implements Sender {
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();

        @Override
        public List<Object> prepare(List<Planned> plan) {
            return plan.stream().<Object>map(p -> HttpRequest.newBuilder(api.resolve(p.path())).GET()
                    .timeout(TIMEOUT).header("User-Agent", p.userAgent()).build()).toList();
        }

        @Override
        public void send(Object request, BiConsumer<Integer, Throwable> done) {
            http.sendAsync((HttpRequest) request, HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, error) -> done.accept(error == null ? response.statusCode() : null,
                            error));
        }

        @Override
        public Set<Long> threadIds() {
            return Set.of();
        }

        @Override
        public void close() {
            // The JDK client's threads end with the JVM (the runners exit when done).
        }
    }

    /**
     * Autovacuum and autoanalyze runs so far on {@code sends} and {@code email_events}, and the dead tuples of
     * {@code sends} (statistics views, updated within about a second).
     */
    private static long[] maintenance(Supplier<Connection> postgres) throws Exception {
        try (Connection c = postgres.get();
             PreparedStatement p = c.prepareStatement("SELECT coalesce(sum(autovacuum_count), 0), "
                     + "coalesce(sum(autoanalyze_count), 0), coalesce(sum(n_dead_tup) FILTER (WHERE relname = "
                     + "'sends'), 0) FROM pg_stat_user_tables WHERE relname IN ('sends', 'email_events')");
             ResultSet rs = p.executeQuery()) {
            rs.next();
            return new long[]{rs.getLong(1), rs.getLong(2), rs.getLong(3)};
        }
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
