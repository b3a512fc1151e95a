package com.ecomcrm.api.analytics;

import com.ecomcrm.api.auth.SessionTokenHandler;
import com.ecomcrm.api.auth.SessionTokenVerifier;
import com.ecomcrm.api.http.ErrorResponses;
import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.schema.ClickHouseMigrator;
import com.ecomcrm.schema.ClickHouseTarget;
import com.ecomcrm.testing.session.SessionTokens;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code GET /api/segments/movement} and {@code GET /api/kpis} on the real ClickHouse, behind the real session-token
 * handler and error responses, routed as ApiServer routes them. Rows are published by hand for two shops with
 * overlapping customer ids; every shop has a fresh random name.
 */
class AnalyticsApiTest {
    private static final String CLIENT_ID = "analytics-test-client-id";
    private static final String SECRET = "analytics-test-client-secret";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final SessionTokens TOKENS = new SessionTokens(CLIENT_ID, SECRET, Clock.systemUTC());
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final ShopId SHOP_A = ShopId.of("analytics-" + RUN + "-a.myshopify.com");
    private static final ShopId SHOP_B = ShopId.of("analytics-" + RUN + "-b.myshopify.com");
    private static final ShopId FRESH = ShopId.of("analytics-" + RUN + "-fresh.myshopify.com");
    private static final List<String> TABLES = List.of("segment_transitions", "shop_daily_kpis",
            "customer_segment_history", "segment_history_dates", "shop_publications");
    private static final LocalDate D26 = LocalDate.of(2026, 11, 26);
    private static final LocalDate D27 = LocalDate.of(2026, 11, 27);
    private static final LocalDate D28 = LocalDate.of(2026, 11, 28);
    private static final LocalDate D29 = LocalDate.of(2026, 11, 29);

    private static Vertx vertx;
    private static ClickHouseGateway clickHouse;
    private static String base;

    @BeforeAll
    static void start() {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        new ClickHouseMigrator(ClickHouseTarget.fromEnv()).migrate();
        clickHouse = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment());
        vertx = Vertx.vertx();
        // The routes exactly as ApiServer declares them.
        Router router = Router.router(vertx);
        ErrorResponses errors = new ErrorResponses();
        router.route("/api/*").handler(new SessionTokenHandler(new SessionTokenVerifier(CLIENT_ID, SECRET,
                Clock.systemUTC())));
        router.get("/api/segments/movement").handler(new SegmentMovementHandler(vertx,
                new ClickHouseMovementReader(clickHouse)));
        router.get("/api/kpis").handler(new KpisHandler(vertx, new ClickHouseKpiReader(clickHouse)));
        router.route().failureHandler(errors);
        router.errorHandler(404, errors);
        HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
        base = "http://127.0.0.1:" + server.actualPort();
        publishFixtures();
    }

    @AfterAll
    static void stop() {
        if (clickHouse != null) {
            for (ShopId shop : List.of(SHOP_A, SHOP_B)) {
                for (String table : TABLES) {
                    clickHouse.forShop(shop).execute(
                            SqlTemplate.of("ALTER TABLE " + table + " DELETE WHERE shop_id = {shop}"));
                }
            }
            clickHouse.close();
        }
        if (vertx != null) {
            vertx.close().await();
        }
    }

    /**
     * A: snapshots 26th (publication 100), 27th (200), 28th (300, current, with the nightly transitions from the 27th),
     * and a 29th written by a publish that has not switched yet (400). B: 27th (10) and 28th (20, current), no
     * precomputed transitions. Customer ids overlap between the shops.
     */
    private static void publishFixtures() {
        history(SHOP_A, D26, 100, new Object[][] {{1, "NEW", 1000}, {2, "NEW", 2000}});
        history(SHOP_A, D27, 200, new Object[][] {{1, "LOYAL", 10000}, {2, "NEW", 5000}, {3, "DORMANT", 500}});
        history(SHOP_A, D28, 300, new Object[][] {{1, "CHAMPIONS", 20000}, {2, "NEW", 6000}, {4, "NEW", 700}});
        clickHouse.forShop(SHOP_A).insertRows("segment_transitions", List.of(
                transition(300, D27, D28, "DORMANT", "NONE", 1, 0),
                transition(300, D27, D28, "LOYAL", "CHAMPIONS", 1, 20000),
                transition(300, D27, D28, "NEW", "NEW", 1, 6000),
                transition(300, D27, D28, "NONE", "NEW", 1, 700)));
        clickHouse.forShop(SHOP_A).insertRows("shop_daily_kpis", List.of(
                kpi(300, D26, 2, 3000, 1500, 2, 0, 2, 2, 0, 0.0),
                kpi(300, D27, 3, 12501, 4167, 1, 2, 2, 3, 2, 0.6667),
                kpi(300, D28, 1, 10000, 10000, 0, 1, 1, 3, 2, 0.6667)));
        publication(SHOP_A, 300, D28);
        // The next publish, half-way: rows and its history slice are there, its publication row is not.
        history(SHOP_A, D29, 400, new Object[][] {{1, "AT_RISK", 20000}});
        clickHouse.forShop(SHOP_A).insertRows("shop_daily_kpis", List.of(
                kpi(400, D29, 99, 99, 1, 99, 0, 99, 99, 0, 0.0)));

        history(SHOP_B, D27, 10, new Object[][] {{1, "CHAMPIONS", 99900}});
        history(SHOP_B, D28, 20, new Object[][] {{1, "AT_RISK", 99900}, {2, "NEW", 1}});
        clickHouse.forShop(SHOP_B).insertRows("shop_daily_kpis", List.of(
                kpi(20, D28, 7, 70000, 10000, 7, 0, 7, 8, 1, 0.125)));
        publication(SHOP_B, 20, D28);
    }

    private static void history(ShopId shop, LocalDate date, long publishId, Object[][] customers) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Object[] c : customers) {
            rows.add(Map.of("as_of_date", date, "publish_id", publishId, "customer_id", c[0], "segment", c[1],
                    "monetary_cents", c[2]));
        }
        clickHouse.forShop(shop).insertRows("customer_segment_history", rows);
        clickHouse.forShop(shop).insertRows("segment_history_dates", List.of(Map.of("as_of_date", date,
                "publish_id", publishId, "customers", customers.length)));
    }

    private static Map<String, Object> transition(long publishId, LocalDate from, LocalDate to, String fromSegment,
                                                  String toSegment, long customers, long cents) {
        return Map.of("publish_id", publishId, "from_date", from, "to_date", to, "from_segment", fromSegment,
                "to_segment", toSegment, "customers", customers, "revenue_cents", cents);
    }

    private static Map<String, Object> kpi(long publishId, LocalDate day, long orders, long revenue, long aov,
                                           long newOrders, long returning, long buyers, long customers, long repeat,
                                           double rate) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("publish_id", publishId);
        row.put("kpi_date", day);
        row.put("orders", orders);
        row.put("revenue_cents", revenue);
        row.put("aov_cents", aov);
        row.put("new_customer_orders", newOrders);
        row.put("returning_customer_orders", returning);
        row.put("buyers", buyers);
        row.put("customers", customers);
        row.put("repeat_customers", repeat);
        row.put("repeat_rate", rate);
        return row;
    }

    private static void publication(ShopId shop, long publishId, LocalDate date) {
        clickHouse.forShop(shop).insertRows("shop_publications", List.of(Map.of("publish_id", publishId,
                "as_of_date", date, "published_at", java.time.Instant.parse("2026-11-29T01:00:00Z"),
                "customers", 3)));
    }

    private static HttpResponse<String> get(String path, ShopId shop) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).GET();
        if (shop != null) {
            request.header("Authorization", "Bearer " + TOKENS.issue(shop));
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode ok(String path, ShopId shop) throws Exception {
        HttpResponse<String> response = get(path, shop);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static List<String> moves(JsonNode body) {
        List<String> moves = new ArrayList<>();
        for (JsonNode t : body.get("transitions")) {
            moves.add(t.get("from_segment").asText() + " -> " + t.get("to_segment").asText() + " "
                    + t.get("customers").asLong() + " " + t.get("revenue").asText());
        }
        return moves;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void movementDefaultsToTheLatestTwoPublishedSnapshotsOfTheShopOnly() throws Exception {
        JsonNode a = ok("/api/segments/movement", SHOP_A);
        JsonNode b = ok("/api/segments/movement", SHOP_B);

        assertThat(a.get("shop").asText()).isEqualTo(SHOP_A.domain());
        assertThat(a.get("status").asText()).isEqualTo("READY");
        assertThat(a.get("from").asText()).isEqualTo("2026-11-27");
        assertThat(a.get("to").asText()).isEqualTo("2026-11-28");
        assertThat(a.get("source").asText()).isEqualTo("nightly");
        // The 29th is written but not switched to: not offered.
        assertThat(texts(a.get("available_dates"))).containsExactly("2026-11-26", "2026-11-27", "2026-11-28");
        List<String> expectedA = List.of("DORMANT -> NONE 1 0.00", "LOYAL -> CHAMPIONS 1 200.00",
                "NEW -> NEW 1 60.00", "NONE -> NEW 1 7.00");
        assertThat(moves(a)).containsExactlyElementsOf(expectedA);
        assertThat(a.get("total_customers").asLong()).isEqualTo(4);
        assertThat(a.get("moved_customers").asLong()).isEqualTo(3);
        assertThat(a.get("transitions").get(0).get("to_name").asText()).isEqualTo("No longer a customer");
        assertThat(a.get("transitions").get(1).get("from_name").asText()).isEqualTo("Loyal");

        // B has no precomputed rows: computed from its history, and none of A's customers show up.
        assertThat(b.get("source").asText()).isEqualTo("history");
        assertThat(moves(b)).containsExactly("CHAMPIONS -> AT_RISK 1 999.00", "NONE -> NEW 1 0.01");

        // The same pair computed from the history (one self-join query) agrees with the nightly rows.
        ClickHouseMovementReader reader = new ClickHouseMovementReader(clickHouse);
        SegmentMovement joined = reader.joined(SHOP_A, new HistorySlice(D27, 200), new HistorySlice(D28, 300));
        assertThat(joined.precomputed()).isFalse();
        assertThat(joined.moves()).isEqualTo(reader.movement(SHOP_A, new HistorySlice(D27, 200),
                new HistorySlice(D28, 300)).moves());
    }

    @Test
    void movementBetweenAnyTwoPublishedDates() throws Exception {
        JsonNode body = ok("/api/segments/movement?from=2026-11-26&to=2026-11-28", SHOP_A);

        assertThat(body.get("source").asText()).isEqualTo("history");
        assertThat(moves(body)).containsExactly("NEW -> CHAMPIONS 1 200.00", "NEW -> NEW 1 60.00",
                "NONE -> NEW 1 7.00");
        assertThat(moves(ok("/api/segments/movement?from=2026-11-26", SHOP_A))).isEqualTo(moves(body));
        assertThat(moves(ok("/api/segments/movement?to=2026-11-27", SHOP_A))).containsExactly(
                "NEW -> LOYAL 1 100.00", "NEW -> NEW 1 50.00", "NONE -> DORMANT 1 5.00");
    }

    @Test
    void movementRefusesBadOrUnpublishedDatesNamingTheParameter() throws Exception {
        assertError(get("/api/segments/movement?from=2026-11-31", SHOP_A), 400, "from", "YYYY-MM-DD");
        assertError(get("/api/segments/movement?to=28.11.2026", SHOP_A), 400, "to", "YYYY-MM-DD");
        assertError(get("/api/segments/movement?from=2026-11-28&to=2026-11-28", SHOP_A), 400, "from", "before");
        assertError(get("/api/segments/movement?from=2026-11-28", SHOP_A), 400, "from", "before");
        assertError(get("/api/segments/movement?from=2026-11-01", SHOP_A), 404, "from",
                "2026-11-26, 2026-11-27, 2026-11-28");
        assertError(get("/api/segments/movement?to=2026-11-29", SHOP_A), 404, "to", "2026-11-28");
        assertError(get("/api/segments/movement?to=2026-11-26", SHOP_A), 404, "from", "before 2026-11-26");
        // B's dates are B's: A's 26th is not one of them.
        assertError(get("/api/segments/movement?from=2026-11-26", SHOP_B), 404, "from", "2026-11-27, 2026-11-28");
        assertThat(get("/api/segments/movement", null).statusCode()).isEqualTo(401);
    }

    @Test
    void beforeTwoSnapshotsMovementAndKpisSayNotComputed() throws Exception {
        JsonNode movement = ok("/api/segments/movement", FRESH);
        JsonNode kpis = ok("/api/kpis", FRESH);

        assertThat(movement.get("status").asText()).isEqualTo("NOT_COMPUTED");
        assertThat(movement.get("transitions")).isEmpty();
        assertThat(kpis.get("status").asText()).isEqualTo("NOT_COMPUTED");
        assertThat(kpis.get("days")).isEmpty();
        assertError(get("/api/segments/movement?from=2026-11-01", FRESH), 404, "from", "none yet");
    }

    @Test
    void kpisAreTheDailySeriesOfTheShopsCurrentPublication() throws Exception {
        JsonNode a = ok("/api/kpis", SHOP_A);
        JsonNode b = ok("/api/kpis", SHOP_B);

        assertThat(a.get("status").asText()).isEqualTo("READY");
        assertThat(a.get("as_of_date").asText()).isEqualTo("2026-11-28");
        assertThat(a.get("from").asText()).isEqualTo("2026-10-30");
        assertThat(a.get("to").asText()).isEqualTo("2026-11-28");
        List<String> days = new ArrayList<>();
        for (JsonNode d : a.get("days")) {
            days.add(d.get("date").asText() + " " + d.get("orders").asLong() + " " + d.get("revenue").asText() + " "
                    + d.get("aov").asText() + " " + d.get("new_customer_orders").asLong() + "/"
                    + d.get("returning_customer_orders").asLong() + " " + d.get("customers").asLong() + " "
                    + d.get("repeat_rate").asDouble());
        }
        // The 29th (publication 400 not switched to) is not there.
        assertThat(days).containsExactly("2026-11-26 2 30.00 15.00 2/0 2 0.0", "2026-11-27 3 125.01 41.67 1/2 3 0.6667",
                "2026-11-28 1 100.00 100.00 0/1 3 0.6667");
        JsonNode totals = a.get("totals");
        assertThat(totals.get("orders").asLong()).isEqualTo(6);
        assertThat(totals.get("revenue").asText()).isEqualTo("255.01");
        assertThat(totals.get("aov").asText()).isEqualTo("42.50");
        assertThat(totals.get("customers").asLong()).isEqualTo(3);

        assertThat(b.get("days")).hasSize(1);
        assertThat(b.get("days").get(0).get("revenue").asText()).isEqualTo("700.00");
        assertThat(b.get("totals").get("repeat_rate").asDouble()).isEqualTo(0.125);

        JsonNode oneDay = ok("/api/kpis?from=2026-11-27&to=2026-11-27", SHOP_A);
        assertThat(oneDay.get("days")).hasSize(1);
        assertThat(oneDay.get("days").get(0).get("date").asText()).isEqualTo("2026-11-27");
        assertThat(ok("/api/kpis?to=2026-11-26", SHOP_A).get("days")).hasSize(1);
    }

    @Test
    void kpisRefuseBadParametersNamingThem() throws Exception {
        assertError(get("/api/kpis?from=yesterday", SHOP_A), 400, "from", "YYYY-MM-DD");
        assertError(get("/api/kpis?to=2026-02-30", SHOP_A), 400, "to", "YYYY-MM-DD");
        assertError(get("/api/kpis?from=2026-11-28&to=2026-11-27", SHOP_A), 400, "from", "after");
        assertError(get("/api/kpis?from=2030-01-01", SHOP_A), 400, "from", "after");
        assertError(get("/api/kpis?from=2000-01-01&to=2026-01-01", SHOP_A), 400, "from", "days");
        assertThat(get("/api/kpis", null).statusCode()).isEqualTo(401);
    }

    private static void assertError(HttpResponse<String> response, int status, String field, String message)
            throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode error = JSON.readTree(response.body()).get("error");
        assertThat(error.get("field").asText()).as(response.body()).isEqualTo(field);
        assertThat(error.get("message").asText()).contains(message);
    }
}
