package com.ecomcrm.api.tracking;

import com.ecomcrm.api.ApiMain;
import com.ecomcrm.api.config.ApiConfig;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.landing.LandingEnvelope;
import com.ecomcrm.landing.LandingSource;
import com.ecomcrm.schema.ClickHouseTarget;
import com.ecomcrm.schema.PostgresTarget;
import com.ecomcrm.schema.SchemaMigrator;
import com.ecomcrm.tracking.TrackingLinks;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The tracking routes on the real verticle and the real PostgreSQL: pixel, click redirect, unsubscribe page and
 * one-click POST, tampered tokens, tenant isolation, machine flags. Every shop has a fresh random name.
 */
class TrackingApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final ShopId SHOP_A = ShopId.of("trk-" + RUN + "-a.myshopify.com");
    private static final ShopId SHOP_B = ShopId.of("trk-" + RUN + "-b.myshopify.com");
    private static final String BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 "
            + "(KHTML, like Gecko) Version/17.5 Safari/605.1.15";
    private static final String GMAIL_PROXY = "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 "
            + "(via ggpht.com GoogleImageProxy)";

    @TempDir
    static Path landing;

    private static ApiMain.Application application;
    private static String base;
    private static TrackingLinks links;

    @BeforeAll
    static void startServer() {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        SchemaMigrator.migrateAll(PostgresTarget.fromEnv(), ClickHouseTarget.fromEnv());
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("ECOMCRM_API_PORT", "0");
        env.putIfAbsent("SHOPIFY_API_KEY", "tracking-test-client-id");
        env.putIfAbsent("SHOPIFY_API_SECRET", "tracking-test-client-secret");
        env.put("ECOMCRM_LANDING_DIR", landing.toString());
        env.putIfAbsent("ECOMCRM_TOKEN_KEYS", "test1:" + Base64.getEncoder().encodeToString(new byte[32]));
        application = ApiMain.Application.start(Vertx.vertx(), ApiConfig.from(env),
                ClickHouseSettings.fromEnvironment(), Clock.systemUTC()).await();
        base = "http://127.0.0.1:" + application.server().actualPort();
        // The server signs and verifies with the process environment's key, as the sender does.
        links = new TrackingLinks(System.getenv().getOrDefault("ECOMCRM_TRACKING_KEY", TrackingLinks.DEV_KEY), base);
    }

    @AfterAll
    static void stopServer() {
        if (application != null) {
            application.close().await();
        }
    }

    @Test
    void aValidPixelAnswersANoCacheGifAndIsRecordedAndLanded() throws Exception {
        long send = send(SHOP_A, 101L, "pixel-" + RUN + "@example.com", Duration.ofMinutes(10));

        HttpResponse<byte[]> response = getBytes(links.openPixelUrl(SHOP_A, send), BROWSER);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("image/gif");
        assertThat(response.headers().firstValue("Cache-Control").orElse("")).contains("no-store").contains("no-cache");
        assertThat(response.body()).hasSize(42).startsWith("GIF89a".getBytes());
        List<Row> rows = events(SHOP_A, send);
        assertThat(rows).hasSize(1);
        Row row = rows.get(0);
        assertThat(row.getString("kind")).isEqualTo("open");
        assertThat(row.getBoolean("machine")).isFalse();
        assertThat(row.getString("user_agent")).isEqualTo(BROWSER);
        assertThat(row.getString("ip")).isEqualTo("127.0.0.1");
        assertThat(row.getString("method")).isEqualTo("GET");
        List<LandingEnvelope> landed = landed(SHOP_A, row.getString("event_id"));
        assertThat(landed).hasSize(1);
        assertThat(landed.get(0).source()).isEqualTo(LandingSource.TRACKING);
        assertThat(landed.get(0).topic()).isEqualTo("email/open");
        JsonNode body = JSON.readTree(landed.get(0).body());
        assertThat(body.get("send_id").asLong()).isEqualTo(send);
        assertThat(body.get("machine").asBoolean()).isFalse();
        assertThat(body.get("user_agent").asText()).isEqualTo(BROWSER);
    }

    @Test
    void anAlteredOrUnsignedTokenGets400AndNeverARedirect() throws Exception {
        long send = send(SHOP_A, 102L, "tamper-" + RUN + "@example.com", Duration.ofMinutes(10));
        String click = links.clickUrl(SHOP_A, send, "https://shop.example/product");
        String token = click.substring(click.lastIndexOf('/') + 1);
        // Re-sign the same payload shape with another key, and swap in a payload pointing elsewhere.
        String evilToken = new TrackingLinks("attacker-key-attacker-key-attacker-key-00", base)
                .clickUrl(SHOP_A, send, "https://evil.example/").replaceFirst(".*/t/c/", "");
        String spliced = evilToken.substring(0, evilToken.indexOf('.')) + token.substring(token.indexOf('.'));

        for (String bad : List.of(spliced, evilToken, token.substring(0, token.indexOf('.')), token + "A",
                "not-a-token", links.openPixelUrl(SHOP_A, send).replaceFirst(".*/t/o/", ""))) {
            HttpResponse<String> response = get("/t/c/" + bad, BROWSER, "text/html");
            assertThat(response.statusCode()).as("token %s", bad).isEqualTo(400);
            assertThat(response.headers().firstValue("Location")).as("token %s", bad).isEmpty();
            assertThat(response.body()).doesNotContain("evil.example");
        }
        HttpResponse<String> json = get("/t/c/" + spliced, BROWSER, "*/*");
        assertThat(json.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(json.body()).at("/error/message").asText()).contains("altered");
        assertThat(get("/t/o/" + spliced, BROWSER, "image/*").statusCode()).isEqualTo(400);
        assertThat(get("/u/" + spliced, BROWSER, "text/html").statusCode()).isEqualTo(400);
        assertThat(events(SHOP_A, send)).isEmpty();
    }

    @Test
    void aClickRedirectsToExactlyTheSignedUrlAndIsRecorded() throws Exception {
        long send = send(SHOP_A, 103L, "click-" + RUN + "@example.com", Duration.ofMinutes(10));
        String destination = "https://shop.example/products/tea?utm_source=ecomcrm&variant=42&q=a%20b#reviews";

        HttpResponse<String> response = get(path(links.clickUrl(SHOP_A, send, destination)), BROWSER, "text/html");

        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("Location")).contains(destination);
        assertThat(response.headers().firstValue("Referrer-Policy")).contains("no-referrer");
        List<Row> rows = events(SHOP_A, send);
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).getString("kind")).isEqualTo("click");
        assertThat(rows.get(0).getString("url")).isEqualTo(destination);
        assertThat(rows.get(0).getBoolean("machine")).isFalse();
        assertThat(landed(SHOP_A, rows.get(0).getString("event_id"))).singleElement()
                .satisfies(e -> assertThat(e.topic()).isEqualTo("email/click"));
    }

    @Test
    void aSignedDestinationThatIsNotHttpIsRefused() throws Exception {
        for (String target : List.of("javascript:alert(1)", "ftp://files.example/x", "//evil.example/x",
                "https://shop.example/a\r\nSet-Cookie: x=1")) {
            HttpResponse<String> response = get(path(links.clickUrl(SHOP_A, 104L, target)), BROWSER, "*/*");
            assertThat(response.statusCode()).as(target).isEqualTo(400);
            assertThat(response.headers().firstValue("Location")).as(target).isEmpty();
        }
    }

    @Test
    void aClickForASendThatNoLongerExistsStillRedirects() throws Exception {
        HttpResponse<String> response = get(path(links.clickUrl(SHOP_A, 9_000_000_000L + RUN.hashCode(),
                "https://shop.example/gone")), BROWSER, "text/html");

        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("Location")).contains("https://shop.example/gone");
    }

    @Test
    void aGoogleImageProxyOpenIsStoredAsMachineAndReportedSeparately() throws Exception {
        long send = send(SHOP_A, 105L, "proxy-" + RUN + "@example.com", Duration.ofMinutes(10));

        assertThat(getBytes(links.openPixelUrl(SHOP_A, send), GMAIL_PROXY).statusCode()).isEqualTo(200);
        assertThat(getBytes(links.openPixelUrl(SHOP_A, send), BROWSER).statusCode()).isEqualTo(200);

        List<Row> rows = events(SHOP_A, send);
        assertThat(rows).hasSize(2);
        Row proxied = rows.stream().filter(r -> r.getString("user_agent").equals(GMAIL_PROXY)).findFirst()
                .orElseThrow();
        assertThat(proxied.getBoolean("machine")).isTrue();
        assertThat(proxied.getString("machine_reason")).isEqualTo("gmail_image_proxy");
        assertThat(JSON.readTree(landed(SHOP_A, proxied.getString("event_id")).get(0).body())
                .get("machine_reason").asText()).isEqualTo("gmail_image_proxy");
        Row counts = application.postgres().preparedQuery("""
                        SELECT human_events, machine_events FROM email_event_counts
                         WHERE shop_domain = $1 AND send_id = $2 AND kind = 'open'""")
                .execute(Tuple.of(SHOP_A.domain(), send)).await().iterator().next();
        assertThat(counts.getLong("human_events")).isEqualTo(1);
        assertThat(counts.getLong("machine_events")).isEqualTo(1);
    }

    @Test
    void scannersAreFlaggedNotDropped() throws Exception {
        long fresh = send(SHOP_A, 106L, "fresh-" + RUN + "@example.com", Duration.ZERO);
        long burst = send(SHOP_A, 107L, "burst-" + RUN + "@example.com", Duration.ofMinutes(10));

        HttpResponse<String> head = HTTP.send(HttpRequest.newBuilder(URI.create(links.clickUrl(SHOP_A, burst,
                        "https://shop.example/head"))).header("User-Agent", BROWSER)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(302);
        assertThat(get(path(links.clickUrl(SHOP_A, fresh, "https://shop.example/a")), BROWSER, "*/*").statusCode())
                .isEqualTo(302);
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            all.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(links.clickUrl(SHOP_A, burst,
                    "https://shop.example/link-" + i))).header("User-Agent", BROWSER).GET().build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> response : all) {
            assertThat(response.get().statusCode()).isEqualTo(302);
        }

        assertThat(events(SHOP_A, fresh)).singleElement()
                .satisfies(r -> assertThat(r.getString("machine_reason")).isEqualTo("clicked_on_delivery"));
        List<Row> burstRows = events(SHOP_A, burst);
        assertThat(burstRows).hasSize(5);
        assertThat(burstRows).filteredOn(r -> "HEAD".equals(r.getString("method"))).singleElement()
                .satisfies(r -> assertThat(r.getString("machine_reason")).isEqualTo("head_request"));
        // The burst's first clicks looked human on arrival; they are re-flagged a moment after the answers.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(events(SHOP_A, burst))
                .allSatisfy(r -> assertThat(r.getBoolean("machine")).isTrue()));
    }

    @Test
    void aBurstOfOpensForOneSendIsRecordedInFull() throws Exception {
        long send = send(SHOP_A, 108L, "opens-" + RUN + "@example.com", Duration.ofMinutes(10));
        List<CompletableFuture<HttpResponse<byte[]>>> all = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            all.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(links.openPixelUrl(SHOP_A, send)))
                    .header("User-Agent", BROWSER).GET().build(), HttpResponse.BodyHandlers.ofByteArray()));
        }
        for (CompletableFuture<HttpResponse<byte[]>> response : all) {
            assertThat(response.get().statusCode()).isEqualTo(200);
        }

        List<Row> rows = events(SHOP_A, send);
        assertThat(rows).hasSize(25);
        assertThat(rows.stream().map(r -> r.getString("event_id")).distinct()).hasSize(25);
        for (Row row : rows) {
            assertThat(landed(SHOP_A, row.getString("event_id"))).hasSize(1);
        }
    }

    @Test
    void theUnsubscribePageChangesNothingAndPostsBackToItself() throws Exception {
        String email = "page-" + RUN + "@example.com";
        long send = send(SHOP_A, 109L, email, Duration.ofMinutes(10));

        HttpResponse<String> page = get(path(links.unsubscribeUrl(SHOP_A, send)), BROWSER, "text/html");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("<form method=\"post\">").contains("List-Unsubscribe")
                .contains("p******@example.com").doesNotContain(email);
        assertThat(suppressed(SHOP_A, email)).isFalse();
        assertThat(events(SHOP_A, send)).isEmpty();
    }

    @Test
    void oneClickUnsubscribeSuppressesOnceAndIsIdempotent() throws Exception {
        String email = "oneclick-" + RUN + "@example.com";
        long customer = 110L + Math.abs(RUN.hashCode() % 1000);
        long send = send(SHOP_A, customer, email, Duration.ofMinutes(10));
        application.postgres().preparedQuery("""
                        INSERT INTO consent (shop_domain, customer_id, email, marketing_state, updated_at)
                        VALUES ($1, $2, $3, 'SUBSCRIBED', now() - interval '1 day')""")
                .execute(Tuple.of(SHOP_A.domain(), customer, email)).await();
        String url = links.unsubscribeUrl(SHOP_A, send);

        HttpResponse<String> first = post(url, "List-Unsubscribe=One-Click");
        HttpResponse<String> again = post(url, "List-Unsubscribe=One-Click");
        HttpResponse<String> form = post(url, "");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).contains("You are unsubscribed");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).contains("already unsubscribed");
        assertThat(form.statusCode()).isEqualTo(200);
        assertThat(suppressed(SHOP_A, email)).isTrue();
        Row suppression = application.postgres().preparedQuery(
                        "SELECT reason, source_send_id FROM suppressions WHERE shop_domain = $1 AND email = $2")
                .execute(Tuple.of(SHOP_A.domain(), email)).await().iterator().next();
        assertThat(suppression.getString("reason")).isEqualTo("unsubscribed");
        assertThat(suppression.getLong("source_send_id")).isEqualTo(send);
        assertThat(application.postgres().preparedQuery(
                        "SELECT marketing_state FROM consent WHERE shop_domain = $1 AND customer_id = $2")
                .execute(Tuple.of(SHOP_A.domain(), customer)).await().iterator().next().getString("marketing_state"))
                .isEqualTo("UNSUBSCRIBED");
        assertThat(events(SHOP_A, send)).singleElement()
                .satisfies(r -> assertThat(r.getString("kind")).isEqualTo("unsubscribe"));
        assertThat(landed(SHOP_A, "unsubscribe-" + send)).hasSize(3)
                .allSatisfy(e -> assertThat(e.topic()).isEqualTo("email/unsubscribe"));
        HttpResponse<String> pageAfter = get(path(url), BROWSER, "text/html");
        assertThat(pageAfter.body()).contains("You are unsubscribed").doesNotContain("<form");
    }

    @Test
    void theUnsubscribeLinkOfATestSendChangesNothingAndSaysSo() throws Exception {
        String merchant = "owner-" + RUN + "@example.com";
        long customer = 2_000L + Math.abs(RUN.hashCode() % 1000);
        application.postgres().preparedQuery("""
                        INSERT INTO consent (shop_domain, customer_id, email, marketing_state, updated_at)
                        VALUES ($1, $2, $3, 'SUBSCRIBED', now() - interval '1 day')""")
                .execute(Tuple.of(SHOP_A.domain(), customer, merchant)).await();
        // A test send to the merchant, filled with a real customer's data (as POST /api/templates/{id}/test-send).
        String key = "test:" + UUID.randomUUID();
        long send = application.postgres().preparedQuery("""
                        INSERT INTO sends (shop_domain, flow_id, customer_id, email, trigger_key, idempotency_key,
                                           status, due_at, sent_at, is_test)
                        VALUES ($1, NULL, $2, $3, 'test', $4, 'SENT', now(), now(), true) RETURNING id""")
                .execute(Tuple.of(SHOP_A.domain(), customer, merchant, key)).await().iterator().next().getLong("id");
        String url = links.unsubscribeUrl(SHOP_A, send);

        HttpResponse<String> page = get(path(url), BROWSER, "text/html");
        HttpResponse<String> oneClick = post(url, "List-Unsubscribe=One-Click");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("This was a test email").contains("nothing changed")
                .doesNotContain("<form").doesNotContain(merchant);
        assertThat(oneClick.statusCode()).isEqualTo(200);
        assertThat(oneClick.body()).contains("This was a test email").doesNotContain("You are unsubscribed");
        assertThat(suppressed(SHOP_A, merchant)).isFalse();
        assertThat(application.postgres().preparedQuery(
                        "SELECT marketing_state FROM consent WHERE shop_domain = $1 AND customer_id = $2")
                .execute(Tuple.of(SHOP_A.domain(), customer)).await().iterator().next().getString("marketing_state"))
                .isEqualTo("SUBSCRIBED");
        assertThat(events(SHOP_A, send)).isEmpty();
        assertThat(landed(SHOP_A, "unsubscribe-" + send)).isEmpty();
    }

    @Test
    void aTokenSignedForShopACannotUnsubscribeAnyoneInShopB() throws Exception {
        String email = "victim-" + RUN + "@example.com";
        long sendOfB = send(SHOP_B, 111L, email, Duration.ofMinutes(10));

        // A validly signed token naming shop A with shop B's send id: the lookup is by (shop A, id), so nothing.
        HttpResponse<String> page = get(path(links.unsubscribeUrl(SHOP_A, sendOfB)), BROWSER, "text/html");
        HttpResponse<String> post = post(links.unsubscribeUrl(SHOP_A, sendOfB), "List-Unsubscribe=One-Click");

        assertThat(page.statusCode()).isEqualTo(404);
        assertThat(page.body()).doesNotContain("victim");
        assertThat(post.statusCode()).isEqualTo(404);
        assertThat(suppressed(SHOP_B, email)).isFalse();
        assertThat(suppressed(SHOP_A, email)).isFalse();
        assertThat(events(SHOP_B, sendOfB)).isEmpty();
        assertThat(events(SHOP_A, sendOfB)).isEmpty();
        // Shop B's own token still works.
        assertThat(post(links.unsubscribeUrl(SHOP_B, sendOfB), "List-Unsubscribe=One-Click").statusCode())
                .isEqualTo(200);
        assertThat(suppressed(SHOP_B, email)).isTrue();
    }

    // ---------------------------------------------------------------- helpers

    private static long send(ShopId shop, Long customerId, String email, Duration sentAgo) {
        long flow = application.postgres().preparedQuery("""
                        INSERT INTO flows (shop_domain, kind) VALUES ($1, 'welcome')
                        ON CONFLICT (shop_domain, kind) DO UPDATE SET updated_at = now() RETURNING id""")
                .execute(Tuple.of(shop.domain())).await().iterator().next().getLong("id");
        String key = "test|" + UUID.randomUUID();
        return application.postgres().preparedQuery("""
                        INSERT INTO sends (shop_domain, flow_id, customer_id, email, trigger_key, idempotency_key,
                                           status, due_at, sent_at)
                        VALUES ($1, $2, $3, $4, $5, $6, 'SENT', now(), $7) RETURNING id""")
                .execute(Tuple.of(shop.domain(), flow, customerId, email, key, key,
                        OffsetDateTime.now(ZoneOffset.UTC).minus(sentAgo)))
                .await().iterator().next().getLong("id");
    }

    private static List<Row> events(ShopId shop, long sendId) {
        List<Row> rows = new ArrayList<>();
        application.postgres().preparedQuery("""
                        SELECT kind, url, event_id, method, user_agent, host(ip) AS ip, machine, machine_reason
                          FROM email_events WHERE shop_domain = $1 AND send_id = $2 ORDER BY id""")
                .execute(Tuple.of(shop.domain(), sendId)).await().forEach(rows::add);
        return rows;
    }

    private static boolean suppressed(ShopId shop, String email) {
        return application.postgres().preparedQuery(
                        "SELECT 1 FROM suppressions WHERE shop_domain = $1 AND email = $2")
                .execute(Tuple.of(shop.domain(), email)).await().size() > 0;
    }

    private static List<LandingEnvelope> landed(ShopId shop, String eventId) throws Exception {
        Path dir = landing.resolve("source=tracking").resolve("shop=" + shop.domain());
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).flatMap(file -> {
                try {
                    return Files.readAllLines(file).stream();
                }
                catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).map(LandingEnvelope::fromJsonLine).filter(e -> e.deliveryId().equals(eventId)).toList();
        }
    }

    private static String path(String url) {
        return url.substring(base.length());
    }

    private static HttpResponse<String> get(String path, String userAgent, String accept) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("User-Agent", userAgent)
                .header("Accept", accept).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<byte[]> getBytes(String url, String userAgent) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("User-Agent", userAgent).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpResponse<String> post(String url, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
