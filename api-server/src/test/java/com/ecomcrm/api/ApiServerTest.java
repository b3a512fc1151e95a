package com.ecomcrm.api;

import com.ecomcrm.api.config.ApiConfig;
import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.schema.ClickHouseTarget;
import com.ecomcrm.schema.PostgresTarget;
import com.ecomcrm.schema.SchemaMigrator;
import com.ecomcrm.testing.session.SessionTokens;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The API server as deployed, on the real PostgreSQL and ClickHouse: session tokens, tenant isolation of
 * {@code GET /api/segments}, the atomic publication switch, and the webhook endpoint's verify-dedupe-land contract.
 * Every shop here has a fresh random name, so the test never meets rows of another run.
 */
class ApiServerTest {
    private static final String CLIENT_ID = "api-test-client-id";
    private static final String SECRET = "api-test-client-secret";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path landing;

    private static ApiMain.Application application;
    private static ClickHouseGateway clickHouse;
    private static String base;
    private static final SessionTokens TOKENS = new SessionTokens(CLIENT_ID, SECRET, Clock.systemUTC());
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final ShopId SHOP_A = ShopId.of("api-" + RUN + "-a.myshopify.com");
    private static final ShopId SHOP_B = ShopId.of("api-" + RUN + "-b.myshopify.com");

    @BeforeAll
    static void startServer() {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        SchemaMigrator.migrateAll(PostgresTarget.fromEnv(), ClickHouseTarget.fromEnv());
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("ECOMCRM_API_PORT", "0");
        env.put("SHOPIFY_API_KEY", CLIENT_ID);
        env.put("SHOPIFY_API_SECRET", SECRET);
        env.put("ECOMCRM_LANDING_DIR", landing.toString());
        env.putIfAbsent("ECOMCRM_TOKEN_KEYS", "test1:" + Base64.getEncoder().encodeToString(new byte[32]));
        ApiConfig config = ApiConfig.from(env);
        application = ApiMain.Application.start(Vertx.vertx(), config, ClickHouseSettings.fromEnvironment(),
                Clock.systemUTC()).await();
        base = "http://127.0.0.1:" + application.server().actualPort();
        clickHouse = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment());
    }

    @AfterAll
    static void stopServer() {
        if (application != null) {
            application.close().await();
            clickHouse.close();
        }
    }

    @Test
    void aShopWithoutAPublicationIsToldSegmentsComeAfterTheFirstRun() throws Exception {
        ShopId fresh = ShopId.of("api-" + RUN + "-fresh.myshopify.com");
        HttpResponse<String> response = get("/api/segments", TOKENS.issue(fresh));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("shop").asText()).isEqualTo(fresh.domain());
        assertThat(body.get("status").asText()).isEqualTo("NOT_COMPUTED");
        assertThat(body.get("segments")).isEmpty();
    }

    @Test
    void eachShopSeesOnlyItsOwnSegments() throws Exception {
        publish(SHOP_A, 100, Map.of("CHAMPIONS", new long[] {3, 123_456}, "AT_RISK", new long[] {2, 99}));
        publish(SHOP_B, 100, Map.of("CHAMPIONS", new long[] {40, 1_000_000}, "NEW", new long[] {5, 2_500}));

        JsonNode a = JSON.readTree(get("/api/segments", TOKENS.issue(SHOP_A)).body());
        JsonNode b = JSON.readTree(get("/api/segments", TOKENS.issue(SHOP_B)).body());

        assertThat(a.get("shop").asText()).isEqualTo(SHOP_A.domain());
        assertThat(a.get("status").asText()).isEqualTo("READY");
        assertThat(a.get("total_customers").asLong()).isEqualTo(5);
        assertThat(segment(a, "CHAMPIONS").get("customers").asLong()).isEqualTo(3);
        assertThat(segment(a, "CHAMPIONS").get("revenue").asText()).isEqualTo("1234.56");
        assertThat(segment(a, "AT_RISK").get("revenue").asText()).isEqualTo("0.99");
        assertThat(segment(a, "NEW").get("customers").asLong()).isZero();

        assertThat(b.get("total_customers").asLong()).isEqualTo(45);
        assertThat(segment(b, "CHAMPIONS").get("revenue").asText()).isEqualTo("10000.00");
        assertThat(segment(b, "AT_RISK").get("customers").asLong()).isZero();
    }

    @Test
    void rowsOfAPublicationStillBeingWrittenAreNotSeen() throws Exception {
        ShopId shop = ShopId.of("api-" + RUN + "-half.myshopify.com");
        publish(shop, 10, Map.of("LOYAL", new long[] {7, 700}));
        // The next publication's rows are written, but its publication row (the switch) is not yet.
        clickHouse.forShop(shop).insertRows("segment_summary", List.of(summaryRow(shop, 11, "LOYAL", 1_000, 1)));

        JsonNode body = JSON.readTree(get("/api/segments", TOKENS.issue(shop)).body());

        assertThat(body.get("publish_id").asLong()).isEqualTo(10);
        assertThat(segment(body, "LOYAL").get("customers").asLong()).isEqualTo(7);
    }

    @Test
    void aRequestWithoutAValidSessionTokenIsRefusedWithTheRetryHeader() throws Exception {
        for (String token : new String[] {null, "not-a-jwt", TOKENS.forged(SHOP_A), TOKENS.expired(SHOP_A),
                TOKENS.forOtherApp(SHOP_A)}) {
            HttpResponse<String> response = get("/api/segments", token);

            assertThat(response.statusCode()).as("token %s", token).isEqualTo(401);
            assertThat(response.headers().firstValue("X-Shopify-Retry-Invalid-Session-Request")).contains("1");
            assertThat(JSON.readTree(response.body()).at("/error/code").asText()).isEqualTo("UNAUTHENTICATED");
            assertThat(response.body()).doesNotContain("CHAMPIONS");
        }
    }

    @Test
    void aSignedWebhookIsLandedOnceAndItsDuplicateIsAcknowledged() throws Exception {
        String body = "{\"id\":7001,\"email\":\"ana@example.com\",\"updated_at\":\"2026-11-20T10:00:00Z\"}";
        String webhookId = "wh-" + UUID.randomUUID();

        HttpResponse<String> first = webhook(SHOP_A, "customers/create", webhookId, body, sign(body));
        HttpResponse<String> again = webhook(SHOP_A, "customers/create", webhookId, body, sign(body));

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(first.body()).get("status").asText()).isEqualTo("accepted");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(again.body()).get("status").asText()).isEqualTo("duplicate");
        assertThat(landedLinesContaining(webhookId)).hasSize(1)
                .first().satisfies(line -> assertThat(JSON.readTree(line).get("body").asText()).isEqualTo(body));
    }

    @Test
    void anUnsignedOrMalformedWebhookIsRefusedNamingTheFaultAndLosesNothingAccepted() throws Exception {
        String good = "{\"id\":7002,\"updated_at\":\"2026-11-20T10:00:00Z\"}";
        String goodId = "wh-" + UUID.randomUUID();
        assertThat(webhook(SHOP_B, "customers/update", goodId, good, sign(good)).statusCode()).isEqualTo(200);

        HttpResponse<String> forged = webhook(SHOP_B, "customers/update", "wh-" + UUID.randomUUID(), good,
                sign(good + " "));
        String broken = "{\"id\":7003, \"updated_at\":";
        HttpResponse<String> malformed = webhook(SHOP_B, "customers/update", "wh-" + UUID.randomUUID(), broken,
                sign(broken));
        String noUpdatedAt = "{\"id\":7004}";
        HttpResponse<String> missingField = webhook(SHOP_B, "customers/update", "wh-" + UUID.randomUUID(),
                noUpdatedAt, sign(noUpdatedAt));

        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(malformed.body()).at("/error/message").asText()).containsIgnoringCase("json");
        assertThat(missingField.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(missingField.body()).at("/error/field").asText()).isEqualTo("updated_at");
        assertThat(landedLinesContaining(goodId)).hasSize(1);
        assertThat(landedLinesContaining("7003")).isEmpty();
        assertThat(landedLinesContaining("7004")).isEmpty();
    }

    @Test
    void anUninstallEndsTheShopsTokensAtOnceAndKeepsItsData() throws Exception {
        ShopId shop = ShopId.of("api-" + RUN + "-leaving.myshopify.com");
        application.postgres().preparedQuery("""
                INSERT INTO shops (shop_domain, installed_at, access_token_ciphertext, refresh_token_ciphertext,
                                   scopes, token_version)
                VALUES ($1, now(), '\\x01'::bytea, '\\x02'::bytea, 'read_customers', 1)""")
                .execute(io.vertx.sqlclient.Tuple.of(shop.domain())).await();
        String body = "{\"id\":1,\"name\":\"Leaving\",\"domain\":\"" + shop.domain() + "\"}";

        HttpResponse<String> response = webhook(shop, "app/uninstalled", "wh-" + UUID.randomUUID(), body, sign(body));

        assertThat(response.statusCode()).isEqualTo(200);
        io.vertx.sqlclient.Row row = application.postgres().preparedQuery("""
                SELECT uninstalled_at IS NOT NULL AS uninstalled, access_token_ciphertext IS NULL AS no_access,
                       refresh_token_ciphertext IS NULL AS no_refresh FROM shops WHERE shop_domain = $1""")
                .execute(io.vertx.sqlclient.Tuple.of(shop.domain())).await().iterator().next();
        assertThat(row.getBoolean("uninstalled")).isTrue();
        assertThat(row.getBoolean("no_access")).isTrue();
        assertThat(row.getBoolean("no_refresh")).isTrue();
        assertThat(landedLinesContaining("Leaving")).hasSize(1);
    }

    private static void publish(ShopId shop, long publishId, Map<String, long[]> segments) {
        List<Map<String, Object>> rows = segments.entrySet().stream()
                .map(e -> summaryRow(shop, publishId, e.getKey(), e.getValue()[1], e.getValue()[0]))
                .toList();
        clickHouse.forShop(shop).insertRows("segment_summary", rows);
        clickHouse.forShop(shop).insertRows("shop_publications", List.of(Map.of("shop_id", shop.domain(),
                "publish_id", publishId, "as_of_date", "2026-11-28", "published_at", "2026-11-29 01:00:00",
                "customers", segments.values().stream().mapToLong(v -> v[0]).sum())));
    }

    private static Map<String, Object> summaryRow(ShopId shop, long publishId, String segment, long revenueCents,
                                                  long customers) {
        return Map.of("shop_id", shop.domain(), "publish_id", publishId, "as_of_date", "2026-11-28",
                "segment", segment, "customers", customers, "revenue_cents", revenueCents);
    }

    private static JsonNode segment(JsonNode body, String key) {
        for (JsonNode segment : body.get("segments")) {
            if (segment.get("key").asText().equals(key)) {
                return segment;
            }
        }
        throw new AssertionError("no segment " + key + " in " + body);
    }

    private static HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> webhook(ShopId shop, String topic, String webhookId, String body,
                                                String hmac) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/webhooks"))
                .header("Content-Type", "application/json")
                .header("X-Shopify-Topic", topic)
                .header("X-Shopify-Hmac-Sha256", hmac)
                .header("X-Shopify-Shop-Domain", shop.domain())
                .header("X-Shopify-Webhook-Id", webhookId)
                .header("X-Shopify-Triggered-At", "2026-11-20T10:00:01Z")
                .header("X-Shopify-API-Version", "2026-07")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String sign(String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return Base64.getEncoder().encodeToString(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> landedLinesContaining(String text) throws Exception {
        try (Stream<Path> files = Files.walk(landing)) {
            return files.filter(Files::isRegularFile).flatMap(file -> {
                try {
                    return Files.readAllLines(file).stream();
                }
                catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).filter(line -> line.contains(text)).toList();
        }
    }
}
