package com.ecomcrm.api.app;

import com.ecomcrm.api.ApiMain;
import com.ecomcrm.api.config.ApiConfig;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard as the deployed server serves it: the page with the app's API key, App Bridge only when embedded,
 * the frame-ancestors policy Shopify requires, the hashed assets cached for good, client routes falling back to the
 * page, and Shopify's app URL ({@code /?shop=...}) sent to {@code /app/} with its query string. Needs the frontend
 * built into target/classes/webroot (the default Maven build does it).
 */
class DashboardRoutesTest {
    private static final String CLIENT_ID = "dashboard-test-client-id";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern ENTRY_SCRIPT = Pattern.compile("src=\"(/app/assets/index-[^\"]+\\.js)\"");

    @TempDir
    static Path landing;

    private static ApiMain.Application application;
    private static String base;

    @BeforeAll
    static void startServer() {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("ECOMCRM_API_PORT", "0");
        env.put("SHOPIFY_API_KEY", CLIENT_ID);
        env.put("SHOPIFY_API_SECRET", "dashboard-test-secret");
        env.put("ECOMCRM_LANDING_DIR", landing.toString());
        env.putIfAbsent("ECOMCRM_TOKEN_KEYS", "test1:" + Base64.getEncoder().encodeToString(new byte[32]));
        application = ApiMain.Application.start(Vertx.vertx(), ApiConfig.from(env),
                ClickHouseSettings.fromEnvironment(), Clock.systemUTC()).await();
        base = "http://127.0.0.1:" + application.server().actualPort();
    }

    @AfterAll
    static void stopServer() {
        if (application != null) {
            application.close().await();
        }
    }

    @Test
    void embeddedPageCarriesTheApiKeyAppBridgeAndTheShopsFrameAncestors() throws Exception {
        HttpResponse<String> page = get("/app/?shop=dash-shop.myshopify.com&host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvZGFzaA"
                + "&embedded=1");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.body()).contains("<meta name=\"shopify-api-key\" content=\"" + CLIENT_ID + "\" />")
                .contains("<script src=\"https://cdn.shopify.com/shopifycloud/app-bridge.js\"></script>")
                .doesNotContain(DashboardPage.MARKER);
        // App Bridge must come before the app's own module script.
        assertThat(page.body().indexOf("app-bridge.js")).isLessThan(page.body().indexOf("type=\"module\""));
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValue("frame-ancestors https://dash-shop.myshopify.com https://admin.shopify.com;");
        assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-cache");
    }

    @Test
    void standalonePageHasTheApiKeyButNoAppBridge() throws Exception {
        HttpResponse<String> page = get("/app/");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("content=\"" + CLIENT_ID + "\"").doesNotContain("app-bridge.js");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue("frame-ancestors 'none';");
    }

    @Test
    void aShopThatIsNotAMyshopifyHostNeverReachesThePolicy() throws Exception {
        HttpResponse<String> page = get("/app/?shop=evil.example.com%20https://attacker.example&embedded=1");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue("frame-ancestors 'none';");
    }

    @Test
    void clientRoutesFallBackToThePage() throws Exception {
        HttpResponse<String> index = get("/app/");
        HttpResponse<String> customer = get("/app/customers/4242?shop=dash-shop.myshopify.com");
        HttpResponse<String> templates = get("/app/templates");

        assertThat(customer.statusCode()).isEqualTo(200);
        assertThat(customer.body()).isEqualTo(index.body());
        assertThat(customer.headers().firstValue("Content-Security-Policy"))
                .hasValue("frame-ancestors https://dash-shop.myshopify.com https://admin.shopify.com;");
        assertThat(templates.statusCode()).isEqualTo(200);
        assertThat(templates.body()).isEqualTo(index.body());
    }

    @Test
    void hashedAssetsAreServedAndCachedForGood() throws Exception {
        Matcher entry = ENTRY_SCRIPT.matcher(get("/app/").body());
        assertThat(entry.find()).as("the page names its entry script").isTrue();

        HttpResponse<String> script = get(entry.group(1));

        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("text/javascript"));
        assertThat(script.headers().firstValue("Cache-Control")).hasValueSatisfying(cache ->
                assertThat(cache).contains("immutable").contains("max-age=31536000"));
        assertThat(script.body()).isNotBlank();
    }

    @Test
    void aMissingAssetIsA404NotThePage() throws Exception {
        HttpResponse<String> missing = get("/app/assets/index-doesnotexist.js");

        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).doesNotContain("<html").contains("\"code\":\"NOT_FOUND\"");
    }

    @Test
    void shopifysAppUrlIsSentToTheDashboardWithItsQueryString() throws Exception {
        HttpResponse<String> root = get("/?shop=dash-shop.myshopify.com&host=abc&embedded=1");
        HttpResponse<String> bare = get("/app?shop=dash-shop.myshopify.com");

        assertThat(root.statusCode()).isEqualTo(302);
        assertThat(root.headers().firstValue("Location"))
                .hasValue("/app/?shop=dash-shop.myshopify.com&host=abc&embedded=1");
        assertThat(bare.statusCode()).isEqualTo(302);
        assertThat(bare.headers().firstValue("Location")).hasValue("/app/?shop=dash-shop.myshopify.com");
    }

    @Test
    void theApiStillAsksForASessionToken() throws Exception {
        HttpResponse<String> api = get("/api/segments");

        assertThat(api.statusCode()).isEqualTo(401);
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
