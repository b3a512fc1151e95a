package com.ecomcrm.bench;

import com.ecomcrm.api.ApiMain;
import com.ecomcrm.api.config.ApiConfig;
import com.ecomcrm.api.shopify.AdminApiClient;
import com.ecomcrm.api.shopify.BulkImport;
import com.ecomcrm.api.shopify.BulkQueries;
import com.ecomcrm.bench.screens.DashboardScreens;
import com.ecomcrm.bench.screens.ScreenBudget;
import com.ecomcrm.bench.screens.ScreenPlans;
import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.landing.LandingLayout;
import com.ecomcrm.landing.LandingZone;
import com.ecomcrm.testing.session.SessionTokens;
import com.ecomcrm.testing.shopify.SimulatedShops;
import com.ecomcrm.testing.shopify.SimulatedStore;
import com.ecomcrm.testing.shopify.SimulatedWebhook;
import com.ecomcrm.testing.shopify.SimulatorServer;
import com.ecomcrm.testing.shopify.StoreGenerator;
import com.ecomcrm.testing.shopify.WebhookTimeline;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The foundation's benchmark, on the real local servers and the benchmark's own throwaway databases:
 * {@code bin/bench [tiny|small|medium]}, or {@code bin/run benchmarks com.ecomcrm.bench.FoundationBench --scale small
 * --out bench}. Stages, each timed: store generation, the bulk import of every shop through the in-process Shopify
 * simulator, the webhook intake under load, the nightly pipeline (child JVM), and the dashboard API against the same
 * reads made directly on ClickHouse. bench/README.md says what each figure means.
 */
public final class FoundationBench {
    private static final Logger LOG = LoggerFactory.getLogger(FoundationBench.class);
    private static final String CLIENT_ID = "bench-client-id";
    private static final String SECRET = "bench-client-secret";
    private static final Instant HISTORY_END = StoreGenerator.DEFAULT_HISTORY_END;
    private static final Instant HISTORY_START = HISTORY_END.minus(StoreGenerator.DEFAULT_HISTORY);
    /** The nightly run's logical date: the last full day of the simulated history. */
    private static final LocalDate AS_OF = LocalDate.of(2025, 12, 31);
    private static final ShopId WEBHOOK_SHOP = ShopId.of("bench-webhooks.myshopify.com");
    static final String FIRST_NIGHT = "nightly, first night (initial load)";
    static final String STEADY_NIGHT = "nightly, steady-state night (one day of new activity)";

    private FoundationBench() {
    }

    public static void main(String[] args) throws Exception {
        String scaleName = "small";
        Path out = Path.of("bench");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--scale" -> scaleName = args[++i];
                case "--out" -> out = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: FoundationBench [--scale tiny|small|medium] [--out DIR]");
                    System.exit(2);
                }
            }
        }
        Scale scale = Scale.named(scaleName);
        String fraction = System.getenv("ECOMCRM_BENCH_SHOPS");
        if (fraction != null && !fraction.isBlank()) {
            scale = scale.withShops(Integer.parseInt(fraction.trim()));
        }
        Report report = run(scale, repositoryRoot());
        report.write(out);
        System.out.println(report.markdown());
        System.out.println("Written: " + out.resolve("results-" + scaleName + ".json") + ", "
                + out.resolve("results-" + scaleName + ".md"));
        System.exit(0); // the HTTP clients' selector threads are not daemons
    }

    static Report run(Scale scale, Path root) throws Exception {
        List<StageResult> stages = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Instant startedAt = Instant.now();

        // Databases and folder from the environment, so a long run (medium) can go beside others' `bin/bench tiny`.
        String database = System.getenv().getOrDefault("ECOMCRM_BENCH_DB", BenchDatabases.DATABASE);
        String folder = System.getenv().getOrDefault("ECOMCRM_BENCH_DIR", "var/bench");
        LOG.info("Scale {} ({} shops): fresh databases {} and {}/", scale.name(), scale.shops(), database, folder);
        BenchDatabases world = BenchDatabases.fresh(root, database, folder);
        Map<String, String> env = world.environment(CLIENT_ID, SECRET);
        if (scale.shops() < Scale.named(scale.name()).shops()) {
            notes.add("FRACTION: " + scale.shops() + " of the " + Scale.named(scale.name()).shops() + " bulk shops of "
                    + "scale " + scale.name() + " (ECOMCRM_BENCH_SHOPS); the other stages at the scale's own sizes");
        }

        // 1. and 2. Store generation and bulk sync, one shop at a time: each store is generated, served by a
        // simulator of its own and imported, then dropped (medium does not fit in memory at once). The two stages'
        // times are the sums of their own parts; starting and stopping each shop's simulator is in neither.
        GeneratedStores stores = new GeneratedStores(scale, HISTORY_START, HISTORY_END);
        List<SimulatedWebhook> timeline = webhookTimeline(scale.webhookWarmup() + scale.webhookDeliveries());
        List<SimulatedWebhook> warmup = timeline.subList(0, scale.webhookWarmup());
        List<SimulatedWebhook> measured = timeline.subList(scale.webhookWarmup(), timeline.size());

        Vertx vertx = Vertx.vertx();
        ClickHouseSettings clickHouseSettings = world.clickHouse();
        ApiMain.Application api = ApiMain.Application.start(vertx, ApiConfig.from(env), clickHouseSettings,
                Clock.systemUTC()).await();
        URI apiUrl = URI.create("http://127.0.0.1:" + api.server().actualPort());
        try (ClickHouseGateway clickHouse = ClickHouseGateway.connect(clickHouseSettings)) {
            Machine machine = Machine.describe(root, clickHouse, world.postgres());

            // 1./2. Every shop, one after another, as the app's initial import runs them.
            LOG.info("Generating and bulk-importing {} shops x {} customers", stores.size(),
                    scale.customersPerShop());
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            long generationNanos = 0;
            long importNanos = 0;
            long customers = 0;
            long orders = 0;
            long lines = 0;
            long landed = 0;
            long rejected = 0;
            // Each bulk shop's email history (sends, opens, clicks, unsubscribes) in PostgreSQL, so the nightly's
            // email_performance stage has real work (EmailHistory; not timed: data preparation).
            EmailHistory emailHistory = new EmailHistory(world, AS_OF);
            // The day after the history, for the steady-state night: each shop's new orders, sign-ups and abandoned
            // checkouts land as webhooks (the product's LandingZone) into a folder of their own while the store is in
            // hand, and move into the landing zone after the first night (not timed: data preparation).
            NextDayActivity nextDay = new NextDayActivity(Scale.SEED, HISTORY_END);
            NextDayActivity.Counts nextDayCounts = new NextDayActivity.Counts(0, 0, 0, 0);
            Path nextDayLanding = world.work().resolve("next-day-landing");
            LandingZone nextDayZone = new LandingZone(new LandingLayout(nextDayLanding), Clock.systemUTC());
            for (int i = 0; i < stores.size(); i++) {
                long start = System.nanoTime();
                SimulatedStore store = stores.get(i);
                generationNanos += System.nanoTime() - start;
                customers += store.customers().size();
                orders += store.orders().size();
                lines += store.lineCount();
                SimulatorServer.ShopAccount account = new SimulatorServer.ShopAccount(store,
                        SimulatedShops.accessToken(Scale.SEED, store.shop()));
                SimulatorServer simulator = new SimulatorServer(List.of(account),
                        SimulatorServer.Options.defaults().withPort(0));
                String deployment = vertx.deployVerticle(simulator).await();
                start = System.nanoTime();
                BulkImport bulk = new BulkImport(new AdminApiClient(http, simulator.adminUrlTemplate(), account.shop(),
                        account.accessToken()), api.landingZone(), world::connect, Clock.systemUTC(),
                        Duration.ofMillis(50), Duration.ofMinutes(30));
                for (String[] objects : List.of(new String[] {"customers", BulkQueries.CUSTOMERS},
                        new String[] {"orders", BulkQueries.ORDERS})) {
                    var result = bulk.importObjects(account.shop(), objects[0], objects[1]);
                    landed += result.linesLanded();
                    rejected += result.rejects().size();
                }
                importNanos += System.nanoTime() - start;
                vertx.undeploy(deployment).await();
                emailHistory.add(store);
                nextDayCounts = nextDayCounts.plus(nextDay.land(store, nextDayZone));
                if ((i + 1) % 50 == 0) {
                    LOG.info("Imported {} of {} shops: {} orders, {} lines landed", i + 1, stores.size(), orders,
                            landed);
                }
            }
            stages.add(new StageResult("store generation", generationNanos / 1e9, orders, "orders", null, null,
                    new TreeMap<>(Map.of("customers", customers, "order_lines", lines))));
            stages.add(new StageResult("bulk sync to landing", importNanos / 1e9, landed, "JSONL lines", null, null,
                    new TreeMap<>(Map.of("shops", stores.size(), "lines_rejected", rejected))));
            DataSizes data = new DataSizes(stores.size(), customers, orders, lines, 1, timeline.size());
            notes.add("email history for the nightly's email_performance stage: " + emailHistory.summary());
            emailHistory.close();
            nextDayZone.close();

            // 3. Webhook intake under load.
            LOG.info("Webhook intake: {} deliveries (+{} warm-up), {} in flight", measured.size(), warmup.size(),
                    scale.webhookConcurrency());
            try (WebhookLoad load = new WebhookLoad(apiUrl.resolve("/webhooks"), SECRET, scale.webhookConcurrency())) {
                stages.add(load.run(warmup, measured));
            }

            // 4. The nightly pipeline, in its own JVM.
            PipelineRun pipeline = new PipelineRun(root, env, System.getenv().getOrDefault("BENCH_PIPELINE_XMX", "4g"));
            String missing = pipeline.missing();
            boolean published = false;
            if (missing == null) {
                LOG.info("Nightly pipeline for {} (child JVM)", AS_OF);
                stages.add(pipeline.nightly(FIRST_NIGHT, AS_OF, world.landing(),
                        world.work().resolve("pipeline.log"), landed + timeline.size()));
                published = true;
            }
            else {
                notes.add("nightly pipeline: NOT RUN, " + missing + "; the dashboard figures below read shops with no "
                        + "publication (status NOT_COMPUTED: one ClickHouse query instead of two)");
                LOG.warn("Skipping the nightly pipeline: {}", missing);
            }

            // 5. Dashboard API latency, and the same reads straight on ClickHouse. Every screen and every answer is
            // measured whole, so the bench shops are on the plan with every feature (the API's PlanGate refuses the
            // others or leaves predictions out; a bulk-imported shop has no shops row, i.e. Free).
            try (java.sql.Connection connection = world.connect();
                 java.sql.PreparedStatement upsert = connection.prepareStatement("INSERT INTO shops (shop_domain, plan)"
                         + " VALUES (?, 'pro') ON CONFLICT (shop_domain) DO UPDATE SET plan = 'pro'")) {
                for (ShopId shop : stores.shops()) {
                    upsert.setString(1, shop.domain());
                    upsert.executeUpdate();
                }
            }
            LOG.info("Dashboard: {} clients x {} requests", scale.dashboardClients(), scale.requestsPerClient());
            List<ShopId> shops = stores.shops();
            DashboardLoad dashboard = new DashboardLoad(shops, scale.dashboardClients(), scale.requestsPerClient(),
                    published);
            StageResult viaApi = dashboard.api(apiUrl, new SessionTokens(CLIENT_ID, SECRET, Clock.systemUTC()));
            StageResult raw = dashboard.rawClickHouse(clickHouse);
            Map<String, Object> overhead = new TreeMap<>(viaApi.details());
            overhead.put("overhead_p50_x", ratio(viaApi.latency().p50Ms(), raw.latency().p50Ms()));
            overhead.put("overhead_p95_x", ratio(viaApi.latency().p95Ms(), raw.latency().p95Ms()));
            overhead.put("throughput_vs_raw", ratio(viaApi.rowsPerSecond(), raw.rowsPerSecond()));
            stages.add(viaApi.with(viaApi.latency(), null, overhead));
            stages.add(raw);

            // 5b. Every dashboard screen as the browser loads it, against the p95 budget (bench/README.md).
            LOG.info("Dashboard screens: {} clients x {} screen loads", scale.dashboardClients(),
                    scale.requestsPerClient());
            DashboardScreens dashboardScreens = new DashboardScreens(shops, scale.dashboardClients(),
                    scale.requestsPerClient(), ScreenBudget.DASHBOARD, LocalDate.now(Clock.systemUTC()));
            DashboardScreens.Results screens = dashboardScreens.run(apiUrl, new SessionTokens(CLIENT_ID, SECRET,
                    Clock.systemUTC()));
            stages.addAll(screens.stages());
            notes.addAll(screens.notes());
            // 5b'. Issue #7's budget: one merchant alone clicking through every screen in turn (as many loads as one
            // of the clients above made).
            LOG.info("Dashboard screens: one merchant");
            DashboardScreens.Results oneMerchant = dashboardScreens.runOneMerchant(apiUrl, new SessionTokens(CLIENT_ID,
                    SECRET, Clock.systemUTC()), Math.max(3, scale.requestsPerClient() / ScreenPlans.SCREENS.size()));
            stages.addAll(oneMerchant.stages());
            notes.addAll(oneMerchant.notes());

            // 5c. Send throughput to a local SMTP sink, then the tracking endpoints on the emails it sent.
            SendThroughput.Outcome sends = new SendThroughput(world, env, SendThroughput.Settings.of(scale)).run();
            stages.add(sends.stage());
            LOG.info("Tracking endpoints under load");
            stages.add(new TrackingLoad(apiUrl, TrackingLoad.Settings.of(scale)).run(sends.sent(),
                    com.ecomcrm.tracking.TrackingLinks.fromEnv(env), world::connect, world));

            // 6. Baselines (RFM in PostgreSQL, BG/NBD by lifetimes), after the load stages so they do not compete.
            BaselineStages.run(root, world, stores, AS_OF, clickHouse, stages, notes);

            // 7. The steady-state night: one more day of activity landed, the nightly run again for that day. After
            // the baselines, which compare their RFM with the first night's publication; reported beside the first.
            if (published) {
                moveInto(nextDayLanding, world.landing());
                LocalDate nextDate = AS_OF.plusDays(1);
                LOG.info("Steady-state nightly for {} (child JVM): {}", nextDate, nextDayCounts);
                StageResult steady = pipeline.nightly(STEADY_NIGHT, nextDate, world.landing(),
                        world.work().resolve("pipeline-steady.log"), nextDayCounts.webhooks());
                Map<String, Object> details = new java.util.LinkedHashMap<>(steady.details());
                details.put("new_orders", nextDayCounts.orders());
                details.put("new_customers", nextDayCounts.customers());
                details.put("new_checkouts", nextDayCounts.checkouts());
                int first = stages.indexOf(stages.stream().filter(s -> s.name().equals(FIRST_NIGHT)).findFirst()
                        .orElseThrow());
                stages.add(first + 1, steady.with(steady.latency(), steady.peakMemoryMb(), details));
            }

            busyNote(machine).ifPresent(notes::add);
            notes.add("bench JVM peak RSS " + selfPeakMb() + " MB (simulator, API, load generators, one store at a time)");
            return new Report(scale, startedAt, machine, data, stages, notes);
        }
        finally {
            api.close().await();
        }
    }

    /** Moves every landed file under {@code from} to the same place under {@code to}, as if it had landed there. */
    private static void moveInto(Path from, Path to) throws java.io.IOException {
        if (!Files.isDirectory(from)) {
            return;
        }
        try (var files = Files.walk(from)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                Files.createDirectories(target.getParent());
                Files.move(file, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
        }
    }

    /** The first {@code count} deliveries of an extra shop's timeline, generated big enough to have them. */
    static List<SimulatedWebhook> webhookTimeline(int count) {
        int customers = Math.max(50, count / 4);
        while (true) {
            SimulatedStore store = StoreGenerator.generate(Scale.SEED, WEBHOOK_SHOP, customers, HISTORY_START,
                    HISTORY_END);
            List<SimulatedWebhook> timeline = WebhookTimeline.of(store);
            if (timeline.size() >= count) {
                return List.copyOf(timeline.subList(0, count));
            }
            customers = (int) (customers * 1.5);
        }
    }

    /** Other work on the machine competes with the servers and the load generators; say so in the results. */
    private static java.util.Optional<String> busyNote(Machine machine) {
        try {
            double atStart = Double.parseDouble(machine.loadAverage().split(" ")[0]);
            String atEnd = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0];
            return atStart > machine.processors() || Double.parseDouble(atEnd) > machine.processors()
                    ? java.util.Optional.of("machine busy: load average " + atStart + " at start and " + atEnd
                    + " at end on " + machine.processors() + " CPUs; other work competed for the CPUs, so every"
                    + " figure is pessimistic and noisy")
                    : java.util.Optional.empty();
        }
        catch (Exception e) {
            return java.util.Optional.empty();
        }
    }

    private static double ratio(double a, double b) {
        return b == 0 ? 0 : Math.round(a / b * 100) / 100.0;
    }

    private static long selfPeakMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
        }
        catch (Exception ignored) {
            // not Linux
        }
        return -1;
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("pipelines/pom.xml"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("Cannot find the repository root above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
