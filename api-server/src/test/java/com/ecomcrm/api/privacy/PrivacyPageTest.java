package com.ecomcrm.api.privacy;

import com.ecomcrm.api.ApiMain;
import com.ecomcrm.api.config.ApiConfig;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.schema.ClickHouseTarget;
import com.ecomcrm.schema.PostgresTarget;
import com.ecomcrm.schema.SchemaMigrator;
import io.vertx.core.Vertx;
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
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The privacy policy page: served by the real API server, public, with the operator's configured facts. */
class PrivacyPageTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path landing;

    private static ApiMain.Application application;
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
        env.put("SHOPIFY_API_KEY", "privacy-test-client-id");
        env.put("SHOPIFY_API_SECRET", "privacy-test-secret");
        env.put("ECOMCRM_LANDING_DIR", landing.toString());
        env.put("ECOMCRM_TOKEN_KEYS", "t1:" + Base64.getEncoder().encodeToString(new byte[32]));
        env.put("ECOMCRM_INITIAL_SYNC", "manual");
        env.put("ECOMCRM_COMPANY_NAME", "Example Operator <Ltd> & Co");
        env.put("ECOMCRM_CONTACT_EMAIL", "privacy@operator.example");
        env.put("ECOMCRM_COMPANY_ADDRESS", "1 Test Street, Testville");
        env.put("ECOMCRM_DATA_LOCATION", "EU (Frankfurt)");
        env.put("ECOMCRM_SUBPROCESSORS", "Cloud Host|servers and databases|Germany; Mail Relay|sending email|Ireland");
        env.put("ECOMCRM_PRIVACY_UPDATED", "2026-11-30");
        application = ApiMain.Application.start(Vertx.vertx(), ApiConfig.from(env),
                ClickHouseSettings.fromEnvironment(), Clock.systemUTC(), env).await();
    }

    @AfterAll
    static void stop() {
        if (application != null) {
            application.close().await();
        }
    }

    @Test
    void thePolicyIsServedWithoutASessionWithTheOperatorsValuesAndStrictHeaders() throws Exception {
        HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/privacy")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(page.headers().firstValue("Set-Cookie")).as("the page sets no cookie").isEmpty();
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue("default-src 'none'; style-src '"
                + PrivacyPage.sha256(PrivacyPage.STYLE) + "'; base-uri 'none'; form-action 'none'; "
                + "frame-ancestors 'none'");
        String html = page.body();
        assertThat(html).contains("operated by Example Operator &lt;Ltd&gt; &amp; Co, 1 Test Street, Testville.")
                .contains("<a href=\"mailto:privacy@operator.example\">privacy@operator.example</a>")
                .contains("located in EU (Frankfurt).")
                .contains("<tr><td>Cloud Host</td><td>servers and databases</td><td>Germany</td></tr>")
                .contains("<tr><td>Mail Relay</td><td>sending email</td><td>Ireland</td></tr>")
                .contains("Last updated: 2026-11-30.")
                .contains("<code>customers/redact</code>").contains("within 30 days")
                .contains("<code>shop/redact</code> request 48 hours later")
                .contains("<code>customers/data_request</code>")
                .contains("<h2>Cookies</h2><p>None.")
                .doesNotContain("not configured")
                .doesNotContain("<script");
        // The only style block is the one the CSP hash allows.
        assertThat(html).contains("<style>" + PrivacyPage.STYLE + "</style>");
        assertThat(html.split("<style>", -1)).hasSize(2);
    }

    @Test
    void missingOperatorFactsShowAsNotConfiguredNeverAsAnInventedCompany() {
        PrivacySettings none = PrivacySettings.fromEnvironment(Map.of("ECOMCRM_COMPANY_NAME", "  "));
        assertThat(none.missing()).containsExactly("ECOMCRM_COMPANY_NAME", "ECOMCRM_CONTACT_EMAIL",
                "ECOMCRM_COMPANY_ADDRESS", "ECOMCRM_DATA_LOCATION", "ECOMCRM_SUBPROCESSORS");
        String html = new PrivacyPage(none).html();
        assertThat(html).contains("operated by <span class=\"missing\">[not configured: ECOMCRM_COMPANY_NAME]</span>")
                .contains("[not configured: ECOMCRM_CONTACT_EMAIL]")
                .contains("[not configured: ECOMCRM_SUBPROCESSORS]")
                .contains("[not configured: ECOMCRM_DATA_LOCATION]");
    }

    @Test
    void aSubprocessorEntryThatIsNotNamePurposeLocationFailsAtStartNamingTheSetting() {
        assertThatThrownBy(() -> PrivacySettings.fromEnvironment(Map.of("ECOMCRM_SUBPROCESSORS", "Cloud Host|servers")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot use ECOMCRM_SUBPROCESSORS: entry 'Cloud Host|servers' is not name|purpose|location");
    }
}
