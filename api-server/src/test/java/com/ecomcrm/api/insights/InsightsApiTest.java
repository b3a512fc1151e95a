package com.ecomcrm.api.insights;

import com.ecomcrm.api.auth.SessionTokenHandler;
import com.ecomcrm.api.auth.SessionTokenVerifier;
import com.ecomcrm.api.http.ErrorResponses;
import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.schema.ClickHouseTarget;
import com.ecomcrm.schema.PostgresTarget;
import com.ecomcrm.schema.SchemaMigrator;
import com.ecomcrm.testing.session.SessionTokens;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code GET /api/insights} and {@code POST /api/insights/{id}/dismiss|done} on the real ClickHouse and PostgreSQL,
 * behind the real session-token handler and error responses, routed as ApiServer routes them.
 */
class InsightsApiTest {
    private static final String CLIENT_ID = "insights-test-client-id";
    private static final String SECRET = "insights-test-client-secret";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final SessionTokens TOKENS = new SessionTokens(CLIENT_ID, SECRET, Clock.systemUTC());
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final ShopId SHOP_A = ShopId.of("insights-" + RUN + "-a.myshopify.com");
    private static final ShopId SHOP_B = ShopId.of("insights-" + RUN + "-b.myshopify.com");
    private static final ShopId QUIET = ShopId.of("insights-" + RUN + "-quiet.myshopify.com");
    /** Its own shop for the state changes, so the read-only tests never see them. */
    private static final ShopId SHOP_C = ShopId.of("insights-" + RUN + "-c.myshopify.com");
    private static final LocalDate D28 = LocalDate.of(2026, 11, 28);
    private static final String AT_RISK_ID = "a1b2c3d4e5f6a7b8c9d0";
    private static final String FLOW_OFF_ID = "0f0f0f0f0f0f0f0f0f0f";
    private static final String B_ID = "bbbbbbbbbbbbbbbbbbbb";

    private static Vertx vertx;
    private static ClickHouseGateway clickHouse;
    private static Pool postgres;
    private static String base;

    @BeforeAll
    static void start() {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        PostgresTarget target = PostgresTarget.fromEnv();
        SchemaMigrator.migrateAll(target, ClickHouseTarget.fromEnv());
        clickHouse = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment());
        vertx = Vertx.vertx();
        postgres = PgBuilder.pool().with(new PoolOptions().setMaxSize(2))
                .connectingTo(PgConnectOptions.fromUri(target.url().substring("jdbc:".length()))
                        .setUser(target.user()).setPassword(target.password()))
                .using(vertx).build();
        InsightHandlers insights = new InsightHandlers(vertx, new ClickHouseInsightReader(clickHouse),
                new InsightStates(postgres));
        Router router = Router.router(vertx);
        ErrorResponses errors = new ErrorResponses();
        router.route("/api/*").handler(new SessionTokenHandler(new SessionTokenVerifier(CLIENT_ID, SECRET,
                Clock.systemUTC())));
        router.get("/api/insights").handler(insights.list());
        router.post("/api/insights/:id/dismiss").handler(insights.dismiss());
        router.post("/api/insights/:id/done").handler(insights.done());
        router.route().failureHandler(errors);
        router.errorHandler(404, errors);
        HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
        base = "http://127.0.0.1:" + server.actualPort();

        clickHouse.forShop(SHOP_A).insertRows("shop_insights", List.of(
                insight(300, AT_RISK_ID, "REVENUE_AT_RISK", "HIGH", 1, "1,200.00 of predicted revenue is at risk",
                        "{\"customers\":12,\"predictedValueCents\":120000}", "/flows/win_back"),
                insight(300, FLOW_OFF_ID, "FLOW_OFF", "MEDIUM", 2, "Your win back flow is off",
                        "{\"customers\":120}", "/flows/win_back")));
        publication(SHOP_A, 300);
        clickHouse.forShop(SHOP_B).insertRows("shop_insights", List.of(
                insight(20, B_ID, "FLOW_OFF", "MEDIUM", 1, "Your vip flow is off", "{\"customers\":60}",
                        "/flows/vip")));
        publication(SHOP_B, 20);
        publication(QUIET, 5);
        clickHouse.forShop(SHOP_C).insertRows("shop_insights", List.of(
                insight(300, AT_RISK_ID, "REVENUE_AT_RISK", "HIGH", 1, "1,200.00 of predicted revenue is at risk",
                        "{\"customers\":12,\"predictedValueCents\":120000}", "/flows/win_back"),
                insight(300, FLOW_OFF_ID, "FLOW_OFF", "MEDIUM", 2, "Your win back flow is off",
                        "{\"customers\":120}", "/flows/win_back")));
        publication(SHOP_C, 300);
    }

    @AfterAll
    static void stop() {
        if (clickHouse != null) {
            for (ShopId shop : List.of(SHOP_A, SHOP_B, QUIET, SHOP_C)) {
                for (String table : List.of("shop_insights", "shop_publications")) {
                    clickHouse.forShop(shop).execute(
                            SqlTemplate.of("ALTER TABLE " + table + " DELETE WHERE shop_id = {shop}"));
                }
            }
            clickHouse.close();
        }
        if (postgres != null) {
            postgres.preparedQuery("DELETE FROM insight_states WHERE shop_domain IN ($1, $2, $3, $4)")
                    .execute(Tuple.of(SHOP_A.domain(), SHOP_B.domain(), QUIET.domain(), SHOP_C.domain())).await();
        }
        if (vertx != null) {
            vertx.close().await();
        }
    }

    private static Map<String, Object> insight(long publishId, String id, String kind, String severity, int rank,
                                               String title, String numbers, String path) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("publish_id", publishId);
        row.put("as_of_date", D28);
        row.put("insight_id", id);
        row.put("kind", kind);
        row.put("subject", "s-" + id);
        row.put("severity", severity);
        row.put("rank", rank);
        row.put("title", title);
        row.put("body", "Body of " + id);
        row.put("numbers", numbers);
        row.put("action_label", "Act on " + id);
        row.put("action_path", path);
        return row;
    }

    private static void publication(ShopId shop, long publishId) {
        clickHouse.forShop(shop).insertRows("shop_publications", List.of(Map.of("publish_id", publishId,
                "as_of_date", D28, "published_at", Instant.parse("2026-11-29T01:00:00Z"), "customers", 3)));
    }

    private static HttpResponse<String> call(String method, String path, ShopId shop) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (shop != null) {
            request.header("Authorization", "Bearer " + TOKENS.issue(shop));
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode ok(String method, String path, ShopId shop) throws Exception {
        HttpResponse<String> response = call(method, path, shop);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static List<String> listed(ShopId shop) throws Exception {
        List<String> out = new ArrayList<>();
        ok("GET", "/api/insights", shop).get("insights").forEach(i -> out.add(i.get("rank").asInt() + " "
                + i.get("id").asText() + " " + i.get("state").asText()));
        return out;
    }

    @Test
    void listsTheCurrentInsightsByRankInTheContractShape() throws Exception {
        JsonNode first = ok("GET", "/api/insights", SHOP_A).get("insights").get(0);

        assertThat(first.get("id").asText()).isEqualTo(AT_RISK_ID);
        assertThat(first.get("kind").asText()).isEqualTo("REVENUE_AT_RISK");
        assertThat(first.get("severity").asText()).isEqualTo("HIGH");
        assertThat(first.get("rank").asInt()).isEqualTo(1);
        assertThat(first.get("title").asText()).isEqualTo("1,200.00 of predicted revenue is at risk");
        assertThat(first.get("body").asText()).isEqualTo("Body of " + AT_RISK_ID);
        assertThat(first.at("/numbers/customers").asLong()).isEqualTo(12);
        assertThat(first.at("/numbers/predictedValueCents").asLong()).isEqualTo(120000);
        assertThat(first.at("/action/label").asText()).isEqualTo("Act on " + AT_RISK_ID);
        assertThat(first.at("/action/path").asText()).isEqualTo("/flows/win_back");
        assertThat(first.get("state").asText()).isEqualTo("NEW");
        assertThat(ok("GET", "/api/insights", QUIET).get("insights")).isEmpty();
    }

    @Test
    void dismissAndDoneAreRecordedAndStickToTheSameIdOnTheNextNight() throws Exception {
        JsonNode dismissed = ok("POST", "/api/insights/" + FLOW_OFF_ID + "/dismiss", SHOP_C);
        assertThat(dismissed.get("id").asText()).isEqualTo(FLOW_OFF_ID);
        assertThat(dismissed.get("state").asText()).isEqualTo("DISMISSED");
        assertThat(listed(SHOP_C)).containsExactly("1 " + AT_RISK_ID + " NEW", "2 " + FLOW_OFF_ID + " DISMISSED");

        assertThat(ok("POST", "/api/insights/" + FLOW_OFF_ID + "/done", SHOP_C).get("state").asText())
                .isEqualTo("DONE");
        assertThat(listed(SHOP_C)).containsExactly("1 " + AT_RISK_ID + " NEW", "2 " + FLOW_OFF_ID + " DONE");

        // The next night finds the same thing again (same id, another rank): the merchant's state is still there.
        clickHouse.forShop(SHOP_C).insertRows("shop_insights", List.of(insight(301, FLOW_OFF_ID, "FLOW_OFF",
                "MEDIUM", 1, "Your win back flow is off", "{\"customers\":130}", "/flows/win_back")));
        publication(SHOP_C, 301);
        assertThat(listed(SHOP_C)).containsExactly("1 " + FLOW_OFF_ID + " DONE");
        // The same id in another shop is that shop's own finding, with its own state.
        assertThat(listed(SHOP_A)).containsExactly("1 " + AT_RISK_ID + " NEW", "2 " + FLOW_OFF_ID + " NEW");
    }

    @Test
    void anotherShopsInsightIsNotFoundAndKeepsItsState() throws Exception {
        HttpResponse<String> foreign = call("POST", "/api/insights/" + B_ID + "/dismiss", SHOP_A);
        assertThat(foreign.statusCode()).isEqualTo(404);
        JsonNode error = JSON.readTree(foreign.body()).get("error");
        assertThat(error.get("message").asText())
                .isEqualTo("Cannot update insight " + B_ID + ": it is not one of this shop's current insights");
        assertThat(foreign.body()).doesNotContain("vip", SHOP_B.domain());
        assertThat(listed(SHOP_B)).containsExactly("1 " + B_ID + " NEW");
        assertThat(listed(SHOP_A)).noneMatch(line -> line.contains(B_ID));
    }

    @Test
    void badIdsAndMissingTokensGetClearErrors() throws Exception {
        HttpResponse<String> bad = call("POST", "/api/insights/not-an-id!/done", SHOP_A);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).at("/error/field").asText()).isEqualTo("id");

        assertThat(call("POST", "/api/insights/ffffffffffffffffffff/done", SHOP_A).statusCode()).isEqualTo(404);
        assertThat(call("GET", "/api/insights", null).statusCode()).isEqualTo(401);
    }
}
