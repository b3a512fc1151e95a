package com.ecomcrm.e2e;

import com.ecomcrm.api.ApiMain;
import com.ecomcrm.api.config.ApiConfig;
import com.ecomcrm.api.shopify.AdminApiClient;
import com.ecomcrm.api.shopify.BulkImport;
import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.Segment;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.landing.BulkLandingResult;
import com.ecomcrm.schema.ClickHouseTarget;
import com.ecomcrm.schema.PostgresTarget;
import com.ecomcrm.schema.SchemaMigrator;
import com.ecomcrm.testing.session.SessionTokens;
import com.ecomcrm.testing.shopify.SimulatedCustomer;
import com.ecomcrm.testing.shopify.SimulatedOrder;
import com.ecomcrm.testing.shopify.SimulatedStore;
import com.ecomcrm.testing.shopify.SimulatedWebhook;
import com.ecomcrm.testing.shopify.SimulatorServer;
import com.ecomcrm.testing.shopify.StoreGenerator;
import com.ecomcrm.testing.shopify.WebhookSender;
import com.ecomcrm.testing.shopify.WebhookTimeline;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The foundation's whole path for two simulated shops, on the real servers: the simulator's bulk operation and signed
 * webhooks -> the API's landing zone -> the Spark pipeline (Iceberg, RFM, publish) in its own JVM -> ClickHouse ->
 * {@code GET /api/segments}. Shop A arrives through the bulk import plus a replay of older webhooks (which must not
 * overwrite the newer bulk state); shop B arrives through webhooks only. Both must equal RFM computed independently
 * from the simulator's data. The test owns throwaway databases ({@code ecomcrm_e2e_<pid>}, dropped at the end) so it never touches the demo.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NightlyPathTest {
    // Named per test JVM so that two runs on one machine (a developer's and a clean-clone CI check) never share a
    // database or a work folder.
    private static final String RUN = Long.toString(ProcessHandle.current().pid());
    private static final String DATABASE = "ecomcrm_e2e_" + RUN;
    private static final String CLIENT_ID = "e2e-client-id";
    private static final String SECRET = "e2e-client-secret";
    private static final long SEED = 20260531L;
    private static final Instant HISTORY_START = Instant.parse("2024-06-01T00:00:00Z");
    private static final Instant HISTORY_END = Instant.parse("2026-06-01T00:00:00Z");
    private static final LocalDate AS_OF = LocalDate.of(2026, 5, 31);
    private static final ShopId SHOP_A = ShopId.of("e2e-alpha.myshopify.com");
    private static final ShopId SHOP_B = ShopId.of("e2e-beta.myshopify.com");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final SessionTokens TOKENS = new SessionTokens(CLIENT_ID, SECRET, Clock.systemUTC());

    private Path work;
    private Path landing;
    private Vertx vertx;
    private ApiMain.Application api;
    private ClickHouseGateway clickHouse;
    private PipelineProcess pipeline;
    private PostgresTarget postgres;
    private SimulatedStore storeA;
    private SimulatedStore storeB;
    /** Customers of A that arrived in the hand-written bulk file, beside the simulator's. */
    private final List<Long> extraCustomersOfA = List.of(990001L, 990002L);
    private BulkLandingResult malformedBulk;
    private final Map<String, Integer> webhookStatuses = new TreeMap<>();
    private HttpResponse<String> malformedWebhook;

    @BeforeAll
    void landBothShops() throws Exception {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        Path root = repositoryRoot();
        work = Files.createDirectories(root.resolve("end-to-end-tests/target/e2e-" + RUN));
        try (var old = Files.walk(work)) {
            old.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(work)).forEach(p -> p.toFile().delete());
        }
        landing = Files.createDirectories(work.resolve("landing"));

        postgres = freshPostgresDatabase();
        ClickHouseTarget clickHouseTarget = ClickHouseTarget.fromEnv().withDatabase(DATABASE);
        try (ClickHouseGateway admin = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment())) {
            admin.admin().execute("DROP DATABASE IF EXISTS " + DATABASE);
        }
        SchemaMigrator.migrateAll(postgres, clickHouseTarget);
        ClickHouseSettings clickHouseSettings = ClickHouseSettings.fromEnvironment().withDatabase(DATABASE);
        clickHouse = ClickHouseGateway.connect(clickHouseSettings);

        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("ECOMCRM_PG_URL", postgres.url());
        env.put("ECOMCRM_CH_DATABASE", DATABASE);
        env.put("ECOMCRM_LANDING_DIR", landing.toString());
        env.put("ECOMCRM_WAREHOUSE_DIR", work.resolve("warehouse").toString());
        env.put("ECOMCRM_API_PORT", "0");
        env.put("SHOPIFY_API_KEY", CLIENT_ID);
        env.put("SHOPIFY_API_SECRET", SECRET);
        pipeline = new PipelineProcess(root, env, work);

        storeA = StoreGenerator.generate(SEED, SHOP_A, 400, HISTORY_START, HISTORY_END);
        storeB = StoreGenerator.generate(SEED, SHOP_B, 250, HISTORY_START, HISTORY_END);

        vertx = Vertx.vertx();
        SimulatorServer simulator = new SimulatorServer(List.of(
                new SimulatorServer.ShopAccount(storeA, "shpat_e2e_alpha"),
                new SimulatorServer.ShopAccount(storeB, "shpat_e2e_beta")),
                SimulatorServer.Options.defaults().withPort(0));
        simulator.deployOn(vertx).await();
        api = ApiMain.Application.start(vertx, ApiConfig.from(env), clickHouseSettings, Clock.systemUTC()).await();

        // Shop A: the initial sync, exactly as the app runs it against Shopify.
        new BulkImport(new AdminApiClient(HTTP, simulator.adminUrlTemplate(), SHOP_A, "shpat_e2e_alpha"),
                api.landingZone(), this::postgresConnection, Clock.systemUTC(), Duration.ofMillis(50),
                Duration.ofMinutes(2)).importShop(SHOP_A);
        // ...plus a later bulk file with two good customers and two bad lines: the bad ones are refused by line
        // number, the good ones go through.
        malformedBulk = api.landingZone().landBulk(SHOP_A, "customers", "gid://shopify/BulkOperation/900001",
                new ByteArrayInputStream(String.join("\n",
                        customerLine(990001, "late.one@example.com"),
                        "{\"id\": \"gid://shopify/Customer/990009\", \"email\": ",
                        customerLine(990002, "late.two@example.com"),
                        "{\"email\":\"no-id@example.com\"}").getBytes(StandardCharsets.UTF_8)));

        WebhookSender sender = new WebhookSender(HTTP,
                URI.create("http://127.0.0.1:" + api.server().actualPort() + "/webhooks"), SECRET);
        // Shop A again: a replay of early webhooks, each older than what the bulk import brought.
        List<SimulatedWebhook> timelineA = WebhookTimeline.of(storeA);
        for (SimulatedWebhook webhook : timelineA.subList(0, Math.min(150, timelineA.size()))) {
            webhookStatuses.merge("A " + sender.send(webhook), 1, Integer::sum);
        }
        // Shop B: everything through webhooks, in the order Shopify would have sent them.
        for (SimulatedWebhook webhook : WebhookTimeline.of(storeB)) {
            webhookStatuses.merge("B " + sender.send(webhook), 1, Integer::sum);
        }
        String broken = "{\"id\": 5, \"updated_at\": \"yesterday\"}";
        malformedWebhook = HTTP.send(sender.request(new SimulatedWebhook(SHOP_B, "orders/create", "e2e-broken-1",
                "e2e-event-1", HISTORY_END, "2025-10", broken.getBytes(StandardCharsets.UTF_8))),
                HttpResponse.BodyHandlers.ofString());

        pipeline.nightly(AS_OF, landing, "pipeline-run-1");
    }

    @AfterAll
    void stop() {
        if (vertx != null) {
            api.close().await();
        }
        if (clickHouse != null) {
            clickHouse.admin().execute("DROP DATABASE IF EXISTS " + DATABASE);
            clickHouse.close();
        }
        dropPostgresDatabase();
    }

    @Test
    @Order(1)
    void everyGoodDeliveryWasAcceptedAndEveryBadOneRefusedNamingTheFault() throws Exception {
        assertThat(webhookStatuses.keySet()).containsExactlyInAnyOrder("A 200", "B 200");
        assertThat(malformedBulk.linesLanded()).isEqualTo(2);
        assertThat(malformedBulk.rejects()).extracting(r -> r.line()).containsExactly(2L, 4L);
        assertThat(malformedBulk.rejects().get(1).field()).contains("id");
        assertThat(malformedWebhook.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(malformedWebhook.body()).at("/error/field").asText()).isEqualTo("updated_at");
    }

    @Test
    @Order(2)
    void eachShopsSegmentsEqualAnIndependentComputationFromTheSimulatorsData() throws Exception {
        for (ShopId shop : List.of(SHOP_A, SHOP_B)) {
            Map<Segment, ExpectedRfm.SegmentTotal> expected = ExpectedRfm.bySegment(expectedCustomers(shop));
            JsonNode body = segments(TOKENS.issue(shop));

            assertThat(body.get("status").asText()).isEqualTo("READY");
            assertThat(body.get("as_of_date").asText()).isEqualTo(AS_OF.toString());
            Map<Segment, ExpectedRfm.SegmentTotal> actual = new TreeMap<>();
            for (JsonNode segment : body.get("segments")) {
                actual.put(Segment.fromKey(segment.get("key").asText()), new ExpectedRfm.SegmentTotal(
                        segment.get("customers").asLong(), new BigDecimal(segment.get("revenue").asText())));
            }
            assertThat(actual).as("segments of %s", shop).isEqualTo(new TreeMap<>(expected));
            assertThat(body.get("total_customers").asLong()).isEqualTo(expectedCustomers(shop).size());
        }
    }

    @Test
    @Order(3)
    void everyCustomersScoresEqualTheIndependentComputation() {
        for (ShopId shop : List.of(SHOP_A, SHOP_B)) {
            Map<Long, String> expected = expectedCustomers(shop).values().stream().collect(Collectors.toMap(
                    ExpectedRfm.Customer::customerId,
                    c -> c.recencyDays() + "/" + c.frequency() + "/" + c.monetary().movePointRight(2).longValueExact()
                            + "/" + c.r() + c.f() + c.m() + "/" + c.segment().key()));
            assertThat(publishedCustomers(shop)).as("customer_rfm of %s", shop).isEqualTo(new TreeMap<>(expected));
        }
    }

    @Test
    @Order(3)
    void everyCustomersOrdersArePublishedForTheTimelineAsTheSimulatorHasThem() throws Exception {
        Instant endOfDay = AS_OF.plusDays(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
        for (ShopId shop : List.of(SHOP_A, SHOP_B)) {
            SimulatedStore store = shop.equals(SHOP_A) ? storeA : storeB;
            // order id -> "customer name total refunded net lines cancelled", cents; test orders and orders after
            // the as-of day are not on the timeline, cancelled and refunded ones are.
            Map<Long, String> expected = new TreeMap<>();
            for (SimulatedOrder o : store.orders()) {
                if (o.test() || !o.processedAt().isBefore(endOfDay)) {
                    continue;
                }
                long total = o.totalPrice().movePointRight(2).longValueExact();
                long refunded = o.totalRefunded().movePointRight(2).longValueExact();
                expected.put(o.id(), o.customerId() + " " + o.name() + " " + total + " " + refunded + " "
                        + (total - refunded) + " " + o.lines().size() + " " + (o.cancelledAt() == null ? 0 : 1));
            }
            Map<Long, String> published = new TreeMap<>();
            for (JsonNode row : clickHouse.forShop(shop).select(SqlTemplate.of("""
                    SELECT toString(order_id) AS oid, toString(customer_id) AS cid, order_name,
                           toString(total_cents) AS total, toString(refunded_cents) AS refunded,
                           toString(net_cents) AS net, line_count, cancelled
                    FROM customer_orders
                    WHERE shop_id = {shop}
                      AND publish_id = (SELECT max(publish_id) FROM shop_publications WHERE shop_id = {shop})"""))) {
                published.put(Long.parseLong(row.get("oid").asText()), row.get("cid").asText() + " "
                        + row.get("order_name").asText() + " " + row.get("total").asText() + " "
                        + row.get("refunded").asText() + " " + row.get("net").asText() + " "
                        + row.get("line_count").asInt() + " " + row.get("cancelled").asInt());
            }
            assertThat(published).as("customer_orders of %s", shop).isEqualTo(expected);

            // The API's timeline of a customer with orders: the same orders, newest first.
            SimulatedOrder any = store.orders().stream().filter(o -> expected.containsKey(o.id())).findFirst()
                    .orElseThrow();
            List<SimulatedOrder> theirs = store.orders().stream()
                    .filter(o -> o.customerId() == any.customerId() && expected.containsKey(o.id()))
                    .sorted(java.util.Comparator.comparing(SimulatedOrder::processedAt).reversed()
                            .thenComparing(SimulatedOrder::id, java.util.Comparator.reverseOrder()))
                    .toList();
            HttpResponse<String> response = get("/api/customers/" + any.customerId() + "/orders?page_size=100",
                    TOKENS.issue(shop));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            List<String> timeline = new ArrayList<>();
            JSON.readTree(response.body()).get("items").forEach(item -> timeline.add(item.get("order_id").asText()));
            assertThat(timeline).isEqualTo(theirs.stream().map(o -> Long.toString(o.id())).toList());

            // The simulator's ids are unique across shops, as Shopify's are: the other shop's customer is unknown
            // here (before, the same id named a customer of this shop too, and this probe proved nothing).
            SimulatedStore other = shop.equals(SHOP_A) ? storeB : storeA;
            long foreign = other.orders().get(0).customerId();
            assertThat(store.customers()).noneMatch(c -> c.id() == foreign);
            HttpResponse<String> leak = get("/api/customers/" + foreign + "/orders?page_size=100", TOKENS.issue(shop));
            assertThat(leak.statusCode()).as(leak.body()).isEqualTo(404);
            assertThat(published.keySet()).as("no order of the other shop published for %s", shop)
                    .doesNotContainAnyElementsOf(other.orders().stream().map(SimulatedOrder::id).toList());
        }
    }

    @Test
    @Order(4)
    void aSessionTokenForOneShopNeverReturnsTheOtherShopsRowsAndBadTokensGet401() throws Exception {
        JsonNode a = segments(TOKENS.issue(SHOP_A));
        JsonNode b = segments(TOKENS.issue(SHOP_B));
        assertThat(a.get("shop").asText()).isEqualTo(SHOP_A.domain());
        assertThat(b.get("shop").asText()).isEqualTo(SHOP_B.domain());
        assertThat(a.get("total_customers").asLong()).isEqualTo(storeA.customers().size() + 2);
        assertThat(b.get("total_customers").asLong()).isEqualTo(storeB.customers().size());

        for (String token : List.of(TOKENS.forged(SHOP_A), TOKENS.expired(SHOP_A), TOKENS.forOtherApp(SHOP_A))) {
            HttpResponse<String> response = get("/api/segments", token);
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.body()).doesNotContain("segments\":[{");
        }
    }

    @Test
    @Order(5)
    void runningThePipelineAgainOnTheSameInputChangesNothing() throws Exception {
        String firstDigest = digest("digest-1");
        Map<Long, String> firstA = publishedCustomers(SHOP_A);
        Map<Long, String> firstB = publishedCustomers(SHOP_B);

        pipeline.nightly(AS_OF, landing, "pipeline-run-2");

        assertThat(digest("digest-2")).isEqualTo(firstDigest);
        assertThat(publishedCustomers(SHOP_A)).isEqualTo(firstA);
        assertThat(publishedCustomers(SHOP_B)).isEqualTo(firstB);
        // Only the newest publication of each shop is kept once it has been switched to.
        for (ShopId shop : List.of(SHOP_A, SHOP_B)) {
            assertThat(clickHouse.forShop(shop).select(SqlTemplate.of(
                    "SELECT uniqExact(publish_id) AS n FROM customer_rfm WHERE shop_id = {shop}"))
                    .get(0).get("n").asLong()).isEqualTo(1);
        }
    }

    private String digest(String runName) throws Exception {
        String output = pipeline.run("com.ecomcrm.pipelines.WarehouseDigest", runName);
        String digest = output.lines().filter(line -> line.startsWith("DIGEST ")).collect(Collectors.joining("\n"));
        assertThat(digest).contains("silver.customers", "silver.orders", "silver.order_lines", "gold.customer_rfm");
        return digest;
    }

    private Map<Long, ExpectedRfm.Customer> expectedCustomers(ShopId shop) {
        SimulatedStore store = shop.equals(SHOP_A) ? storeA : storeB;
        List<Long> customerIds = new ArrayList<>(store.customers().stream().map(SimulatedCustomer::id).toList());
        if (shop.equals(SHOP_A)) {
            customerIds.addAll(extraCustomersOfA);
        }
        List<SimulatedOrder> orders = store.orders();
        return ExpectedRfm.compute(customerIds, orders, AS_OF);
    }

    /** customer id -> "recency/frequency/monetary cents/RFM/segment" of the shop's current publication. */
    private Map<Long, String> publishedCustomers(ShopId shop) {
        Map<Long, String> published = new TreeMap<>();
        for (JsonNode row : clickHouse.forShop(shop).select(SqlTemplate.of("""
                SELECT customer_id, recency_days, frequency, monetary_cents, r_score, f_score, m_score, segment
                FROM customer_rfm
                WHERE shop_id = {shop}
                  AND publish_id = (SELECT max(publish_id) FROM shop_publications WHERE shop_id = {shop})"""))) {
            published.put(row.get("customer_id").asLong(), row.get("recency_days").asInt() + "/"
                    + row.get("frequency").asInt() + "/" + row.get("monetary_cents").asLong() + "/"
                    + row.get("r_score").asInt() + row.get("f_score").asInt() + row.get("m_score").asInt() + "/"
                    + row.get("segment").asText());
        }
        return published;
    }

    private JsonNode segments(String token) throws Exception {
        HttpResponse<String> response = get("/api/segments", token);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.server().actualPort() + path))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String customerLine(long id, String email) {
        return "{\"id\":\"gid://shopify/Customer/" + id + "\",\"email\":\"" + email + "\",\"firstName\":\"Late\","
                + "\"lastName\":\"Signup\",\"state\":\"ENABLED\",\"createdAt\":\"2026-05-30T10:00:00Z\","
                + "\"updatedAt\":\"2026-05-30T10:00:00Z\",\"emailMarketingConsent\":null}";
    }

    private Connection postgresConnection() {
        try {
            return DriverManager.getConnection(postgres.url(), postgres.user(), postgres.password());
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PostgresTarget freshPostgresDatabase() throws SQLException {
        PostgresTarget main = PostgresTarget.fromEnv();
        try (Connection connection = DriverManager.getConnection(main.url(), main.user(), main.password());
             Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
            statement.execute("CREATE DATABASE " + DATABASE);
        }
        return new PostgresTarget(main.url().replaceFirst("/[^/?]+(\\?.*)?$", "/" + DATABASE + "$1"), main.user(),
                main.password());
    }

    /** The databases are named per run, so each run removes its own (the work folder stays for a look afterwards). */
    private static void dropPostgresDatabase() {
        PostgresTarget main = PostgresTarget.fromEnv();
        try (Connection connection = DriverManager.getConnection(main.url(), main.user(), main.password());
             Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("Could not drop the test database " + DATABASE, e);
        }
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
