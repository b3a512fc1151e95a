package com.ecomcrm.api.customers;

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
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code GET /api/customers}, {@code /api/customers.csv} and {@code /api/customers/{id}} on the real ClickHouse,
 * behind the real session-token handler and error responses, routed as ApiServer routes them. Two shops with
 * overlapping customer ids; shop A also has a half-written publication (rows under a larger publish_id, no
 * publication row) that must stay invisible.
 */
class CustomersApiTest {
    private static final String CLIENT_ID = "customers-test-client-id";
    private static final String SECRET = "customers-test-client-secret";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final SessionTokens TOKENS = new SessionTokens(CLIENT_ID, SECRET, Clock.systemUTC());
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final ShopId SHOP_A = ShopId.of("customers-" + RUN + "-a.myshopify.com");
    private static final ShopId SHOP_B = ShopId.of("customers-" + RUN + "-b.myshopify.com");
    private static final ShopId FRESH = ShopId.of("customers-" + RUN + "-fresh.myshopify.com");
    private static final List<String> TABLES = List.of("customer_rfm", "customer_predictions",
            "customer_segment_history", "segment_history_dates", "shop_publications");
    private static final LocalDate D27 = LocalDate.of(2026, 11, 27);
    private static final LocalDate D28 = LocalDate.of(2026, 11, 28);
    private static final LocalDate D29 = LocalDate.of(2026, 11, 29);
    private static final String INJECTION = "' OR 1=1 --";

    private static Vertx vertx;
    private static ClickHouseGateway clickHouse;
    private static String base;

    @BeforeAll
    static void start() {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        new ClickHouseMigrator(ClickHouseTarget.fromEnv()).migrate();
        clickHouse = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment());
        vertx = Vertx.vertx();
        CustomerHandlers customers = new CustomerHandlers(vertx, new ClickHouseCustomerReader(clickHouse));
        // A second export with a tiny cap and chunk, to see truncation and chunking without 100k rows.
        CustomerHandlers capped = new CustomerHandlers(vertx, new ClickHouseCustomerReader(clickHouse), 3, 2);
        // The routes exactly as ApiServer declares them.
        Router router = Router.router(vertx);
        ErrorResponses errors = new ErrorResponses();
        router.route("/api/*").handler(new SessionTokenHandler(new SessionTokenVerifier(CLIENT_ID, SECRET,
                Clock.systemUTC())));
        router.get("/api/customers").handler(customers.list());
        router.get("/api/customers.csv").handler(customers.csv());
        router.get("/api/customers/:id").handler(customers.detail());
        router.get("/api/capped.csv").handler(capped.csv());
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
     * A: publication 300 (the 28th, current) with six customers; 2001 and 2002 tie on spend; 2002 has no prediction
     * row, 1004 is a prospect. A publish of the 29th (400) is half-written: rows, no publication row. B: publication
     * 20 with customer 1001 (a prospect there) and 5555, which exists only in B.
     */
    private static void publishFixtures() {
        rfm(SHOP_A, 300, D28, new Object[][] {
                {1001, 2, 10, 200000, 5, 5, 5, "CHAMPIONS"},
                {1002, 120, 4, 50000, 1, 4, 4, "AT_RISK"},
                {1003, 5, 1, 3000, 5, 1, 1, "NEW"},
                {1004, -1, 0, 0, 0, 0, 0, "PROSPECTS"},
                {2001, 20, 6, 80000, 4, 4, 4, "LOYAL"},
                {2002, 20, 6, 80000, 4, 4, 4, "LOYAL"}});
        clickHouse.forShop(SHOP_A).insertRows("customer_predictions", List.of(
                predicted(300, D28, 1001, 0.5, 1.4, 5.2, 0.95, 20000, 104000, 90000, 120000, "LOW", "2026-12-10"),
                predicted(300, D28, 1002, 0.01, 0.03, 0.1, 0.2, 12500, 5000, 1000, 9000, "HIGH", null),
                predicted(300, D28, 1003, 0.1, 0.2, 0.5, 0.9, 5000, 2500, 2000, 3000, "LOW", "2027-02-01"),
                noOrders(300, D28, 1004),
                predicted(300, D28, 2001, 0.2, 0.6, 2.0, 0.5, 15000, 30000, 20000, 40000, "MEDIUM", "2027-01-05")));
        history(SHOP_A, D27, 200, new Object[][] {{1001, "LOYAL", 150000}, {1002, "LOYAL", 50000}});
        history(SHOP_A, D28, 300, new Object[][] {{1001, "CHAMPIONS", 200000}, {1002, "AT_RISK", 50000}});
        publication(SHOP_A, 300, D28);
        // The next publish, half-way: every row but the publication row.
        rfm(SHOP_A, 400, D29, new Object[][] {{1001, 3, 10, 200000, 5, 5, 5, "DORMANT"},
                {9999, 1, 1, 99999999, 5, 5, 5, "CHAMPIONS"}});
        clickHouse.forShop(SHOP_A).insertRows("customer_predictions", List.of(
                predicted(400, D29, 9999, 1, 1, 1, 1, 1, 99999999, 1, 1, "LOW", null)));
        history(SHOP_A, D29, 400, new Object[][] {{1001, "DORMANT", 200000}});

        rfm(SHOP_B, 20, D28, new Object[][] {{1001, -1, 0, 0, 0, 0, 0, "PROSPECTS"},
                {5555, 1, 50, 999900, 5, 5, 5, "CHAMPIONS"}});
        clickHouse.forShop(SHOP_B).insertRows("customer_predictions", List.of(noOrders(20, D28, 1001),
                predicted(20, D28, 5555, 3, 9, 36, 0.99, 20000, 5000000, 4000000, 6000000, "LOW", "2026-11-30")));
        history(SHOP_B, D28, 20, new Object[][] {{1001, "PROSPECTS", 0}, {5555, "CHAMPIONS", 999900}});
        publication(SHOP_B, 20, D28);
    }

    private static void rfm(ShopId shop, long publishId, LocalDate date, Object[][] customers) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Object[] c : customers) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("publish_id", publishId);
            row.put("as_of_date", date);
            row.put("customer_id", c[0]);
            row.put("recency_days", c[1]);
            row.put("frequency", c[2]);
            row.put("monetary_cents", c[3]);
            row.put("r_score", c[4]);
            row.put("f_score", c[5]);
            row.put("m_score", c[6]);
            row.put("segment", c[7]);
            rows.add(row);
        }
        clickHouse.forShop(shop).insertRows("customer_rfm", rows);
    }

    private static Map<String, Object> predicted(long publishId, LocalDate date, long customer, double e30, double e90,
                                                 double e365, double alive, long orderValue, long clv, long low,
                                                 long high, String churn, String next) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("publish_id", publishId);
        row.put("as_of_date", date);
        row.put("customer_id", customer);
        row.put("prediction_status", "PREDICTED");
        row.put("expected_orders_30d", e30);
        row.put("expected_orders_90d", e90);
        row.put("expected_orders_365d", e365);
        row.put("probability_alive", alive);
        row.put("expected_order_value_cents", orderValue);
        row.put("clv_12m_cents", clv);
        row.put("clv_low_cents", low);
        row.put("clv_high_cents", high);
        row.put("churn_risk", churn);
        row.put("next_order_date", next);
        return row;
    }

    /** A prospect's row: NO_ORDERS, every prediction column left to its default, NULL. */
    private static Map<String, Object> noOrders(long publishId, LocalDate date, long customer) {
        return Map.of("publish_id", publishId, "as_of_date", date, "customer_id", customer,
                "prediction_status", "NO_ORDERS");
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

    private static void publication(ShopId shop, long publishId, LocalDate date) {
        clickHouse.forShop(shop).insertRows("shop_publications", List.of(Map.of("publish_id", publishId,
                "as_of_date", date, "published_at", Instant.parse("2026-11-29T01:00:00Z"), "customers", 6)));
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

    private static List<String> ids(JsonNode body) {
        List<String> ids = new ArrayList<>();
        body.get("items").forEach(item -> ids.add(item.get("customer_id").asText()));
        return ids;
    }

    private static JsonNode item(JsonNode body, String id) {
        for (JsonNode item : body.get("items")) {
            if (item.get("customer_id").asText().equals(id)) {
                return item;
            }
        }
        throw new AssertionError("no customer " + id + " in " + body);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static List<CSVRecord> parseCsv(String body, List<String> header) throws Exception {
        try (CSVParser parser = CSVParser.parse(body,
                CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
            assertThat(parser.getHeaderNames()).isEqualTo(header);
            return parser.getRecords();
        }
    }

    @Test
    void listsTheCurrentPublicationsCustomersByDefaultMostSpendFirst() throws Exception {
        JsonNode a = ok("/api/customers", SHOP_A);

        assertThat(a.get("shop").asText()).isEqualTo(SHOP_A.domain());
        assertThat(a.get("status").asText()).isEqualTo("READY");
        assertThat(a.get("as_of_date").asText()).isEqualTo("2026-11-28");
        assertThat(a.get("total").asLong()).isEqualTo(6);
        assertThat(a.get("page").asInt()).isEqualTo(1);
        assertThat(a.get("page_size").asInt()).isEqualTo(50);
        assertThat(a.get("sort").asText()).isEqualTo("monetary");
        assertThat(a.get("order").asText()).isEqualTo("desc");
        // 2001 and 2002 spent the same: ties by customer id. 9999 and DORMANT are the unswitched publish's.
        assertThat(ids(a)).containsExactly("1001", "2001", "2002", "1002", "1003", "1004");

        JsonNode champion = item(a, "1001");
        assertThat(champion.get("customer_id").isTextual()).isTrue();
        assertThat(champion.get("segment").asText()).isEqualTo("CHAMPIONS");
        assertThat(champion.get("segment_name").asText()).isEqualTo("Champions");
        assertThat(champion.get("recency_days").asInt()).isEqualTo(2);
        assertThat(champion.get("frequency").asLong()).isEqualTo(10);
        assertThat(champion.get("monetary").asText()).isEqualTo("2000.00");
        assertThat(List.of(champion.get("r_score").asInt(), champion.get("f_score").asInt(),
                champion.get("m_score").asInt())).containsExactly(5, 5, 5);
        assertThat(champion.get("prediction_status").asText()).isEqualTo("PREDICTED");
        JsonNode p = champion.get("predictions");
        assertThat(p.get("expected_orders_30d").asDouble()).isEqualTo(0.5);
        assertThat(p.get("expected_orders_90d").asDouble()).isEqualTo(1.4);
        assertThat(p.get("expected_orders_365d").asDouble()).isEqualTo(5.2);
        assertThat(p.get("probability_alive").asDouble()).isEqualTo(0.95);
        assertThat(p.get("expected_order_value").asText()).isEqualTo("200.00");
        assertThat(p.get("clv_12m").get("value").asText()).isEqualTo("1040.00");
        assertThat(p.get("clv_12m").get("low").asText()).isEqualTo("900.00");
        assertThat(p.get("clv_12m").get("high").asText()).isEqualTo("1200.00");
        assertThat(p.get("churn_risk").asText()).isEqualTo("LOW");
        assertThat(p.get("next_order_date").asText()).isEqualTo("2026-12-10");
        assertThat(item(a, "1002").get("predictions").get("next_order_date").isNull()).isTrue();

        JsonNode prospect = item(a, "1004");
        assertThat(prospect.get("recency_days").isNull()).isTrue();
        assertThat(prospect.get("monetary").asText()).isEqualTo("0.00");
        assertThat(prospect.get("prediction_status").asText()).isEqualTo("NO_ORDERS");
        assertThat(prospect.get("predictions").isNull()).isTrue();
        // No prediction row at all (predictions stage not run for it): the customer is still listed.
        assertThat(item(a, "2002").get("prediction_status").isNull()).isTrue();
        assertThat(item(a, "2002").get("predictions").isNull()).isTrue();
    }

    @Test
    void filtersBySegmentChurnRiskClvRangeAndIdPrefix() throws Exception {
        JsonNode loyal = ok("/api/customers?segment=LOYAL", SHOP_A);
        assertThat(loyal.get("total").asLong()).isEqualTo(2);
        assertThat(ids(loyal)).containsExactly("2001", "2002");
        assertThat(ids(ok("/api/customers?segment=at_risk", SHOP_A))).containsExactly("1002");
        assertThat(ok("/api/customers?segment=DORMANT", SHOP_A).get("total").asLong()).isZero();

        assertThat(ids(ok("/api/customers?churn_risk=LOW", SHOP_A))).containsExactly("1001", "1003");
        assertThat(ids(ok("/api/customers?churn_risk=medium", SHOP_A))).containsExactly("2001");

        // Inclusive bounds; customers without a CLV (1004, 2002) never match a CLV filter.
        JsonNode range = ok("/api/customers?clv_min=25&clv_max=300.00&sort=clv_12m&order=asc", SHOP_A);
        assertThat(range.get("total").asLong()).isEqualTo(3);
        assertThat(ids(range)).containsExactly("1003", "1002", "2001");
        assertThat(ids(ok("/api/customers?clv_min=25.01", SHOP_A))).containsExactly("1001", "2001", "1002");
        assertThat(ids(ok("/api/customers?clv_max=50", SHOP_A))).containsExactly("1002", "1003");

        JsonNode prefix = ok("/api/customers?q=100", SHOP_A);
        assertThat(prefix.get("total").asLong()).isEqualTo(4);
        assertThat(ids(prefix)).containsExactly("1001", "1002", "1003", "1004");
        assertThat(ids(ok("/api/customers?q=2002", SHOP_A))).containsExactly("2002");
        assertThat(ok("/api/customers?q=3", SHOP_A).get("total").asLong()).isZero();

        JsonNode combined = ok("/api/customers?segment=LOYAL&churn_risk=MEDIUM&q=20&clv_min=0", SHOP_A);
        assertThat(ids(combined)).containsExactly("2001");
        // Empty values are absent parameters.
        assertThat(ok("/api/customers?segment=&q=&page=", SHOP_A).get("total").asLong()).isEqualTo(6);
    }

    @Test
    void sortsByEveryWhitelistedColumnWithMissingValuesLastAndTiesById() throws Exception {
        assertThat(ids(ok("/api/customers?sort=recency_days&order=asc", SHOP_A)))
                .containsExactly("1001", "1003", "2001", "2002", "1002", "1004");
        assertThat(ids(ok("/api/customers?sort=recency_days&order=desc", SHOP_A)))
                .containsExactly("1002", "2001", "2002", "1003", "1001", "1004");
        assertThat(ids(ok("/api/customers?sort=frequency&order=asc", SHOP_A)))
                .containsExactly("1004", "1003", "1002", "2001", "2002", "1001");
        assertThat(ids(ok("/api/customers?sort=monetary&order=asc", SHOP_A)))
                .containsExactly("1004", "1003", "1002", "2001", "2002", "1001");
        assertThat(ids(ok("/api/customers?sort=clv_12m", SHOP_A)))
                .containsExactly("1001", "2001", "1002", "1003", "1004", "2002");
        assertThat(ids(ok("/api/customers?sort=probability_alive&order=asc", SHOP_A)))
                .containsExactly("1002", "2001", "1003", "1001", "1004", "2002");
        assertThat(ids(ok("/api/customers?sort=customer_id&order=desc", SHOP_A)))
                .containsExactly("2002", "2001", "1004", "1003", "1002", "1001");
        assertThat(ids(ok("/api/customers?sort=CUSTOMER_ID&order=ASC", SHOP_A)))
                .containsExactly("1001", "1002", "1003", "1004", "2001", "2002");
    }

    @Test
    void pagesKeepTheTotalAndPartitionTheList() throws Exception {
        List<String> seen = new ArrayList<>();
        for (int page = 1; page <= 3; page++) {
            JsonNode body = ok("/api/customers?page_size=2&page=" + page, SHOP_A);
            assertThat(body.get("total").asLong()).isEqualTo(6);
            assertThat(body.get("page").asInt()).isEqualTo(page);
            assertThat(body.get("page_size").asInt()).isEqualTo(2);
            assertThat(body.get("items")).hasSize(2);
            seen.addAll(ids(body));
        }
        assertThat(seen).containsExactly("1001", "2001", "2002", "1002", "1003", "1004");
        JsonNode past = ok("/api/customers?page_size=2&page=4", SHOP_A);
        assertThat(past.get("total").asLong()).isEqualTo(6);
        assertThat(past.get("items")).isEmpty();
        assertThat(ids(ok("/api/customers?page_size=5&page=2&segment=LOYAL", SHOP_A))).isEmpty();
        assertThat(ok("/api/customers?page_size=200", SHOP_A).get("items")).hasSize(6);
    }

    @Test
    void refusesBadParametersNamingThemAndReadingNothing() throws Exception {
        assertBad("/api/customers?segment=FOO", "segment", "CHAMPIONS");
        assertBad("/api/customers?churn_risk=SOMEWHAT", "churn_risk", "LOW, MEDIUM, HIGH");
        assertBad("/api/customers?clv_min=abc", "clv_min", "amount");
        assertBad("/api/customers?clv_max=-5", "clv_max", "amount");
        assertBad("/api/customers?clv_min=1.234", "clv_min", "2 decimals");
        assertBad("/api/customers?clv_min=1e3", "clv_min", "amount");
        assertBad("/api/customers?clv_min=10&clv_max=5", "clv_min", "clv_max");
        assertBad("/api/customers?q=jane%40example.com", "q", "emails");
        assertBad("/api/customers?q=12345678901234567890", "q", "digits");
        assertBad("/api/customers?sort=password", "sort", "recency_days, frequency, monetary, clv_12m");
        assertBad("/api/customers?order=sideways", "order", "asc or desc");
        assertBad("/api/customers?page=0", "page", "1 to 1000000");
        assertBad("/api/customers?page=-1", "page", "1 to");
        assertBad("/api/customers?page=99999999999", "page", "1 to");
        assertBad("/api/customers?page_size=1000", "page_size", "1 to 200");
        assertBad("/api/customers?page_size=0", "page_size", "1 to 200");
        assertBad("/api/customers?page=1&page=2", "page", "more than once");
        for (String name : CustomerParameters.NAMES) {
            String query = "?" + name + "=" + encode(INJECTION);
            assertBad("/api/customers" + query, name, "");
            assertBad("/api/customers.csv" + query, name, "");
        }
        assertBad("/api/customers.csv?sort=password", "sort", "recency_days");
        assertBad("/api/customers/abc", "id", "abc");
        assertBad("/api/customers/" + encode(INJECTION), "id", "positive whole number");
        assertBad("/api/customers/0", "id", "positive");
        assertBad("/api/customers/99999999999999999999", "id", "positive");
        assertThat(get("/api/customers", null).statusCode()).isEqualTo(401);
        assertThat(get("/api/customers.csv", null).statusCode()).isEqualTo(401);
        assertThat(get("/api/customers/1001", null).statusCode()).isEqualTo(401);
    }

    @Test
    void aShopNeverSeesAnotherShopsCustomers() throws Exception {
        JsonNode a = ok("/api/customers?page_size=200", SHOP_A);
        JsonNode b = ok("/api/customers?page_size=200", SHOP_B);
        assertThat(ids(a)).doesNotContain("5555");
        assertThat(ids(b)).containsExactly("5555", "1001");
        assertThat(item(b, "1001").get("segment").asText()).isEqualTo("PROSPECTS");
        assertThat(ok("/api/customers?q=5555", SHOP_A).get("total").asLong()).isZero();
        assertThat(ok("/api/customers?segment=PROSPECTS", SHOP_B).get("total").asLong()).isEqualTo(1);

        // Same id, each shop's own customer and history.
        JsonNode inA = ok("/api/customers/1001", SHOP_A);
        JsonNode inB = ok("/api/customers/1001", SHOP_B);
        assertThat(inA.get("customer").get("segment").asText()).isEqualTo("CHAMPIONS");
        assertThat(inB.get("customer").get("segment").asText()).isEqualTo("PROSPECTS");
        assertThat(inB.get("rfm_history")).hasSize(1);

        // B's customer is "not found" for A exactly like an id nobody has.
        HttpResponse<String> elsewhere = get("/api/customers/5555", SHOP_A);
        HttpResponse<String> nowhere = get("/api/customers/7777", SHOP_A);
        assertError(elsewhere, 404, "id", "5555");
        assertError(nowhere, 404, "id", "7777");
        assertThat(elsewhere.body().replace("5555", "N")).isEqualTo(nowhere.body().replace("7777", "N"));

        HttpResponse<String> csv = get("/api/customers.csv?sort=customer_id&order=asc", SHOP_A);
        List<CSVRecord> records = parseCsv(csv.body(), CustomerCsv.HEADER);
        assertThat(records.stream().map(r -> r.get("customer_id")).toList())
                .containsExactly("1001", "1002", "1003", "1004", "2001", "2002");
    }

    @Test
    void detailHasRfmPredictionsAndTheHistoryOfPublishedSnapshotsOnly() throws Exception {
        JsonNode body = ok("/api/customers/1001", SHOP_A);

        assertThat(body.get("shop").asText()).isEqualTo(SHOP_A.domain());
        assertThat(body.get("as_of_date").asText()).isEqualTo("2026-11-28");
        JsonNode customer = body.get("customer");
        assertThat(customer.get("customer_id").asText()).isEqualTo("1001");
        assertThat(customer.get("segment").asText()).isEqualTo("CHAMPIONS");
        assertThat(customer.get("monetary").asText()).isEqualTo("2000.00");
        assertThat(customer.get("predictions").get("clv_12m").get("value").asText()).isEqualTo("1040.00");
        List<String> history = new ArrayList<>();
        for (JsonNode point : body.get("rfm_history")) {
            history.add(point.get("date").asText() + " " + point.get("segment").asText() + " "
                    + point.get("segment_name").asText() + " " + point.get("monetary").asText());
        }
        // The 29th (publication 400, not switched to) is not there.
        assertThat(history).containsExactly("2026-11-27 LOYAL Loyal 1500.00",
                "2026-11-28 CHAMPIONS Champions 2000.00");

        JsonNode prospect = ok("/api/customers/1004", SHOP_A).get("customer");
        assertThat(prospect.get("recency_days").isNull()).isTrue();
        assertThat(prospect.get("predictions").isNull()).isTrue();
        assertThat(ok("/api/customers/1004", SHOP_A).get("rfm_history")).isEmpty();
        // Only in the half-written publication.
        assertError(get("/api/customers/9999", SHOP_A), 404, "id", "9999");
    }

    @Test
    void csvExportHasTheSameFiltersAndSortAndParsesBack() throws Exception {
        HttpResponse<String> response = get("/api/customers.csv?q=100&sort=customer_id&order=asc", SHOP_A);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/csv; charset=utf-8");
        assertThat(response.headers().firstValue("Content-Disposition").orElseThrow())
                .contains("customers-" + SHOP_A.domain() + "-2026-11-28.csv");
        assertThat(response.headers().firstValue("X-Total-Count")).hasValue("4");
        assertThat(response.headers().firstValue("X-Export-Rows")).hasValue("4");
        assertThat(response.headers().firstValue("X-Export-Truncated")).hasValue("false");
        assertThat(response.body()).startsWith(String.join(",", CustomerCsv.HEADER) + "\r\n");
        List<CSVRecord> records = parseCsv(response.body(), CustomerCsv.HEADER);
        assertThat(records).hasSize(4);
        CSVRecord champion = records.get(0);
        assertThat(champion.get("customer_id")).isEqualTo("1001");
        assertThat(champion.get("segment")).isEqualTo("CHAMPIONS");
        assertThat(champion.get("recency_days")).isEqualTo("2");
        assertThat(champion.get("monetary")).isEqualTo("2000.00");
        assertThat(champion.get("probability_alive")).isEqualTo("0.95");
        assertThat(champion.get("clv_12m")).isEqualTo("1040.00");
        assertThat(champion.get("clv_12m_low")).isEqualTo("900.00");
        assertThat(champion.get("next_order_date")).isEqualTo("2026-12-10");
        CSVRecord prospect = records.get(3);
        assertThat(prospect.get("customer_id")).isEqualTo("1004");
        assertThat(prospect.get("recency_days")).isEmpty();
        assertThat(prospect.get("prediction_status")).isEqualTo("NO_ORDERS");
        assertThat(prospect.get("clv_12m")).isEmpty();

        // Same list as the JSON pages, every page.
        List<CSVRecord> all = parseCsv(get("/api/customers.csv?page=1&page_size=1", SHOP_A).body(),
                CustomerCsv.HEADER);
        assertThat(all.stream().map(r -> r.get("customer_id")).toList())
                .isEqualTo(ids(ok("/api/customers?page_size=200", SHOP_A)));
        assertThat(all.get(1).get("segment_name")).isEqualTo("Loyal");
    }

    @Test
    void csvExportIsCappedAndSaysSoInItsHeaders() throws Exception {
        // Cap 3 (LIMIT 3 in the one query), written in batches of 2.
        HttpResponse<String> response = get("/api/capped.csv", SHOP_A);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Total-Count")).hasValue("6");
        assertThat(response.headers().firstValue("X-Export-Rows")).hasValue("3");
        assertThat(response.headers().firstValue("X-Export-Truncated")).hasValue("true");
        assertThat(parseCsv(response.body(), CustomerCsv.HEADER).stream().map(r -> r.get("customer_id")).toList())
                .containsExactly("1001", "2001", "2002");
        HttpResponse<String> whole = get("/api/capped.csv?segment=LOYAL", SHOP_A);
        assertThat(whole.headers().firstValue("X-Export-Truncated")).hasValue("false");
        assertThat(parseCsv(whole.body(), CustomerCsv.HEADER)).hasSize(2);
    }

    @Test
    void csvEscapesCommasQuotesAndLineBreaks() throws Exception {
        List<String> header = List.of("a", "b", "c", "d");
        List<String> awkward = List.of("Smith, Jane", "say \"hi\"", "two\r\nlines", "' OR 1=1 --");
        String text = CustomerCsv.records(List.of(header, awkward));

        assertThat(text).contains("\"Smith, Jane\"").contains("\"say \"\"hi\"\"\"");
        List<CSVRecord> records = parseCsv(text, header);
        assertThat(records).hasSize(1);
        assertThat(records.get(0).toList()).isEqualTo(awkward);
    }

    @Test
    void beforeTheFirstRunTheListIsEmptyAndNotComputed() throws Exception {
        JsonNode body = ok("/api/customers", FRESH);
        assertThat(body.get("status").asText()).isEqualTo("NOT_COMPUTED");
        assertThat(body.get("as_of_date").isNull()).isTrue();
        assertThat(body.get("total").asLong()).isZero();
        assertThat(body.get("items")).isEmpty();
        assertError(get("/api/customers/1001", FRESH), 404, "id", "1001");
        HttpResponse<String> csv = get("/api/customers.csv", FRESH);
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(parseCsv(csv.body(), CustomerCsv.HEADER)).isEmpty();
    }

    private static void assertBad(String path, String field, String message) throws Exception {
        HttpResponse<String> response = get(path, SHOP_A);
        assertError(response, 400, field, message);
        assertThat(JSON.readTree(response.body()).has("items")).isFalse();
        assertThat(response.body()).doesNotContain("1001");
    }

    private static void assertError(HttpResponse<String> response, int status, String field, String message)
            throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode error = JSON.readTree(response.body()).get("error");
        assertThat(error.get("field").asText()).as(response.body()).isEqualTo(field);
        assertThat(error.get("message").asText()).contains(message);
    }
}
