package com.ecomcrm.api.install;

import com.ecomcrm.api.ApiMain;
import com.ecomcrm.api.config.ApiConfig;
import com.ecomcrm.api.config.ShopifySettings;
import com.ecomcrm.api.tokens.AccessTokenClient;
import com.ecomcrm.api.tokens.OfflineTokens;
import com.ecomcrm.api.tokens.StoredTokens;
import com.ecomcrm.api.tokens.TokenKind;
import com.ecomcrm.api.tokens.TokenRefusedException;
import com.ecomcrm.api.webhooks.WebhookRegistrar;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.schema.ClickHouseTarget;
import com.ecomcrm.schema.PostgresTarget;
import com.ecomcrm.schema.SchemaMigrator;
import com.ecomcrm.testing.session.SessionTokens;
import com.ecomcrm.testing.shopify.SimulatedShops;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Install and tokens end to end: the API server as deployed on the real PostgreSQL, Shopify played by the in-process
 * simulator, a real HTTP client that follows every redirect by hand. Each test uses shops of its own, named per run.
 */
class InstallFlowTest {
    private static final String CLIENT_ID = "install-test-client-id";
    private static final String SECRET = "install-test-client-secret";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Never follows redirects: each hop is checked. */
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final SessionTokens SESSIONS = new SessionTokens(CLIENT_ID, SECRET, Clock.systemUTC());
    private static final List<ShopId> SHOPS = List.of("grant", "replay", "exchange", "refresh", "scope", "hooks", "sync")
            .stream().map(name -> ShopId.of("inst-" + RUN + "-" + name + ".myshopify.com")).toList();

    @TempDir
    static Path landing;

    private static Vertx vertx;
    private static SimulatorServer simulator;
    private static ApiMain.Application application;
    private static ApiConfig config;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        SchemaMigrator.migrateAll(PostgresTarget.fromEnv(), ClickHouseTarget.fromEnv());
        vertx = Vertx.vertx();
        simulator = new SimulatorServer(SHOPS.stream().map(shop -> new SimulatorServer.ShopAccount(
                        StoreGenerator.generate(7, shop, 3), "shpat_static_" + shop.handle())).toList(),
                SimulatorServer.Options.defaults().withPort(0).withApp(CLIENT_ID, SECRET));
        simulator.deployOn(vertx).await();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            // The callback URL must be known before the server starts (it is configuration, as on Shopify).
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
        config = ApiConfig.from(env);
        application = ApiMain.Application.start(vertx, config, ClickHouseSettings.fromEnvironment(), Clock.systemUTC())
                .await();
    }

    @AfterAll
    static void stop() {
        if (application != null) {
            application.close().await();
        }
    }

    @Test
    void theAuthorizationCodeGrantEndsWithAnEncryptedTokenAndTheWebhooksRegistered() throws Exception {
        ShopId shop = SHOPS.get(0);

        HttpResponse<String> install = get(base + "/auth/install?" + signed(Map.of("shop", shop.domain())));
        assertThat(install.statusCode()).as(install.body()).isEqualTo(302);
        URI authorize = location(install);
        assertThat(authorize.toString()).startsWith(simulator.baseUrl() + "/shops/" + shop.domain()
                + "/admin/oauth/authorize?client_id=" + CLIENT_ID + "&scope=read_customers%2Cread_orders"
                + "&redirect_uri=" + java.net.URLEncoder.encode(base + "/auth/callback", StandardCharsets.UTF_8)
                + "&state=");

        HttpResponse<String> grant = get(authorize.toString());
        assertThat(grant.statusCode()).isEqualTo(302);
        URI callback = location(grant);
        assertThat(callback.toString()).startsWith(base + "/auth/callback?");

        HttpResponse<String> done = get(callback.toString());
        assertThat(done.statusCode()).as(done.body()).isEqualTo(302);
        assertThat(location(done).toString())
                .isEqualTo("https://admin.shopify.com/store/" + shop.handle() + "/apps/" + CLIENT_ID + "/");

        StoredTokens stored = application.shopTokens().find(shop).await().orElseThrow();
        assertThat(stored.kind()).isEqualTo(TokenKind.EXPIRING_OFFLINE);
        assertThat(stored.refreshToken()).isPresent();
        assertThat(stored.scopes()).containsExactly("read_customers", "read_orders");
        assertThat(simulator.acceptsAccessToken(shop, stored.accessToken())).isTrue();
        byte[] ciphertext = application.postgres()
                .preparedQuery("SELECT access_token_ciphertext FROM shops WHERE shop_domain = $1")
                .execute(Tuple.of(shop.domain())).await().iterator().next().getBuffer(0).getBytes();
        assertThat(new String(ciphertext, StandardCharsets.ISO_8859_1)).doesNotContain(stored.accessToken());

        assertRegisteredOnce(shop);
    }

    @Test
    void aReplayedOrUnknownStateATamperedHmacAndAForeignShopAreRefused() throws Exception {
        ShopId shop = SHOPS.get(1);
        URI callback = location(get(location(get(base + "/auth/install?" + signed(Map.of("shop", shop.domain()))))
                .toString()));
        assertThat(get(callback.toString()).statusCode()).isEqualTo(302);

        HttpResponse<String> replayed = get(callback.toString());
        assertThat(replayed.statusCode()).isEqualTo(400);
        assertThat(field(replayed)).isEqualTo("state");

        HttpResponse<String> unknownState = get(base + "/auth/callback?" + signed(Map.of("shop", shop.domain(),
                "code", "c0de", "state", "never-issued", "host", host(shop))));
        assertThat(unknownState.statusCode()).isEqualTo(400);
        assertThat(field(unknownState)).isEqualTo("state");

        String tampered = callback.getRawQuery().replaceAll("code=[0-9a-f]+", "code=0000");
        HttpResponse<String> badHmac = get(base + "/auth/callback?" + tampered);
        assertThat(badHmac.statusCode()).isEqualTo(401);
        assertThat(field(badHmac)).isEqualTo("hmac");
        assertThat(badHmac.headers().firstValue("X-Shopify-Retry-Invalid-Session-Request")).isEmpty();

        HttpResponse<String> badInstallHmac = get(base + "/auth/install?" + signed(Map.of("shop", shop.domain()))
                .replace("shop=", "shop=x"));
        assertThat(badInstallHmac.statusCode()).isIn(400, 401);

        for (String foreign : List.of("evil.example.com", "inst.myshopify.com.evil.com", "-bad.myshopify.com")) {
            HttpResponse<String> response = get(base + "/auth/install?" + signed(Map.of("shop", foreign)));
            assertThat(response.statusCode()).as(foreign).isEqualTo(400);
            assertThat(field(response)).isEqualTo("shop");
        }
        HttpResponse<String> old = get(base + "/auth/install?" + signed(Map.of("shop", shop.domain()),
                System.currentTimeMillis() / 1000 - 3600));
        assertThat(old.statusCode()).isEqualTo(400);
        assertThat(field(old)).isEqualTo("timestamp");
    }

    @Test
    void aMerchantWhoGrantsFewerScopesIsToldWhichAreMissingAndNothingIsStored() throws Exception {
        ShopId shop = SHOPS.get(4);
        URI authorize = location(get(base + "/auth/install?" + signed(Map.of("shop", shop.domain()))));
        String edited = authorize.toString().replace("scope=read_customers%2Cread_orders", "scope=read_customers");

        HttpResponse<String> done = get(location(get(edited)).toString());

        assertThat(done.statusCode()).isEqualTo(400);
        assertThat(field(done)).isEqualTo("scope");
        assertThat(JSON.readTree(done.body()).at("/error/message").asText()).contains("read_orders");
        assertThat(application.shopTokens().find(shop).await()).isEmpty();
    }

    @Test
    void tokenExchangeStoresAnOfflineTokenOnceAndAForgedSessionTokenGetsNothing() throws Exception {
        ShopId shop = SHOPS.get(2);

        HttpResponse<String> forged = post("/api/install/complete", SESSIONS.forged(shop));
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(forged.headers().firstValue("X-Shopify-Retry-Invalid-Session-Request")).contains("1");
        assertThat(application.shopTokens().find(shop).await()).isEmpty();

        JsonNode first = JSON.readTree(post("/api/install/complete", SESSIONS.issue(shop)).body());
        assertThat(first.get("token").asText()).isEqualTo("EXCHANGED");
        assertThat(first.at("/webhooks/created")).hasSize(WebhookRegistrar.TOPICS.size());
        StoredTokens stored = application.shopTokens().find(shop).await().orElseThrow();
        assertThat(simulator.acceptsAccessToken(shop, stored.accessToken())).isTrue();

        JsonNode second = JSON.readTree(post("/api/install/complete", SESSIONS.issue(shop)).body());
        assertThat(second.get("token").asText()).isEqualTo("STORED");
        assertThat(second.at("/webhooks/reconciled").asBoolean()).isFalse();
        assertRegisteredOnce(shop);

        // Shopify itself refuses a forged session token, and the app reports it cleanly.
        AccessTokenClient client = new AccessTokenClient(HTTP, config.shopify(), CLIENT_ID, SECRET);
        assertThatThrownBy(() -> client.exchange(shop, SESSIONS.forged(shop)))
                .isInstanceOfSatisfying(TokenRefusedException.class,
                        e -> assertThat(e.error()).isEqualTo("invalid_subject_token"))
                .hasMessageStartingWith("Cannot exchange the session token for " + shop);
    }

    @Test
    void anExpiringTokenIsRefreshedBeforeItLapsesEvenWhenARefreshAnswerIsLost() throws Exception {
        ShopId shop = SHOPS.get(3);
        MutableClock clock = new MutableClock();
        OfflineTokens tokens = new OfflineTokens(vertx, application.shopTokens(),
                new AccessTokenClient(HTTP, config.shopify(), CLIENT_ID, SECRET), clock);
        OfflineTokens.OfflineToken exchanged = tokens.forShop(shop, Optional.of(SESSIONS.issue(shop))).await();
        assertThat(exchanged.source()).isEqualTo(OfflineTokens.Source.EXCHANGED);

        clock.advance(Duration.ofMinutes(54));
        assertThat(tokens.forShop(shop, Optional.empty()).await().source()).isEqualTo(OfflineTokens.Source.STORED);

        clock.advance(Duration.ofMinutes(2)); // 4 minutes left: inside the 5-minute margin
        OfflineTokens.OfflineToken refreshed = tokens.forShop(shop, Optional.empty()).await();
        assertThat(refreshed.source()).isEqualTo(OfflineTokens.Source.REFRESHED);
        assertThat(refreshed.accessToken()).isNotEqualTo(exchanged.accessToken());
        assertThat(simulator.acceptsAccessToken(shop, refreshed.accessToken())).isTrue();
        StoredTokens stored = application.shopTokens().find(shop).await().orElseThrow();
        assertThat(stored.accessToken()).isEqualTo(refreshed.accessToken());
        assertThat(stored.accessTokenExpiresAt()).contains(clock.instant().plus(Duration.ofHours(1)));

        // The next refresh's answer is lost on the way: the retry with the same refresh token still succeeds.
        clock.advance(Duration.ofMinutes(58));
        simulator.dropNextTokenResponses(1);
        OfflineTokens.OfflineToken afterLoss = tokens.forShop(shop, Optional.empty()).await();
        assertThat(afterLoss.source()).isEqualTo(OfflineTokens.Source.REFRESHED);
        assertThat(simulator.acceptsAccessToken(shop, afterLoss.accessToken())).isTrue();
        StoredTokens afterLossStored = application.shopTokens().find(shop).await().orElseThrow();
        assertThat(afterLossStored.version()).isEqualTo(stored.version() + 1);
        // ...and the pair stored after the loss refreshes again.
        clock.advance(Duration.ofMinutes(58));
        assertThat(simulator.acceptsAccessToken(shop, tokens.forShop(shop, Optional.empty()).await().accessToken()))
                .isTrue();
    }

    @Test
    void registeringTwiceChangesNothingAndANewUrlOrApiVersionIsReconciledWithoutDuplicates() throws Exception {
        ShopId shop = SHOPS.get(5);
        String token = tokens(shop);
        WebhookRegistrar registrar = new WebhookRegistrar(HTTP, config.shopify());

        assertThat(registrar.reconcile(shop, token).created()).hasSize(WebhookRegistrar.TOPICS.size());
        WebhookRegistrar.Reconciliation again = registrar.reconcile(shop, token);
        assertThat(again.changedNothing()).isTrue();
        assertThat(again.unchanged()).isEqualTo(WebhookRegistrar.TOPICS.size());

        ShopifySettings moved = new ShopifySettings(config.shopify().adminBase(), config.shopify().graphqlUrl(),
                config.shopify().scopes(), URI.create("http://127.0.0.1:1/moved"), config.shopify().timestampWindow());
        WebhookRegistrar.Reconciliation toNewUrl = new WebhookRegistrar(HTTP, moved).reconcile(shop, token);
        assertThat(toNewUrl.updated()).hasSize(WebhookRegistrar.TOPICS.size());
        assertThat(simulator.webhookSubscriptions(shop)).allSatisfy(s ->
                assertThat(s.uri()).isEqualTo("http://127.0.0.1:1/moved/webhooks"));

        ShopifySettings upgraded = new ShopifySettings(config.shopify().adminBase(),
                config.shopify().graphqlUrl().replace(SimulatedShops.API_VERSION, "2026-07"), config.shopify().scopes(),
                config.shopify().publicUrl(), config.shopify().timestampWindow());
        WebhookRegistrar.Reconciliation toNewVersion = new WebhookRegistrar(HTTP, upgraded).reconcile(shop, token);
        assertThat(toNewVersion.created()).hasSize(WebhookRegistrar.TOPICS.size());
        assertThat(toNewVersion.deleted()).hasSize(WebhookRegistrar.TOPICS.size());
        assertThat(simulator.webhookSubscriptions(shop)).hasSize(WebhookRegistrar.TOPICS.size())
                .allSatisfy(s -> assertThat(s.apiVersion()).isEqualTo("2026-07"));
        assertThat(new WebhookRegistrar(HTTP, upgraded).reconcile(shop, token).changedNothing()).isTrue();
    }

    @Test
    void anEmbeddedInstallRequestLeavesTheIframeToReachTheGrantScreen() throws Exception {
        ShopId shop = SHOPS.get(0);

        HttpResponse<String> page = get(base + "/auth/install?" + signed(Map.of("shop", shop.domain(),
                "embedded", "1")));

        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .contains("frame-ancestors https://" + shop.domain() + " https://admin.shopify.com");
        java.util.regex.Matcher opened = java.util.regex.Pattern.compile("window\\.open\\(\"([^\"]+)\", \"_top\"\\)")
                .matcher(page.body());
        assertThat(opened.find()).as(page.body()).isTrue();
        String authorize = opened.group(1).replace("\\u0026", "&");
        assertThat(authorize).startsWith(simulator.baseUrl() + "/shops/" + shop.domain() + "/admin/oauth/authorize?");
        assertThat(page.body()).contains("<meta name=\"shopify-api-key\" content=\"" + CLIENT_ID + "\">")
                .contains("target=\"_top\"");
        // The state in that URL was stored: the grant it leads to completes at the top level.
        HttpResponse<String> grant = get(authorize);
        assertThat(grant.statusCode()).isEqualTo(302);
        assertThat(get(location(grant).toString()).statusCode()).isEqualTo(302);
    }

    @Test
    void syncProgressIsReportedPerObjectTypeWithAnEstimateFromThePreviousRun() throws Exception {
        ShopId shop = SHOPS.get(6);
        assertThat(JSON.readTree(getApi("/api/sync", shop).body()).get("phase").asText()).isEqualTo("NOT_STARTED");
        com.ecomcrm.api.shopify.BulkImport bulk = new com.ecomcrm.api.shopify.BulkImport(
                new com.ecomcrm.api.shopify.AdminApiClient(HTTP, simulator.adminUrlTemplate(), shop,
                        "shpat_static_" + shop.handle()),
                application.landingZone(), InstallFlowTest::jdbc, Clock.systemUTC(), Duration.ofMillis(20),
                Duration.ofMinutes(1));

        bulk.importShop(shop);
        JsonNode first = JSON.readTree(getApi("/api/sync", shop).body());
        bulk.importShop(shop);
        JsonNode second = JSON.readTree(getApi("/api/sync", shop).body());

        assertThat(first.get("phase").asText()).isEqualTo("COMPLETED");
        assertThat(first.get("objects_so_far").asLong()).isPositive();
        assertThat(first.get("objects")).extracting(o -> o.get("object_type").asText())
                .containsExactly("customers", "orders", "checkouts", "refund_lines");
        assertThat(first.get("step").isNull()).as("every step done").isTrue();
        assertThat(first.at("/objects/3/status").asText()).isEqualTo("COMPLETED");
        assertThat(first.at("/objects/0/root_objects_so_far").asLong()).isEqualTo(3);
        assertThat(first.at("/objects/0/estimated_root_objects").isNull()).isTrue();
        assertThat(second.at("/objects/0/estimated_root_objects").asLong()).isEqualTo(3);
    }

    private static java.sql.Connection jdbc() {
        try {
            return java.sql.DriverManager.getConnection(config.postgres().jdbcUrl(), config.postgres().user(),
                    config.postgres().password());
        }
        catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> getApi(String path, ShopId shop) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + SESSIONS.issue(shop)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String tokens(ShopId shop) {
        return application.offlineTokens().forShop(shop, Optional.of(SESSIONS.issue(shop))).await().accessToken();
    }

    private static void assertRegisteredOnce(ShopId shop) {
        List<SimulatorServer.WebhookSubscription> subscriptions = simulator.webhookSubscriptions(shop);
        assertThat(subscriptions).hasSize(WebhookRegistrar.TOPICS.size());
        assertThat(subscriptions.stream().map(SimulatorServer.WebhookSubscription::topic))
                .doesNotHaveDuplicates()
                .contains("CUSTOMERS_CREATE", "ORDERS_PAID", "APP_UNINSTALLED", "CHECKOUTS_UPDATE")
                .doesNotContain("CUSTOMERS_REDACT", "SHOP_REDACT", "CUSTOMERS_DATA_REQUEST");
        assertThat(subscriptions).allSatisfy(s -> {
            assertThat(s.uri()).isEqualTo(base + "/webhooks");
            assertThat(s.apiVersion()).isEqualTo(SimulatedShops.API_VERSION);
        });
    }

    /** Parameters signed as Shopify signs them (sorted, joined, HMAC-SHA256 hex), with a fresh timestamp. */
    private static String signed(Map<String, String> parameters) {
        return signed(parameters, System.currentTimeMillis() / 1000);
    }

    private static String signed(Map<String, String> parameters, long timestamp) {
        Map<String, String> sorted = new TreeMap<>(parameters);
        sorted.put("timestamp", Long.toString(timestamp));
        String message = sorted.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("&"));
        return message + "&hmac=" + QueryHmac.sign(SECRET, message);
    }

    private static String host(ShopId shop) {
        return Base64.getEncoder().withoutPadding().encodeToString(("admin.shopify.com/store/" + shop.handle())
                .getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String sessionToken) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + sessionToken)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI location(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(302);
        return URI.create(response.headers().firstValue("Location").orElseThrow());
    }

    private static String field(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).at("/error/field").asText();
    }
}
