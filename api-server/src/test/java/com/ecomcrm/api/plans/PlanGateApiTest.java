package com.ecomcrm.api.plans;

import com.ecomcrm.api.ApiMain;
import com.ecomcrm.api.billing.BillingStore;
import com.ecomcrm.api.config.ApiConfig;
import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.schema.ClickHouseTarget;
import com.ecomcrm.schema.PostgresTarget;
import com.ecomcrm.schema.SchemaMigrator;
import com.ecomcrm.testing.session.SessionTokens;
import com.ecomcrm.testing.shopify.SimulatorServer;
import com.ecomcrm.testing.shopify.StoreGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Features per plan (PlanGate) on the API server as deployed, on the real PostgreSQL and ClickHouse: a Free shop is
 * refused CSV export, segment movement, prediction filters and its own sender domain with 403 PLAN_REQUIRED naming the
 * feature and the plan, and gets customers and segments without predictions but with a {@code plan_required} marker;
 * a plan change (as Shopify's webhook applies it: ACTIVE, FROZEN, CANCELLED) takes effect on the next request, deletes
 * nothing, and never applies to another shop.
 */
class PlanGateApiTest {
    private static final String CLIENT_ID = "plans-test-client-id";
    private static final String SECRET = "plans-test-client-secret";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final SessionTokens SESSIONS = new SessionTokens(CLIENT_ID, SECRET, Clock.systemUTC());
    private static final List<ShopId> SHOPS = List.of("free", "cycle", "paid", "neighbour", "sender", "contacts")
            .stream().map(name -> ShopId.of("plans-" + RUN + "-" + name + ".myshopify.com")).toList();
    private static final ShopId FREE = SHOPS.get(0);
    private static final ShopId CYCLE = SHOPS.get(1);
    private static final ShopId PAID = SHOPS.get(2);
    private static final ShopId NEIGHBOUR = SHOPS.get(3);
    private static final ShopId SENDER = SHOPS.get(4);
    private static final ShopId CONTACTS = SHOPS.get(5);
    private static final List<String> TABLES = List.of("customer_rfm", "customer_predictions",
            "customer_segment_history", "segment_history_dates", "segment_transitions", "shop_insights",
            "shop_publications");
    private static final LocalDate D27 = LocalDate.of(2026, 11, 27);
    private static final LocalDate D28 = LocalDate.of(2026, 11, 28);
    private static final AtomicLong SUBSCRIPTIONS = new AtomicLong(System.nanoTime() % 1_000_000_000L);

    @TempDir
    static Path landing;

    private static SimulatorServer simulator;
    private static ApiMain.Application application;
    private static ClickHouseGateway clickHouse;
    private static BillingStore billing;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        SchemaMigrator.migrateAll(PostgresTarget.fromEnv(), ClickHouseTarget.fromEnv());
        Vertx vertx = Vertx.vertx();
        simulator = new SimulatorServer(SHOPS.stream().map(shop -> new SimulatorServer.ShopAccount(
                        StoreGenerator.generate(11, shop, 2), "shpat_static_" + shop.handle())).toList(),
                SimulatorServer.Options.defaults().withPort(0).withApp(CLIENT_ID, SECRET));
        simulator.deployOn(vertx).await();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        base = "http://127.0.0.1:" + port;
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("ECOMCRM_API_PORT", Integer.toString(port));
        env.put("SHOPIFY_API_KEY", CLIENT_ID);
        env.put("SHOPIFY_API_SECRET", SECRET);
        env.put("ECOMCRM_LANDING_DIR", landing.toString());
        env.put("ECOMCRM_TOKEN_KEYS", "t1:" + Base64.getEncoder().encodeToString(new byte[32]));
        env.put("ECOMCRM_SHOPIFY_ADMIN_BASE", simulator.adminBaseTemplate());
        env.put("ECOMCRM_SHOPIFY_ADMIN_URL", simulator.adminUrlTemplate());
        env.put("ECOMCRM_PUBLIC_URL", base);
        env.put("ECOMCRM_INITIAL_SYNC", "manual");
        application = ApiMain.Application.start(vertx, ApiConfig.from(env), ClickHouseSettings.fromEnvironment(),
                Clock.systemUTC(), env).await();
        billing = new BillingStore(application.postgres());
        clickHouse = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment());
        for (ShopId shop : SHOPS) {
            application.offlineTokens().forShop(shop, Optional.of(SESSIONS.issue(shop))).await();
            publish(shop);
        }
    }

    @AfterAll
    static void stop() {
        if (clickHouse != null) {
            for (ShopId shop : SHOPS) {
                for (String table : TABLES) {
                    clickHouse.forShop(shop).execute(
                            SqlTemplate.of("ALTER TABLE " + table + " DELETE WHERE shop_id = {shop}"));
                }
            }
            clickHouse.close();
        }
        if (application != null) {
            application.close().await();
        }
    }

    @Test
    void aFreeShopIsRefusedEachPaidFeatureWithTheFeatureAndThePlanThatIncludesIt() throws Exception {
        assertRefused(get("/api/customers.csv", FREE), "csv_export", "starter", null,
                "Cannot use csv export: it is part of the Starter, Growth and Pro plans and this shop is on Free;"
                        + " upgrade in Billing to use it");
        assertRefused(get("/api/segments/movement", FREE), "segment_movement", "growth", null,
                "Cannot use segment movement: it is part of the Growth and Pro plans and this shop is on Free;"
                        + " upgrade in Billing to use it");
        assertRefused(send("PUT", "/api/sender-domain", FREE, "{\"domain\":\"free-brand.example\"}"),
                "own_sender_domain", "growth", null, null);
        assertRefused(send("POST", "/api/sender-domain/verify", FREE, null), "own_sender_domain", "growth", null,
                null);
        // A filter or sort on predictions is refused naming the parameter, never silently ignored.
        assertRefused(get("/api/customers?churn_risk=HIGH", FREE), "predictions", "starter", "churn_risk", null);
        assertRefused(get("/api/customers?clv_min=10", FREE), "predictions", "starter", "clv_min", null);
        assertRefused(get("/api/customers?clv_max=10", FREE), "predictions", "starter", "clv_max", null);
        assertRefused(get("/api/customers?sort=clv_12m", FREE), "predictions", "starter", "sort", null);
        assertRefused(get("/api/customers?sort=PROBABILITY_ALIVE&order=asc", FREE), "predictions", "starter", "sort",
                null);
        // What Free includes still works: the list sorted by spend, the sender domain's state.
        assertThat(get("/api/customers?sort=monetary", FREE).statusCode()).isEqualTo(200);
        assertThat(get("/api/sender-domain", FREE).statusCode()).isEqualTo(200);
    }

    @Test
    void aFreeShopSeesItsCustomersAndSegmentsWithoutPredictionsAndSaysWhy() throws Exception {
        JsonNode list = ok("/api/customers", FREE);
        assertThat(list.get("total").asLong()).isEqualTo(3);
        assertThat(list.at("/plan_required/feature").asText()).isEqualTo("predictions");
        assertThat(list.at("/plan_required/plan").asText()).isEqualTo("starter");
        assertThat(list.at("/plan_required/current_plan").asText()).isEqualTo("free");
        for (JsonNode customer : list.get("items")) {
            assertThat(customer.has("predictions")).isFalse();
            assertThat(customer.has("prediction_status")).isFalse();
            assertThat(customer.at("/plan_required/feature").asText()).isEqualTo("predictions");
            assertThat(customer.get("segment").asText()).isNotEmpty();
        }
        JsonNode detail = ok("/api/customers/1001", FREE);
        assertThat(detail.get("customer").has("predictions")).isFalse();
        assertThat(detail.at("/customer/monetary").asText()).isEqualTo("2000.00");
        assertThat(detail.at("/plan_required/plan").asText()).isEqualTo("starter");
        JsonNode segments = ok("/api/segments", FREE);
        assertThat(segments.at("/plan_required/feature").asText()).isEqualTo("predictions");
        assertThat(segments.get("segments")).isNotEmpty().allSatisfy(segment -> {
            assertThat(segment.has("average_clv_12m")).isFalse();
            assertThat(segment.has("predicted_customers")).isFalse();
        });
        // The insights made of predictions are left out; the others stay.
        JsonNode insights = ok("/api/insights", FREE);
        assertThat(insights.get("insights")).extracting(i -> i.get("kind").asText()).containsExactly("FLOW_OFF");
        assertThat(insights.at("/plan_required/feature").asText()).isEqualTo("predictions");
        assertThat(ok("/api/billing", FREE).get("features")).extracting(JsonNode::asText)
                .containsExactly("segments", "customer_list", "kpis", "email_flows");
    }

    @Test
    void anUpgradeAppliesAtOnceAndADowngradeKeepsEverything() throws Exception {
        // Starter in its trial: Shopify reports the subscription ACTIVE with trial days; the trial has the plan's features.
        String starter = activate(CYCLE, "Starter");
        assertThat(get("/api/customers.csv", CYCLE).statusCode()).isEqualTo(200);
        JsonNode customers = ok("/api/customers?sort=clv_12m", CYCLE);
        assertThat(customers.has("plan_required")).isFalse();
        assertThat(customers.at("/items/0/customer_id").asText()).isEqualTo("1001");
        assertThat(customers.at("/items/0/predictions/clv_12m/value").asText()).isEqualTo("1040.00");
        assertThat(ok("/api/segments", CYCLE).at("/segments/0").has("average_clv_12m")).isTrue();
        // Starter has no segment movement: Growth does.
        assertRefused(get("/api/segments/movement", CYCLE), "segment_movement", "growth", "starter");
        String growth = activate(CYCLE, "Growth");
        assertThat(ok("/api/segments/movement", CYCLE).get("transitions")).isNotEmpty();
        JsonNode domain = JSON.readTree(send("PUT", "/api/sender-domain", CYCLE, "{\"domain\":\"cycle-brand.example\"}")
                .body());
        assertThat(domain.get("status").asText()).isEqualTo("PENDING");

        // Frozen (unpaid bill): back to Free's features at once, nothing deleted.
        change(CYCLE, growth, "FROZEN");
        assertThat(ok("/api/billing", CYCLE).get("plan").asText()).isEqualTo("free");
        assertRefused(get("/api/customers.csv", CYCLE), "csv_export", "starter", null, null);
        assertRefused(get("/api/segments/movement", CYCLE), "segment_movement", "growth", null, null);
        assertThat(ok("/api/customers/1001", CYCLE).get("customer").has("predictions")).isFalse();
        JsonNode kept = ok("/api/sender-domain", CYCLE);
        assertThat(kept.get("domain").asText()).isEqualTo("cycle-brand.example");
        assertThat(kept.get("records")).isNotEmpty();
        assertThat(count(CYCLE, "customer_predictions")).isEqualTo(3);

        // Active again: everything is back with the next request.
        change(CYCLE, growth, "ACTIVE");
        assertThat(ok("/api/customers/1001", CYCLE).at("/customer/predictions/churn_risk").asText()).isEqualTo("LOW");
        assertThat(ok("/api/segments/movement", CYCLE).get("transitions")).isNotEmpty();
        assertThat(get("/api/customers.csv?churn_risk=LOW", CYCLE).body()).contains("1001");

        // Cancelled: free again.
        change(CYCLE, growth, "CANCELLED");
        assertThat(starter).isNotEqualTo(growth);
        assertRefused(get("/api/customers.csv", CYCLE), "csv_export", "starter", null, null);
    }

    @Test
    void anotherShopsPlanNeverApplies() throws Exception {
        activate(PAID, "Pro");
        assertThat(get("/api/customers.csv", PAID).statusCode()).isEqualTo(200);
        assertThat(ok("/api/customers", PAID).at("/items/0/predictions")).isNotNull();
        JsonNode paidInsights = ok("/api/insights", PAID);
        assertThat(paidInsights.has("plan_required")).isFalse();
        assertThat(paidInsights.get("insights")).extracting(i -> i.get("kind").asText())
                .containsExactly("REVENUE_AT_RISK", "VALUABLE_CUSTOMERS_SLIPPING", "FLOW_OFF");
        // The neighbour is on Free: the paid shop's plan does nothing for it, and its own rows are what it gets.
        assertRefused(get("/api/customers.csv", NEIGHBOUR), "csv_export", "starter", null, null);
        assertRefused(get("/api/segments/movement", NEIGHBOUR), "segment_movement", "growth", null, null);
        JsonNode neighbour = ok("/api/customers", NEIGHBOUR);
        assertThat(neighbour.get("shop").asText()).isEqualTo(NEIGHBOUR.domain());
        assertThat(neighbour.get("items")).allSatisfy(c -> assertThat(c.has("predictions")).isFalse());
        assertThat(ok("/api/billing", NEIGHBOUR).get("plan").asText()).isEqualTo("free");
    }

    @Test
    void aDowngradedShopKeepsItsFromAddressButCannotSetANewOne() throws Exception {
        String growth = activate(SENDER, "Growth");
        sql("INSERT INTO sender_domains (shop_domain, domain, dkim_selector, dkim_key_ref, dkim_private_key, "
                + "dkim_public_key, verified_at) VALUES ($1, 'sender-brand.example', 'ecomcrm1', 'sealed:', "
                + "'\\x00'::bytea, 'AAAA', now())", SENDER.domain());
        HttpResponse<String> saved = send("PUT", "/api/settings", SENDER, settings("hello@sender-brand.example"));
        assertThat(saved.statusCode()).as(saved.body()).isEqualTo(200);

        change(SENDER, growth, "CANCELLED");
        // The same address again (the dashboard saves the whole form): allowed, the quiet hours change.
        HttpResponse<String> again = send("PUT", "/api/settings", SENDER, settings("hello@sender-brand.example"));
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(JSON.readTree(again.body()).get("fromAddress").asText()).isEqualTo("hello@sender-brand.example");
        // A new one: refused, naming the field.
        assertRefused(send("PUT", "/api/settings", SENDER, settings("news@sender-brand.example")),
                "own_sender_domain", "growth", "fromAddress", null);
        // Cleared: allowed.
        assertThat(send("PUT", "/api/settings", SENDER, settings(null)).statusCode()).isEqualTo(200);
    }

    @Test
    void billingCountsContactsAgainstTheLimitAndSaysWhenTheShopIsOverIt() throws Exception {
        // Free allows 250 contacts: 252 subscribed, plus customers who are not contacts.
        sql("INSERT INTO consent (shop_domain, customer_id, email, marketing_state, updated_at) "
                + "SELECT $1, g, 'c' || g || '@example.com', 'SUBSCRIBED', now() FROM generate_series(1, 253) g",
                CONTACTS.domain());
        sql("INSERT INTO consent (shop_domain, customer_id, email, marketing_state, updated_at) VALUES "
                + "($1, 900, 'n@example.com', 'NOT_SUBSCRIBED', now()), ($1, 901, 'u@example.com', 'UNSUBSCRIBED', now()), "
                + "($1, 902, NULL, 'SUBSCRIBED', now()), ($1, 903, 'r@example.com', 'REDACTED', now())",
                CONTACTS.domain());
        sql("INSERT INTO suppressions (shop_domain, email, reason) VALUES ($1, 'c253@example.com', 'hard_bounce')",
                CONTACTS.domain());
        JsonNode usage = ok("/api/billing", CONTACTS).get("usage");
        assertThat(usage.get("contacts").asLong()).isEqualTo(252);
        assertThat(usage.get("contacts_limit").asLong()).isEqualTo(250);
        assertThat(usage.get("over_contacts_limit").asBoolean()).isTrue();
        assertThat(usage.get("contacts_beyond_limit").asLong()).isEqualTo(2);
        assertThat(usage.get("over_quota").asBoolean()).isFalse();

        activate(CONTACTS, "Starter");
        JsonNode upgraded = ok("/api/billing", CONTACTS).get("usage");
        assertThat(upgraded.get("contacts").asLong()).isEqualTo(252);
        assertThat(upgraded.get("contacts_limit").asLong()).isEqualTo(2500);
        assertThat(upgraded.get("over_contacts_limit").asBoolean()).isFalse();
        // Another shop's contacts are its own.
        assertThat(ok("/api/billing", NEIGHBOUR).at("/usage/contacts").asLong()).isZero();
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static void assertRefused(HttpResponse<String> response, String feature, String plan, String currentPlan)
            throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
        JsonNode error = JSON.readTree(response.body()).get("error");
        assertThat(error.get("feature").asText()).isEqualTo(feature);
        assertThat(error.get("plan").asText()).isEqualTo(plan);
        assertThat(error.get("current_plan").asText()).isEqualTo(currentPlan);
    }

    private static void assertRefused(HttpResponse<String> response, String feature, String plan, String field,
                                      String message) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
        JsonNode error = JSON.readTree(response.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("PLAN_REQUIRED");
        assertThat(error.get("feature").asText()).isEqualTo(feature);
        assertThat(error.get("plan").asText()).isEqualTo(plan);
        assertThat(error.get("current_plan").asText()).isEqualTo("free");
        if (field == null) {
            assertThat(error.has("field")).isFalse();
        }
        else {
            assertThat(error.get("field").asText()).isEqualTo(field);
        }
        if (message != null) {
            assertThat(error.get("message").asText()).isEqualTo(message);
        }
    }

    /** A subscription Shopify reports ACTIVE (as its webhook or the return URL apply it); returns its id. */
    private static String activate(ShopId shop, String displayName) {
        String id = "gid://shopify/AppSubscription/" + SUBSCRIPTIONS.incrementAndGet();
        billing.apply(shop, new BillingStore.StatusChange(id, Optional.of(displayName), "ACTIVE", Instant.now(),
                Optional.empty())).await();
        return id;
    }

    private static void change(ShopId shop, String subscription, String status) {
        billing.apply(shop, new BillingStore.StatusChange(subscription, Optional.empty(), status, Instant.now(),
                Optional.empty())).await();
    }

    private static String settings(String fromAddress) {
        io.vertx.core.json.JsonObject body = new io.vertx.core.json.JsonObject()
                .put("timezone", "Europe/Paris")
                .put("quietHours", new io.vertx.core.json.JsonObject().put("enabled", true).put("start", "22:00")
                        .put("end", "07:00"))
                .put("attribution", new io.vertx.core.json.JsonObject().put("clickDays", 5).put("openDays", 5))
                .put("fromAddress", fromAddress);
        return body.encode();
    }

    private static long count(ShopId shop, String table) {
        return clickHouse.forShop(shop).select(SqlTemplate.of("SELECT toString(count()) AS n FROM " + table
                + " WHERE shop_id = {shop}")).get(0).get("n").asLong();
    }

    /** Three customers with predictions, two history dates with transitions, published as publication 30. */
    private static void publish(ShopId shop) {
        List<Map<String, Object>> rfm = new ArrayList<>();
        Object[][] customers = {{1001, 2, 10, 200000, 5, 5, 5, "CHAMPIONS"}, {1002, 120, 4, 50000, 1, 4, 4, "AT_RISK"},
                {1003, 5, 1, 3000, 5, 1, 1, "NEW"}};
        for (Object[] c : customers) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("publish_id", 30L);
            row.put("as_of_date", D28);
            row.put("customer_id", c[0]);
            row.put("recency_days", c[1]);
            row.put("frequency", c[2]);
            row.put("monetary_cents", c[3]);
            row.put("r_score", c[4]);
            row.put("f_score", c[5]);
            row.put("m_score", c[6]);
            row.put("segment", c[7]);
            rfm.add(row);
        }
        clickHouse.forShop(shop).insertRows("customer_rfm", rfm);
        clickHouse.forShop(shop).insertRows("customer_predictions", List.of(
                predicted(1001, 0.95, 104000, "LOW"), predicted(1002, 0.2, 5000, "HIGH"),
                predicted(1003, 0.9, 2500, "LOW")));
        history(shop, D27, 20, new Object[][] {{1001, "LOYAL", 150000}, {1002, "LOYAL", 50000}});
        history(shop, D28, 30, new Object[][] {{1001, "CHAMPIONS", 200000}, {1002, "AT_RISK", 50000},
                {1003, "NEW", 3000}});
        clickHouse.forShop(shop).insertRows("segment_transitions", List.of(
                Map.of("publish_id", 30L, "from_date", D27, "to_date", D28, "from_segment", "LOYAL",
                        "to_segment", "CHAMPIONS", "customers", 1L, "revenue_cents", 200000L),
                Map.of("publish_id", 30L, "from_date", D27, "to_date", D28, "from_segment", "LOYAL",
                        "to_segment", "AT_RISK", "customers", 1L, "revenue_cents", 50000L),
                Map.of("publish_id", 30L, "from_date", D27, "to_date", D28, "from_segment", "NONE",
                        "to_segment", "NEW", "customers", 1L, "revenue_cents", 3000L)));
        clickHouse.forShop(shop).insertRows("shop_insights", List.of(
                insight("a1a1a1a1a1", "REVENUE_AT_RISK", 1, "500.00 of predicted revenue is at risk"),
                insight("b2b2b2b2b2", "VALUABLE_CUSTOMERS_SLIPPING", 2, "1 valuable customer is slipping away"),
                insight("c3c3c3c3c3", "FLOW_OFF", 3, "Your win back flow is off")));
        clickHouse.forShop(shop).insertRows("shop_publications", List.of(Map.of("publish_id", 30L,
                "as_of_date", D28, "published_at", Instant.parse("2026-11-29T01:00:00Z"), "customers", 3)));
    }

    private static Map<String, Object> insight(String id, String kind, int rank, String title) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("publish_id", 30L);
        row.put("as_of_date", D28);
        row.put("insight_id", id);
        row.put("kind", kind);
        row.put("subject", "s-" + id);
        row.put("severity", "HIGH");
        row.put("rank", rank);
        row.put("title", title);
        row.put("body", title + ".");
        row.put("numbers", "{\"customers\":1}");
        row.put("action_label", "Open");
        row.put("action_path", "/flows/win_back");
        return row;
    }

    private static Map<String, Object> predicted(long customer, double alive, long clv, String churn) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("publish_id", 30L);
        row.put("as_of_date", D28);
        row.put("customer_id", customer);
        row.put("prediction_status", "PREDICTED");
        row.put("expected_orders_30d", 0.1);
        row.put("expected_orders_90d", 0.3);
        row.put("expected_orders_365d", 1.0);
        row.put("probability_alive", alive);
        row.put("expected_order_value_cents", 10000L);
        row.put("clv_12m_cents", clv);
        row.put("clv_low_cents", clv / 2);
        row.put("clv_high_cents", clv * 2);
        row.put("churn_risk", churn);
        row.put("next_order_date", null);
        return row;
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

    private static HttpResponse<String> get(String path, ShopId shop) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + SESSIONS.issue(shop)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode ok(String path, ShopId shop) throws Exception {
        HttpResponse<String> response = get(path, shop);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> send(String method, String path, ShopId shop, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + SESSIONS.issue(shop))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void sql(String statement, Object... parameters) {
        application.postgres().preparedQuery(statement).execute(Tuple.wrap(parameters)).await();
    }
}
