package com.ecomcrm.api.webhooks;

import com.ecomcrm.api.groupcommit.GroupCommit;
import com.ecomcrm.api.compliance.ComplianceWebhook;
import com.ecomcrm.api.tokens.ShopTokens;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.email.secrets.SecretCipher;
import com.ecomcrm.email.secrets.SecretKeys;
import com.ecomcrm.landing.LandingEnvelope;
import com.ecomcrm.landing.LandingLayout;
import com.ecomcrm.landing.LandingZone;
import com.ecomcrm.schema.PostgresMigrator;
import com.ecomcrm.schema.PostgresTarget;
import com.ecomcrm.testing.shopify.SimulatedWebhook;
import com.ecomcrm.testing.shopify.StoreGenerator;
import com.ecomcrm.testing.shopify.WebhookRetries;
import com.ecomcrm.testing.shopify.WebhookRetrySchedule;
import com.ecomcrm.testing.shopify.WebhookSender;
import com.ecomcrm.testing.shopify.WebhookTimeline;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The simulator's Shopify retries against the real {@code POST /webhooks} handler and intake: while the landing
 * cannot be written, the intake's batch fails and every delivery in it is answered 503; Shopify sends each again when
 * its retry is due (same X-Shopify-Webhook-Id, same bytes), and once the landing works each lands exactly once, and a
 * later copy is answered 200 as a duplicate without landing again.
 */
class WebhookRetryLandingTest {
    private static final ShopId SHOP = ShopId.of("retry-landing.myshopify.com");
    private static final String SECRET = "retry-landing-secret";
    private static final Instant T0 = Instant.parse("2026-11-30T04:00:00Z");

    @TempDir
    Path temp;

    private PostgresTarget target;
    private String schema;
    private Vertx vertx;
    private Pool pool;

    @BeforeEach
    void freshSchema() {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        target = PostgresTarget.fromEnv();
        schema = "retry_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10).toLowerCase(Locale.ROOT);
        PostgresMigrator.migrate(target, schema);
    }

    @AfterEach
    void dropSchema() throws Exception {
        if (vertx != null) {
            vertx.close().await();
        }
        if (schema != null) {
            try (Connection connection = DriverManager.getConnection(target.url(), target.user(), target.password());
                 Statement statement = connection.createStatement()) {
                statement.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    @Test
    void deliveriesAnswered503WhileTheLandingFailsAreRetriedAndLandExactlyOnce() throws Exception {
        Path landing = temp.resolve("landing");
        // The landing root is a file: no webhook folder can be made under it, so the batch fails.
        Files.writeString(landing, "not a folder yet");
        URI endpoint = startApp(landing);
        HandClock clock = new HandClock(T0);
        WebhookRetries shopify = new WebhookRetries(clock);
        WebhookSender sender = new WebhookSender(HttpClient.newHttpClient(), endpoint, SECRET);
        List<SimulatedWebhook> webhooks = WebhookTimeline.of(StoreGenerator.generate(3, SHOP, 5)).subList(0, 3);

        for (SimulatedWebhook webhook : webhooks) {
            assertThat(shopify.deliver(webhook, sender)).isEqualTo(WebhookRetries.Outcome.WILL_RETRY);
        }
        assertThat(shopify.attempts()).extracting(WebhookRetries.Attempt::status).containsOnly(503);
        assertThat(receipts()).isEmpty();

        // The first retry is not due yet: nothing is sent early.
        clock.set(WebhookRetrySchedule.retryAt(T0, 1).minusSeconds(1));
        assertThat(shopify.retryDue()).isZero();

        Files.delete(landing); // the operator repairs the landing
        clock.set(WebhookRetrySchedule.retryAt(T0, 1));
        assertThat(shopify.retryDue()).isEqualTo(3);

        assertThat(shopify.pending()).isEmpty();
        assertThat(shopify.attempts()).hasSize(6);
        assertThat(shopify.attempts().subList(3, 6)).allSatisfy(a -> {
            assertThat(a.number()).isEqualTo(1);
            assertThat(a.status()).isEqualTo(200);
        });
        List<String> ids = webhooks.stream().map(SimulatedWebhook::webhookId).toList();
        assertThat(landedIds(landing)).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(receipts()).containsExactlyInAnyOrderElementsOf(ids);

        // A late copy of one of them (Shopify does send duplicates) is a 200 that lands nothing more.
        assertThat(shopify.deliver(webhooks.get(0), sender)).isEqualTo(WebhookRetries.Outcome.DELIVERED);
        assertThat(landedIds(landing)).containsExactlyInAnyOrderElementsOf(ids);
    }

    private URI startApp(Path landing) {
        vertx = Vertx.vertx();
        URI url = URI.create(target.url().substring("jdbc:".length()));
        PgConnectOptions options = new PgConnectOptions().setHost(url.getHost()).setPort(url.getPort())
                .setDatabase(url.getPath().substring(1)).setUser(target.user()).setPassword(target.password())
                .addProperty("search_path", schema);
        GroupCommit.SESSION_SETTINGS.forEach(options::addProperty);
        pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4)).connectingTo(options).using(vertx).build();
        SecretCipher cipher = new SecretCipher(SecretKeys.parse("test1:"
                + Base64.getEncoder().encodeToString(new byte[32])));
        WebhookEffects effects = new WebhookEffects(new ShopTokens(pool, cipher), null, new ComplianceWebhook(pool));
        LandingZone zone = new LandingZone(new LandingLayout(landing), Clock.systemUTC());
        WebhookIntake intake = new WebhookIntake(vertx, pool, new WebhookReceipts(), zone, effects,
                WebhookIntake.DEFAULT_SETTINGS);
        WebhookHandler handler = new WebhookHandler(new WebhookDeliveryCheck(new WebhookSignature(List.of(SECRET))),
                intake, Clock.systemUTC());
        Router router = Router.router(vertx);
        router.post("/webhooks").handler(BodyHandler.create()).handler(handler);
        HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
        return URI.create("http://127.0.0.1:" + server.actualPort() + "/webhooks");
    }

    private List<String> receipts() {
        List<String> ids = new ArrayList<>();
        for (Row row : pool.query("SELECT webhook_id FROM webhook_receipts").execute().await()) {
            ids.add(row.getString("webhook_id"));
        }
        return ids;
    }

    private static List<String> landedIds(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(root)) {
            List<String> ids = new ArrayList<>();
            for (Path file : files.filter(f -> f.toString().endsWith(LandingLayout.FILE_SUFFIX)).toList()) {
                Files.readAllLines(file).forEach(line -> ids.add(LandingEnvelope.fromJsonLine(line).deliveryId()));
            }
            return ids;
        }
    }

    /** Shopify's clock for the retries, set by the test. */
    private static final class HandClock extends Clock {
        private volatile Instant now;

        HandClock(Instant start) {
            this.now = start;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
