package com.ecomcrm.bench.screens;

import com.ecomcrm.bench.Latency;
import com.ecomcrm.bench.Scale;
import com.ecomcrm.bench.StageResult;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.testing.session.SessionTokens;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static java.util.Objects.requireNonNull;

/**
 * The dashboard as merchants load it: {@code clients} concurrent clients, each opening {@code loadsPerClient} screens
 * one after another (a closed loop), screen and shop drawn from a seeded random order. A screen load sends the
 * screen's requests the way the browser does ({@link ScreenPlans}: a wave's requests together, the next wave once
 * they are all in) and is timed until its last answer has fully arrived. Every answer must be a 200 (or the 404 a
 * screen shows as "nothing yet", see {@link ScreenRequest#notFoundIsAnAnswer()}).
 *
 * <p>Reported: one row per screen (p50/p95/p99 of its loads, and PASS or FAIL against the {@link ScreenBudget}), one
 * row per endpoint (each answer's time and mean size), and one row for all screen loads together.
 */
public final class DashboardScreens {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final List<ShopId> shops;
    private final int clients;
    private final int loadsPerClient;
    private final ScreenBudget budget;
    private final LocalDate today;
    private final List<String> screens;

    public DashboardScreens(List<ShopId> shops, int clients, int loadsPerClient, ScreenBudget budget, LocalDate today) {
        this(shops, clients, loadsPerClient, budget, today, ScreenPlans.SCREENS);
    }

    /** Loads only {@code screens} (a subset of {@link ScreenPlans#SCREENS}): one screen's cost on its own. */
    public DashboardScreens(List<ShopId> shops, int clients, int loadsPerClient, ScreenBudget budget, LocalDate today,
                            List<String> screens) {
        this.screens = List.copyOf(screens);
        if (this.screens.isEmpty() || !ScreenPlans.SCREENS.containsAll(this.screens)) {
            throw new IllegalArgumentException("Cannot load the dashboard: unknown screens in " + screens);
        }
        this.shops = List.copyOf(shops);
        if (this.shops.isEmpty() || clients < 1 || loadsPerClient < 1) {
            throw new IllegalArgumentException("Cannot load the dashboard: need shops, clients and loads");
        }
        this.clients = clients;
        this.loadsPerClient = loadsPerClient;
        this.budget = requireNonNull(budget, "budget is null");
        this.today = requireNonNull(today, "today is null");
    }

    /** The stage's rows and what the notes should say about it. */
    public record Results(List<StageResult> stages, List<String> notes) {
    }

    public Results run(URI baseUrl, SessionTokens tokens) throws Exception {
        return run(baseUrl, tokens, () -> { });
    }

    /** @param measuring called once the warm-up is over, right before the measured loads start */
    public Results run(URI baseUrl, SessionTokens tokens, Runnable measuring) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        // Tokens and the shops' real ids are read before the clock starts.
        Map<ShopId, String> tokenOf = new LinkedHashMap<>();
        List<ShopSample> samples = new ArrayList<>();
        for (ShopId shop : shops) {
            tokenOf.put(shop, tokens.issue(shop, Duration.ofHours(2)));
            samples.add(sample(http, baseUrl, shop, tokenOf.get(shop)));
        }
        Client client = new Client(http, baseUrl, tokenOf);

        // Warm-up: every screen of every shop once, not measured (JIT, connection and query pools).
        ScreenTimings warmUp = new ScreenTimings();
        Random warmUpChoices = new Random(Scale.SEED);
        for (ShopSample sample : samples) {
            for (String screen : screens) {
                if (ScreenPlans.applicable(screen, sample)) {
                    client.load(sample.shop(), ScreenPlans.plan(screen, sample, warmUpChoices), warmUp);
                }
            }
        }

        ScreenTimings timings = new ScreenTimings();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        measuring.run();
        long start = System.nanoTime();
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int index = c;
                running.add(pool.submit(() -> {
                    Random random = new Random(Scale.SEED * 31 + index);
                    for (int i = 0; i < loadsPerClient; i++) {
                        ShopSample sample = samples.get(random.nextInt(samples.size()));
                        String screen = screens.get(random.nextInt(screens.size()));
                        if (!ScreenPlans.applicable(screen, sample)) {
                            continue;
                        }
                        client.load(sample.shop(), ScreenPlans.plan(screen, sample, random), timings);
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
        double seconds = (System.nanoTime() - start) / 1e9;
        return results(timings, seconds, samples);
    }

    /**
     * Issue #7's measure: one merchant alone, clicking through every screen in turn (navigation order, {@code rounds}
     * times), on the first shop; the choices on a screen (which customer, filter, page) drawn as the loaded pass draws
     * them. One warm-up round first, not measured. Judged against issue #7's budget ({@link ScreenBudget#SCREEN_DATA}).
     */
    public Results runOneMerchant(URI baseUrl, SessionTokens tokens, int rounds) throws Exception {
        if (rounds < 1) {
            throw new IllegalArgumentException("Cannot click through the dashboard: need at least one round");
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        ShopId shop = shops.get(0);
        String token = tokens.issue(shop, Duration.ofHours(2));
        ShopSample sample = sample(http, baseUrl, shop, token);
        Client client = new Client(http, baseUrl, Map.of(shop, token));
        Random random = new Random(Scale.SEED * 17);
        ScreenTimings warmUp = new ScreenTimings();
        for (String screen : screens) {
            if (ScreenPlans.applicable(screen, sample)) {
                client.load(shop, ScreenPlans.plan(screen, sample, random), warmUp);
            }
        }
        ScreenTimings timings = new ScreenTimings();
        long start = System.nanoTime();
        for (int round = 0; round < rounds; round++) {
            for (String screen : screens) {
                if (ScreenPlans.applicable(screen, sample)) {
                    client.load(shop, ScreenPlans.plan(screen, sample, random), timings);
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return oneMerchantResults(timings, seconds, rounds, sample);
    }

    private Results oneMerchantResults(ScreenTimings timings, double seconds, int rounds, ShopSample sample) {
        List<StageResult> stages = new ArrayList<>();
        Map<String, Object> overall = new TreeMap<>();
        overall.put("clients", 1);
        overall.put("rounds", rounds);
        overall.put("shop", sample.shop().domain());
        overall.put("customers", sample.totalCustomers());
        overall.put("budget_p95_ms", ScreenBudget.SCREEN_DATA.p95Ms());
        if (!timings.firstErrors().isEmpty()) {
            overall.put("first_errors", timings.firstErrors());
        }
        Latency all = timings.all();
        stages.add(new StageResult("dashboard screens, one merchant (all loads)", seconds, all.count(),
                "screen loads", all, null, overall));
        Map<String, Latency> byScreen = timings.screens();
        List<String> passed = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (String screen : screens) {
            Latency latency = byScreen.getOrDefault(screen, Latency.ofNanos(new long[0]));
            long failures = timings.screenFailures(screen);
            if (latency.count() == 0 && failures == 0) {
                failed.add(screen + " (not loaded: the shop has nothing for it)");
                continue;
            }
            String verdict = ScreenBudget.SCREEN_DATA.verdict(latency, failures);
            Map<String, Object> details = new TreeMap<>();
            details.put("budget_issue_7", String.format(Locale.ROOT, "%s (p95 %.1f ms, budget < %.0f ms)", verdict,
                    latency.p95Ms(), ScreenBudget.SCREEN_DATA.p95Ms()));
            details.put("failures", failures);
            details.put("requests_per_load", requestsPerLoad(screen, List.of(sample)));
            stages.add(new StageResult("dashboard screen, one merchant: " + screen, seconds, latency.count(), "loads",
                    latency, null, details));
            (verdict.equals("PASS") ? passed : failed).add(screen + String.format(Locale.ROOT, " (p95 %.1f ms%s)",
                    latency.p95Ms(), failures == 0 ? "" : ", " + failures + " failed"));
        }
        List<String> notes = new ArrayList<>();
        notes.add(String.format(Locale.ROOT, "dashboard screens, one merchant (issue #7): %d of %d within the p95 "
                        + "budget of %.0f ms; PASS: %s; FAIL: %s", passed.size(), passed.size() + failed.size(),
                ScreenBudget.SCREEN_DATA.p95Ms(), passed.isEmpty() ? "none" : String.join(", ", passed),
                failed.isEmpty() ? "none" : String.join(", ", failed)));
        return new Results(stages, notes);
    }

    private Results results(ScreenTimings timings, double seconds, List<ShopSample> samples) {
        List<StageResult> stages = new ArrayList<>();
        Latency all = timings.all();
        Map<String, Object> overall = new TreeMap<>();
        overall.put("clients", clients);
        overall.put("screen_loads_per_client", loadsPerClient);
        overall.put("shops", shops.size());
        overall.put("budget_p95_ms", budget.p95Ms());
        overall.put("customer_ids_sampled", samples.stream().mapToInt(s -> s.customerIds().size()).sum());
        overall.put("templates_sampled", samples.stream().mapToInt(s -> s.templates().size()).sum());
        if (!timings.firstErrors().isEmpty()) {
            overall.put("first_errors", timings.firstErrors());
        }
        stages.add(new StageResult("dashboard screens (all loads)", seconds, all.count(), "screen loads", all, null,
                overall));

        Map<String, Latency> screens = timings.screens();
        List<String> passed = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (String screen : this.screens) {
            Latency latency = screens.get(screen);
            long failures = timings.screenFailures(screen);
            if (latency == null && failures == 0) {
                failed.add(screen + " (not loaded: the shops have nothing for it)");
                continue;
            }
            latency = latency == null ? Latency.ofNanos(new long[0]) : latency;
            String verdict = budget.verdict(latency, failures);
            Map<String, Object> details = new TreeMap<>();
            details.put("budget", String.format(Locale.ROOT, "%s (p95 %.1f ms, budget < %.0f ms)", verdict,
                    latency.p95Ms(), budget.p95Ms()));
            details.put("budget_issue_7", String.format(Locale.ROOT, "%s (p95 < %.0f ms)",
                    ScreenBudget.SCREEN_DATA.verdict(latency, failures), ScreenBudget.SCREEN_DATA.p95Ms()));
            details.put("failures", failures);
            details.put("requests_per_load", requestsPerLoad(screen, samples));
            stages.add(new StageResult("dashboard screen: " + screen, seconds, latency.count(), "loads", latency,
                    null, details));
            (verdict.equals("PASS") ? passed : failed).add(screen + String.format(Locale.ROOT, " (p95 %.1f ms%s)",
                    latency.p95Ms(), failures == 0 ? "" : ", " + failures + " failed"));
        }
        timings.endpoints().forEach((endpoint, latency) -> {
            Map<String, Object> details = new TreeMap<>();
            details.put("failures", timings.endpointFailures(endpoint));
            details.put("mean_bytes", timings.meanBytes(endpoint));
            stages.add(new StageResult("dashboard endpoint: " + endpoint, seconds, latency.count(), "answers", latency,
                    null, details));
        });
        List<String> notes = new ArrayList<>();
        notes.add(String.format(Locale.ROOT, "dashboard screens: %d of %d within the p95 budget of %.0f ms with %d "
                        + "concurrent clients; PASS: %s; FAIL: %s", passed.size(), passed.size() + failed.size(),
                budget.p95Ms(), clients, passed.isEmpty() ? "none" : String.join(", ", passed),
                failed.isEmpty() ? "none" : String.join(", ", failed)));
        return new Results(stages, notes);
    }

    /** How many requests a load of the screen makes, for the first shop that has it (the Segments screen varies). */
    private static String requestsPerLoad(String screen, List<ShopSample> samples) {
        return samples.stream().filter(s -> ScreenPlans.applicable(screen, s))
                .map(s -> ScreenPlans.plan(screen, s, new Random(0)))
                .map(plan -> plan.requestCount() + " in " + plan.waves().size() + " wave(s)")
                .findFirst().orElse("0");
    }

    /** One browser: sends a screen's waves and times them. */
    private record Client(HttpClient http, URI baseUrl, Map<ShopId, String> tokens) {
        void load(ShopId shop, ScreenLoad plan, ScreenTimings timings) {
            long start = System.nanoTime();
            try {
                for (List<ScreenRequest> wave : plan.waves()) {
                    List<CompletableFuture<Void>> answers = new ArrayList<>();
                    for (ScreenRequest request : wave) {
                        answers.add(send(shop, request, timings));
                    }
                    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).join();
                }
                timings.screen(plan.screen(), System.nanoTime() - start);
            }
            catch (RuntimeException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                timings.screenFailed(plan.screen(), String.valueOf(cause.getMessage()));
            }
        }

        private CompletableFuture<Void> send(ShopId shop, ScreenRequest request, ScreenTimings timings) {
            String token = tokens.get(shop);
            String path = request.queryToken()
                    ? request.path() + (request.path().contains("?") ? "&" : "?") + "id_token="
                    + URLEncoder.encode(token, StandardCharsets.UTF_8)
                    : request.path();
            HttpRequest.Builder builder = HttpRequest.newBuilder(baseUrl.resolve(path)).timeout(TIMEOUT);
            if (!request.queryToken()) {
                builder.header("Authorization", "Bearer " + token).header("Accept", "application/json");
            }
            if (request.jsonBody() != null) {
                builder.header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(request.jsonBody()));
            }
            else {
                builder.GET();
            }
            long sent = System.nanoTime();
            return http.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofByteArray()).thenAccept(response -> {
                long took = System.nanoTime() - sent;
                boolean answered = response.statusCode() == 200
                        || response.statusCode() == 404 && request.notFoundIsAnAnswer();
                if (!answered) {
                    timings.endpointFailed(request.endpoint());
                    String body = new String(response.body(), StandardCharsets.UTF_8);
                    throw new IllegalStateException(request.method() + " " + request.path() + ": HTTP "
                            + response.statusCode() + " " + body.substring(0, Math.min(200, body.length())));
                }
                timings.endpoint(request.endpoint(), took, response.body().length);
            });
        }
    }

    /** The shop's real ids, through the API as the dashboard sees them. Creates two templates if it has none. */
    private ShopSample sample(HttpClient http, URI baseUrl, ShopId shop, String token) throws IOException,
            InterruptedException {
        List<String> segments = new ArrayList<>();
        JsonNode answer = call(http, baseUrl, token, "GET", "/api/segments", null);
        for (JsonNode segment : answer.path("segments")) {
            if (segment.path("customers").asLong() > 0) {
                segments.add(segment.path("key").asText());
            }
        }
        List<String> customers = new ArrayList<>();
        long total = 0;
        for (int page = 1; page <= 5; page++) {
            JsonNode list = call(http, baseUrl, token, "GET", "/api/customers?sort=customer_id&order=asc&page=" + page
                    + "&page_size=200", null);
            total = list.path("total").asLong();
            list.path("items").forEach(item -> customers.add(item.path("customer_id").asText()));
            if (list.path("items").size() < 200) {
                break;
            }
        }
        JsonNode templates = call(http, baseUrl, token, "GET", "/api/templates", null).path("templates");
        for (int i = templates.size(); i < 2; i++) {
            // What a merchant does on the Templates screen: a new template from the starter body, then an edit.
            JsonNode created = call(http, baseUrl, token, "POST", "/api/templates", JSON.writeValueAsString(Map.of(
                    "name", "Bench template " + (i + 1), "subject", "We miss you, ${customer.first_name}",
                    "bodyHtml", "<p>Hi ${customer.first_name},</p>\n<p>Thank you for shopping with us.</p>\n")));
            call(http, baseUrl, token, "PUT", "/api/templates/" + created.path("id").asLong(), JSON.writeValueAsString(
                    Map.of("subject", "It has been a while, ${customer.first_name}", "bodyHtml", "<h1>Come back"
                            + "</h1>\n<p>Hi ${customer.first_name},</p>\n<p>Your favourites are waiting for you at "
                            + "${shop.name}.</p>\n<p><a href=\"https://example.com/\">Shop now</a></p>\n")));
        }
        List<ShopSample.TemplateSample> samples = new ArrayList<>();
        for (JsonNode t : call(http, baseUrl, token, "GET", "/api/templates", null).path("templates")) {
            JsonNode full = call(http, baseUrl, token, "GET", "/api/templates/" + t.path("id").asLong(), null);
            samples.add(new ShopSample.TemplateSample(full.path("id").asLong(), full.path("subject").asText(),
                    full.path("bodyHtml").asText()));
        }
        return new ShopSample(shop, total, customers, segments, samples, today);
    }

    private static JsonNode call(HttpClient http, URI baseUrl, String token, String method, String path, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(baseUrl.resolve(path)).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token).header("Accept", "application/json");
        if (body != null) {
            builder.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        else {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("Cannot sample the dashboard's data: " + method + " " + path + " answered "
                    + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }
}
