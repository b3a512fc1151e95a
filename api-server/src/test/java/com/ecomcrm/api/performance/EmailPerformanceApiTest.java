package com.ecomcrm.api.performance;

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
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code GET /api/email-performance} on the real ClickHouse behind the real session-token handler and error
 * responses, routed as ApiServer routes it. Two shops with the same flow and template ids; a publish that has not
 * switched yet; a shop never published.
 */
class EmailPerformanceApiTest {
    private static final String CLIENT_ID = "performance-test-client-id";
    private static final String SECRET = "performance-test-client-secret";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final SessionTokens TOKENS = new SessionTokens(CLIENT_ID, SECRET, Clock.systemUTC());
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final ShopId SHOP_A = ShopId.of("performance-" + RUN + "-a.myshopify.com");
    private static final ShopId SHOP_B = ShopId.of("performance-" + RUN + "-b.myshopify.com");
    private static final ShopId FRESH = ShopId.of("performance-" + RUN + "-fresh.myshopify.com");
    private static final LocalDate D26 = LocalDate.of(2026, 11, 26);
    private static final LocalDate D27 = LocalDate.of(2026, 11, 27);
    private static final LocalDate D28 = LocalDate.of(2026, 11, 28);

    private static Vertx vertx;
    private static ClickHouseGateway clickHouse;
    private static String base;

    @BeforeAll
    static void start() {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        new ClickHouseMigrator(ClickHouseTarget.fromEnv()).migrate();
        clickHouse = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment());
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        ErrorResponses errors = new ErrorResponses();
        router.route("/api/*").handler(new SessionTokenHandler(new SessionTokenVerifier(CLIENT_ID, SECRET,
                Clock.systemUTC())));
        router.get("/api/email-performance").handler(new EmailPerformanceHandler(vertx,
                new ClickHouseEmailPerformanceReader(clickHouse),
                Clock.fixed(Instant.parse("2026-11-29T08:00:00Z"), ZoneOffset.UTC)));
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
                for (String table : List.of("email_performance", "shop_publications")) {
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
     * A (publication 300): welcome flow 1 with templates 10 and 11, win-back flow 2 with template 20, over the 26th
     * to the 28th; the next publish (400) has written rows but not switched. B (20): flow 1, template 10, the 27th.
     */
    private static void publishFixtures() {
        clickHouse.forShop(SHOP_A).insertRows("email_performance", List.of(
                row(300, D26, 1, "welcome", 10, 100, 4, 40, 30, 10, 1, 2, 5000),
                row(300, D27, 1, "welcome", 11, 50, 0, 20, 5, 5, 0, 1, 2500),
                row(300, D27, 2, "win_back", 20, 30, 2, 7, 0, 3, 2, 0, 0),
                row(300, D28, 1, "welcome", 10, 20, 0, 10, 2, 4, 0, 1, 1234),
                row(400, D28, 1, "welcome", 10, 9999, 0, 9999, 0, 9999, 0, 99, 999_999)));
        publication(SHOP_A, 300, D28);
        clickHouse.forShop(SHOP_B).insertRows("email_performance", List.of(
                row(20, D27, 1, "welcome", 10, 7, 0, 7, 0, 7, 0, 7, 777_700)));
        publication(SHOP_B, 20, D28);
    }

    private static Map<String, Object> row(long publishId, LocalDate day, long flow, String kind, long template,
                                           long sent, long bounced, long opens, long machineOpens, long clicks,
                                           long unsubscribes, long orders, long revenueCents) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("publish_id", publishId);
        row.put("send_date", day);
        row.put("flow_id", flow);
        row.put("flow_kind", kind);
        row.put("template_id", template);
        row.put("sent", sent);
        row.put("delivered", sent - bounced);
        row.put("bounced", bounced);
        row.put("unique_opens", opens);
        row.put("machine_opens", machineOpens);
        row.put("unique_clicks", clicks);
        row.put("unsubscribes", unsubscribes);
        row.put("orders", orders);
        row.put("revenue_cents", revenueCents);
        return row;
    }

    private static void publication(ShopId shop, long publishId, LocalDate date) {
        clickHouse.forShop(shop).insertRows("shop_publications", List.of(Map.of("publish_id", publishId,
                "as_of_date", date, "published_at", Instant.parse("2026-11-29T01:00:00Z"), "customers", 3)));
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

    /** "sent delivered bounced opens machine clicks unsubscribes orders revenue openRate clickRate". */
    private static String metrics(JsonNode m) {
        List<String> parts = new ArrayList<>();
        for (String key : List.of("sent", "delivered", "bounced", "uniqueOpens", "machineOpens", "uniqueClicks",
                "unsubscribes", "orders", "revenueCents", "openRate", "clickRate")) {
            parts.add(m.get(key).asText());
        }
        return String.join(" ", parts);
    }

    @Test
    void totalsSeriesFlowsAndTemplatesOfTheCurrentPublication() throws Exception {
        JsonNode body = ok("/api/email-performance?from=2026-11-25&to=2026-11-28", SHOP_A);

        assertThat(metrics(body.get("totals"))).isEqualTo("200 194 6 77 37 22 3 4 8734 0.3969 0.1134");
        List<String> series = new ArrayList<>();
        body.get("series").forEach(d -> series.add(d.get("date").asText() + " " + metrics(d)));
        assertThat(series).containsExactly(
                "2026-11-25 0 0 0 0 0 0 0 0 0 0.0 0.0",
                "2026-11-26 100 96 4 40 30 10 1 2 5000 0.4167 0.1042",
                "2026-11-27 80 78 2 27 5 8 2 1 2500 0.3462 0.1026",
                "2026-11-28 20 20 0 10 2 4 0 1 1234 0.5 0.2");
        List<String> flows = new ArrayList<>();
        body.get("flows").forEach(f -> flows.add(f.get("flowId").asLong() + " " + f.get("flowKind").asText() + " "
                + metrics(f)));
        assertThat(flows).containsExactly(
                "1 welcome 170 166 4 70 37 19 1 4 8734 0.4217 0.1145",
                "2 win_back 30 28 2 7 0 3 2 0 0 0.25 0.1071");
        List<String> templates = new ArrayList<>();
        body.get("templates").forEach(t -> templates.add(t.get("templateId").asLong() + " " + metrics(t)));
        assertThat(templates).containsExactly(
                "10 120 116 4 50 32 14 1 3 6234 0.431 0.1207",
                "11 50 50 0 20 5 5 0 1 2500 0.4 0.1",
                "20 30 28 2 7 0 3 2 0 0 0.25 0.1071");
    }

    @Test
    void withoutDatesShowsTheThirtyDaysUpToThePublication() throws Exception {
        JsonNode body = ok("/api/email-performance", SHOP_A);

        assertThat(body.get("from").asText()).isEqualTo("2026-10-30");
        assertThat(body.get("to").asText()).isEqualTo("2026-11-28");
        assertThat(body.get("series")).hasSize(30);
        assertThat(body.at("/totals/sent").asLong()).isEqualTo(200);
    }

    @Test
    void anotherShopsRowsNeverComeBack() throws Exception {
        JsonNode b = ok("/api/email-performance?from=2026-11-25&to=2026-11-28", SHOP_B);
        assertThat(metrics(b.get("totals"))).isEqualTo("7 7 0 7 0 7 0 7 777700 1.0 1.0");
        assertThat(b.get("flows")).hasSize(1);
        assertThat(b.get("templates")).hasSize(1);

        JsonNode fresh = ok("/api/email-performance?from=2026-11-25&to=2026-11-28", FRESH);
        assertThat(metrics(fresh.get("totals"))).isEqualTo("0 0 0 0 0 0 0 0 0 0.0 0.0");
        assertThat(fresh.get("flows")).isEmpty();
        assertThat(fresh.get("templates")).isEmpty();
        assertThat(fresh.get("series")).hasSize(4);
        // Never published: the range defaults to the 30 days up to today.
        assertThat(ok("/api/email-performance", FRESH).get("to").asText()).isEqualTo("2026-11-29");
    }

    @Test
    void badInputGetsAClearErrorNamingTheParameter() throws Exception {
        HttpResponse<String> malformed = get("/api/email-performance?from=2026-13-01", SHOP_A);
        assertThat(malformed.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(malformed.body()).get("error");
        assertThat(error.get("field").asText()).isEqualTo("from");
        assertThat(error.get("message").asText())
                .isEqualTo("Cannot read parameter 'from': '2026-13-01' is not a date in the form YYYY-MM-DD");

        HttpResponse<String> reversed = get("/api/email-performance?from=2026-11-28&to=2026-11-01", SHOP_A);
        assertThat(reversed.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(reversed.body()).at("/error/message").asText())
                .isEqualTo("Cannot show email performance: from (2026-11-28) is after to (2026-11-01)");

        HttpResponse<String> tooLong = get("/api/email-performance?from=2000-01-01&to=2026-11-01", SHOP_A);
        assertThat(tooLong.statusCode()).isEqualTo(400);

        assertThat(get("/api/email-performance", null).statusCode()).isEqualTo(401);
    }
}
