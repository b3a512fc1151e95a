package com.ecomcrm.api.compliance;

import com.ecomcrm.api.ApiMain;
import com.ecomcrm.api.config.ApiConfig;
import com.ecomcrm.api.tokens.StoredTokens;
import com.ecomcrm.api.tokens.TokenGrant;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.schema.ClickHouseTarget;
import com.ecomcrm.schema.PostgresTarget;
import com.ecomcrm.schema.SchemaMigrator;
import com.ecomcrm.testing.session.SessionTokens;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The compliance webhooks as received by the deployed server (recorded once per webhook id, the email kept apart),
 * the merchant's export downloads (own shop only), and an uninstall (tokens gone, sends cancelled, data kept, a
 * reinstall restoring service), on the real PostgreSQL.
 */
class ComplianceApiTest {
    private static final String CLIENT_ID = "compliance-test-client-id";
    private static final String SECRET = "compliance-test-client-secret";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final SessionTokens TOKENS = new SessionTokens(CLIENT_ID, SECRET, Clock.systemUTC());
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final ShopId SHOP_A = ShopId.of("gdpr-" + RUN + "-a.myshopify.com");
    private static final ShopId SHOP_B = ShopId.of("gdpr-" + RUN + "-b.myshopify.com");

    @TempDir
    static Path landing;

    private static ApiMain.Application application;
    private static String base;
    private static final List<Path> exportFiles = new ArrayList<>();

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
        application = ApiMain.Application.start(Vertx.vertx(), ApiConfig.from(env),
                ClickHouseSettings.fromEnvironment(), Clock.systemUTC()).await();
        base = "http://127.0.0.1:" + application.server().actualPort();
    }

    @AfterAll
    static void stopServer() throws Exception {
        for (Path file : exportFiles) {
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.getParent());
        }
        if (application != null) {
            application.close().await();
        }
    }

    @Test
    void aDataRequestIsRecordedOnceWithItsDeadlineAndTheEmailKeptApart() throws Exception {
        String email = "Jane." + RUN + "@Example.com";
        String body = "{\"shop_id\":954889,\"shop_domain\":\"" + SHOP_A.domain() + "\",\"orders_requested\":[299938,"
                + "280263],\"customer\":{\"id\":191167,\"email\":\"" + email + "\",\"phone\":\"555-625-1199\"},"
                + "\"data_request\":{\"id\":9999}}";
        String webhookId = "wh-" + UUID.randomUUID();

        HttpResponse<String> first = webhook(SHOP_A, "customers/data_request", webhookId, body);
        HttpResponse<String> again = webhook(SHOP_A, "customers/data_request", webhookId, body);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(again.body()).get("status").asText()).isEqualTo("duplicate");
        List<Row> rows = rows("SELECT r.id, r.topic, r.status, r.customer_id, r.shopify_request_id, r.attempts, "
                + "r.order_ids::text AS orders, extract(epoch FROM r.due_at - r.received_at)::bigint AS deadline, row_to_json(r)::text AS whole, "
                + "s.email, s.phone FROM compliance_requests r LEFT JOIN compliance_request_subjects s "
                + "ON s.request_id = r.id WHERE r.shop_domain = $1", SHOP_A.domain());
        assertThat(rows).hasSize(1);
        Row row = rows.get(0);
        assertThat(row.getString("topic")).isEqualTo("customers/data_request");
        assertThat(row.getString("status")).isEqualTo("PENDING");
        assertThat(row.getLong("customer_id")).isEqualTo(191167L);
        assertThat(row.getString("shopify_request_id")).isEqualTo("9999");
        assertThat(row.getString("orders")).isEqualTo("{299938,280263}");
        assertThat(row.getLong("deadline")).isEqualTo(Duration.ofDays(30).toSeconds());
        assertThat(row.getString("whole")).doesNotContain(email).doesNotContain("555-625-1199");
        assertThat(row.getString("email")).isEqualTo(email);
        assertThat(row.getString("phone")).isEqualTo("555-625-1199");
        assertThat(rows("SELECT event, counts::text AS counts FROM compliance_audit WHERE request_id = $1",
                row.getLong("id"))).extracting(r -> r.getString("event") + " " + r.getString("counts"))
                .containsExactly("RECEIVED {}");
    }

    @Test
    void customerAndShopRedactionsAreRecordedForTheirShopOnly() throws Exception {
        String redact = "{\"shop_id\":1,\"shop_domain\":\"" + SHOP_B.domain() + "\",\"customer\":{\"id\":42,"
                + "\"email\":\"gone." + RUN + "@example.com\"},\"orders_to_redact\":[7]}";
        String shop = "{\"shop_id\":1,\"shop_domain\":\"" + SHOP_B.domain() + "\"}";

        assertThat(webhook(SHOP_B, "customers/redact", "wh-" + UUID.randomUUID(), redact).statusCode()).isEqualTo(200);
        assertThat(webhook(SHOP_B, "shop/redact", "wh-" + UUID.randomUUID(), shop).statusCode()).isEqualTo(200);

        assertThat(rows("SELECT topic || ' ' || COALESCE(customer_id::text, '-') || ' ' || order_ids::text AS t "
                + "FROM compliance_requests WHERE shop_domain = $1 ORDER BY id", SHOP_B.domain()))
                .extracting(r -> r.getString("t"))
                .containsExactly("customers/redact 42 {7}", "shop/redact - {}");
    }

    @Test
    void aMerchantListsAndDownloadsOnlyTheirOwnExports() throws Exception {
        ShopId merchant = ShopId.of("gdpr-" + RUN + "-exports.myshopify.com");
        ShopId another = ShopId.of("gdpr-" + RUN + "-exports-other.myshopify.com");
        long mine = export(merchant, 555L, "{\"customer_id\":555,\"mine\":true}");
        long theirs = export(another, 777L, "{\"customer_id\":777,\"theirs\":true}");
        String token = TOKENS.issue(merchant);

        HttpResponse<String> list = get("/api/compliance/exports", token);
        HttpResponse<String> download = get("/api/compliance/exports/" + mine, token);
        HttpResponse<String> other = get("/api/compliance/exports/" + theirs, token);
        HttpResponse<String> bad = get("/api/compliance/exports/abc", token);
        HttpResponse<String> anonymous = get("/api/compliance/exports", null);

        assertThat(list.statusCode()).isEqualTo(200);
        JsonNode exports = JSON.readTree(list.body()).get("exports");
        assertThat(exports).extracting(e -> e.get("id").asLong()).contains(mine).doesNotContain(theirs);
        assertThat(list.body()).doesNotContain("777").doesNotContain(another.domain());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo("{\"customer_id\":555,\"mine\":true}");
        assertThat(download.headers().firstValue("Content-Disposition")).hasValueSatisfying(
                value -> assertThat(value).contains("customer-export-" + mine + ".json"));
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(other.body()).doesNotContain("theirs");
        assertThat(JSON.readTree(other.body()).at("/error/code").asText()).isEqualTo("NOT_FOUND");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).at("/error/field").asText()).isEqualTo("id");
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }

    @Test
    void anUninstallRevokesTokensCancelsPendingSendsKeepsDataAndAReinstallRestoresService() throws Exception {
        ShopId leaving = ShopId.of("gdpr-" + RUN + "-leaving.myshopify.com");
        ShopId staying = ShopId.of("gdpr-" + RUN + "-staying.myshopify.com");
        Instant now = Instant.now();
        application.shopTokens().install(leaving, new TokenGrant("shpat_first", List.of("read_customers"),
                Optional.empty(), Optional.empty(), Optional.empty()), now).await();
        for (ShopId shop : List.of(leaving, staying)) {
            exec("INSERT INTO sends (shop_domain, customer_id, email, trigger_key, idempotency_key, status, due_at, "
                    + "is_test) VALUES ($1, 1, 'a@example.com', 't', 'k-scheduled', 'SCHEDULED', now(), true), "
                    + "($1, 1, 'a@example.com', 't', 'k-held', 'HELD', now(), true), "
                    + "($1, 1, 'a@example.com', 't', 'k-sent', 'SENT', now(), true)", shop.domain());
            exec("INSERT INTO consent (shop_domain, customer_id, email, marketing_state, updated_at) "
                    + "VALUES ($1, 1, 'a@example.com', 'SUBSCRIBED', now())", shop.domain());
        }
        String body = "{\"id\":1,\"name\":\"Leaving\",\"domain\":\"" + leaving.domain() + "\"}";

        assertThat(webhook(leaving, "app/uninstalled", "wh-" + UUID.randomUUID(), body).statusCode()).isEqualTo(200);

        assertThat(sendStatuses(leaving)).containsExactly("k-held CANCELLED shop_uninstalled",
                "k-scheduled CANCELLED shop_uninstalled", "k-sent SENT -");
        assertThat(sendStatuses(staying)).containsExactly("k-held HELD -", "k-scheduled SCHEDULED -",
                "k-sent SENT -");
        assertThat(application.shopTokens().find(leaving).await()).isEmpty();
        assertThat(rows("SELECT count(*) AS n FROM consent WHERE shop_domain = $1", leaving.domain()).get(0)
                .getLong("n")).isEqualTo(1);

        application.shopTokens().install(leaving, new TokenGrant("shpat_again", List.of("read_customers"),
                Optional.empty(), Optional.empty(), Optional.empty()), Instant.now()).await();

        Optional<StoredTokens> restored = application.shopTokens().find(leaving).await();
        assertThat(restored).hasValueSatisfying(tokens -> {
            assertThat(tokens.installed()).isTrue();
            assertThat(tokens.accessToken()).isEqualTo("shpat_again");
        });
        assertThat(rows("SELECT uninstalled_at IS NULL AS installed FROM shops WHERE shop_domain = $1",
                leaving.domain()).get(0).getBoolean("installed")).isTrue();
    }

    private static List<String> sendStatuses(ShopId shop) {
        return rows("SELECT idempotency_key || ' ' || status || ' ' || COALESCE(skip_reason, '-') AS s FROM sends "
                + "WHERE shop_domain = $1 ORDER BY idempotency_key", shop.domain()).stream()
                .map(r -> r.getString("s")).toList();
    }

    private static long export(ShopId shop, long customer, String content) throws Exception {
        long request = rows("INSERT INTO compliance_requests (shop_domain, webhook_id, topic, customer_id, received_at,"
                + " due_at, status) VALUES ($1, $2, 'customers/data_request', $3, now(), now() + interval '30 days', "
                + "'DONE') RETURNING id", shop.domain(), "wh-" + UUID.randomUUID(), customer).get(0).getLong("id");
        String name = "customer-data-request-" + request + ".json";
        Path file = ExportFolder.fromEnvironment(System.getenv()).file(shop, name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        exportFiles.add(file);
        return rows("INSERT INTO compliance_exports (shop_domain, request_id, customer_id, file_name, bytes) "
                + "VALUES ($1, $2, $3, $4, $5) RETURNING id", shop.domain(), request, customer, name,
                (long) content.length()).get(0).getLong("id");
    }

    private static void exec(String sql, Object... args) {
        application.postgres().preparedQuery(sql).execute(Tuple.wrap(args)).await();
    }

    private static List<Row> rows(String sql, Object... args) {
        List<Row> out = new ArrayList<>();
        application.postgres().preparedQuery(sql).execute(Tuple.wrap(args)).await().forEach(out::add);
        return out;
    }

    private static HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> webhook(ShopId shop, String topic, String webhookId, String body)
            throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String hmac = Base64.getEncoder().encodeToString(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
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
}
