package com.ecomcrm.api.sync;

import com.ecomcrm.api.ApiMain;
import com.ecomcrm.api.config.ApiConfig;
import com.ecomcrm.api.shopify.RefundLinesImport;
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
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * GET /api/sync names each step for the merchant and says, in the merchant's words, why the refund lines step (the
 * fourth, the one that meets Shopify's rate limit) failed or is waiting; the technical error stays beside it. Real
 * server and PostgreSQL; the steps' rows are written as BulkImport and RefundLinesImport write them.
 */
class SyncProgressMessagesTest {
    private static final String CLIENT_ID = "sync-messages-client-id";
    private static final String SECRET = "sync-messages-client-secret";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final SessionTokens SESSIONS = new SessionTokens(CLIENT_ID, SECRET, Clock.systemUTC());
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final ShopId WAITING = ShopId.of("sync-msg-" + RUN + "-waiting.myshopify.com");
    private static final ShopId FAILED = ShopId.of("sync-msg-" + RUN + "-failed.myshopify.com");
    private static final ShopId THROTTLED_OUT = ShopId.of("sync-msg-" + RUN + "-throttled.myshopify.com");

    @TempDir
    static Path landing;

    private static ApiConfig config;
    private static ApiMain.Application api;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        SchemaMigrator.migrateAll(PostgresTarget.fromEnv(), ClickHouseTarget.fromEnv());
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
        env.put("ECOMCRM_PUBLIC_URL", base);
        // Nothing may pick up the rows written below as an import to resume.
        env.put("ECOMCRM_INITIAL_SYNC", "manual");
        config = ApiConfig.from(env);
        for (ShopId shop : new ShopId[] {WAITING, FAILED, THROTTLED_OUT}) {
            for (String type : new String[] {"customers", "orders", "checkouts"}) {
                step(shop, type, "COMPLETED", null);
            }
        }
        step(WAITING, RefundLinesImport.OBJECT_TYPE, "RUNNING", RefundLinesImport.WAITING_PREFIX
                + "Shopify answered THROTTLED; waiting 3 s, until 2026-11-30T10:00:03Z");
        step(FAILED, RefundLinesImport.OBJECT_TYPE, "FAILED",
                "Cannot read the refunds of " + FAILED + ": Shopify answered 3 nodes for 10 ids");
        step(THROTTLED_OUT, RefundLinesImport.OBJECT_TYPE, "FAILED", "Cannot query Shopify for " + THROTTLED_OUT
                + ": [{\"message\":\"Throttled\",\"extensions\":{\"code\":\"THROTTLED\"}}]");
        api = ApiMain.Application.start(Vertx.vertx(), config, ClickHouseSettings.fromEnvironment(), Clock.systemUTC())
                .await();
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close().await();
        }
    }

    @Test
    @DisplayName("a refund lines step waiting for Shopify's rate limit is still running, with a calm message")
    void aThrottledStepSaysItIsPausedNotFailed() throws Exception {
        JsonNode sync = sync(WAITING);

        assertThat(sync.get("phase").asText()).isEqualTo("RUNNING");
        assertThat(sync.get("step").asText()).isEqualTo("refund_lines");
        JsonNode refundLines = object(sync, "refund_lines");
        assertThat(refundLines.get("label").asText()).isEqualTo("Refunded items");
        assertThat(refundLines.get("status").asText()).isEqualTo("RUNNING");
        assertThat(refundLines.get("message").asText()).isEqualTo("Shopify limits how fast apps may read your store, "
                + "so reading the items of your past refunds is paused for a moment. It continues on its own; nothing "
                + "needs to be done.");
        assertThat(object(sync, "customers").get("label").asText()).isEqualTo("Customers");
        assertThat(object(sync, "checkouts").get("label").asText()).isEqualTo("Abandoned checkouts");
        assertThat(object(sync, "orders").get("message").isNull()).isTrue();
    }

    @Test
    @DisplayName("a failed refund lines step tells the merchant what is imported and that it is retried")
    void aFailedStepExplainsWhatIsMissingAndWhatHappensNext() throws Exception {
        JsonNode sync = sync(FAILED);

        assertThat(sync.get("phase").asText()).isEqualTo("FAILED");
        JsonNode refundLines = object(sync, "refund_lines");
        assertThat(refundLines.get("message").asText()).isEqualTo("We could not read from Shopify which items your "
                + "past refunds gave back. Your customers, orders and refund amounts are imported; which items were "
                + "refunded is read again automatically the next time the import resumes.");
        assertThat(refundLines.get("error").asText()).as("the technical reason stays for support")
                .contains("Shopify answered 3 nodes for 10 ids");
    }

    @Test
    @DisplayName("a refund lines step that failed on Shopify's rate limit says so")
    void aStepThrottledOutSaysShopifyLimitedIt() throws Exception {
        JsonNode refundLines = object(sync(THROTTLED_OUT), "refund_lines");

        assertThat(refundLines.get("status").asText()).isEqualTo("FAILED");
        assertThat(refundLines.get("message").asText()).startsWith("Shopify kept limiting how fast we may read your "
                + "past refunds, so reading which items were refunded stopped. Your customers, orders and refund "
                + "amounts are imported;");
    }

    @Test
    @DisplayName("each shop sees only its own steps and messages")
    void anotherShopsStepsNeverComeBack() throws Exception {
        for (ShopId shop : new ShopId[] {WAITING, FAILED, THROTTLED_OUT}) {
            JsonNode sync = sync(shop);
            assertThat(sync.get("shop").asText()).isEqualTo(shop.domain());
            assertThat(sync.get("objects")).hasSize(4);
        }
        assertThat(object(sync(WAITING), "refund_lines").get("error").asText()).doesNotContain(FAILED.domain())
                .doesNotContain(THROTTLED_OUT.domain());
        assertThat(object(sync(FAILED), "refund_lines").get("error").asText()).doesNotContain(THROTTLED_OUT.domain());
    }

    private static JsonNode sync(ShopId shop) throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/sync"))
                        .header("Authorization", "Bearer " + SESSIONS.issue(shop)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    private static JsonNode object(JsonNode sync, String type) {
        for (JsonNode object : sync.get("objects")) {
            if (object.get("object_type").asText().equals(type)) {
                return object;
            }
        }
        throw new AssertionError("no step " + type + " in " + sync);
    }

    private static void step(ShopId shop, String type, String status, String error) throws Exception {
        try (Connection connection = DriverManager.getConnection(config.postgres().jdbcUrl(), config.postgres().user(),
                config.postgres().password());
             PreparedStatement insert = connection.prepareStatement("""
                     INSERT INTO bulk_syncs (shop_domain, object_type, status, lines_landed, lines_rejected, started_at,
                                             finished_at, kind, objects_so_far, root_objects_so_far, error)
                     VALUES (?, ?, ?, 0, 0, now(), CASE WHEN ? = 'RUNNING' THEN NULL ELSE now() END, 'initial', 5, 5, ?)
                     """)) {
            insert.setString(1, shop.domain());
            insert.setString(2, type);
            insert.setString(3, status);
            insert.setString(4, status);
            insert.setString(5, error);
            insert.executeUpdate();
        }
    }
}
