package com.ecomcrm.api.webhooks;

import com.ecomcrm.api.groupcommit.GroupCommit;
import com.ecomcrm.api.groupcommit.GroupCommitSettings;
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
import io.vertx.core.Future;
import io.vertx.core.Vertx;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The batched intake on the real PostgreSQL (a throwaway schema per test) and a real landing folder: what lands,
 * what is answered, what is recorded, when batches hold copies of one delivery, fail, or meet a restart.
 */
class WebhookIntakeTest {
    private static final ShopId SHOP = ShopId.of("intake-test.myshopify.com");
    private static final Instant NOW = Instant.parse("2026-11-30T01:00:00Z");

    @TempDir
    Path landingRoot;

    private PostgresTarget target;
    private String schema;
    private final List<Vertx> started = new ArrayList<>();

    @BeforeEach
    void freshSchema() {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        target = PostgresTarget.fromEnv();
        schema = "intake_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10).toLowerCase(Locale.ROOT);
        PostgresMigrator.migrate(target, schema);
    }

    @AfterEach
    void dropSchema() throws Exception {
        for (Vertx vertx : started) {
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
    void copiesOfOneDeliveryInOneBatchAreLandedOnceAndAnsweredDuplicate() throws Exception {
        Intake intake = intake(landingRoot, new GroupCommitSettings(128, 1));
        // The first delivery goes alone at once; the four after it wait for it and form the next batch together.
        List<Future<WebhookIntake.Outcome>> answers = List.of(
                intake.receive(delivery("wh-first")),
                intake.receive(delivery("wh-copied")),
                intake.receive(delivery("wh-copied")),
                intake.receive(delivery("wh-other")),
                intake.receive(delivery("wh-copied")));

        assertThat(answers).extracting(answer -> answer.await()).containsExactly(WebhookIntake.Outcome.ACCEPTED,
                WebhookIntake.Outcome.ACCEPTED, WebhookIntake.Outcome.DUPLICATE, WebhookIntake.Outcome.ACCEPTED,
                WebhookIntake.Outcome.DUPLICATE);
        assertThat(landedIds(landingRoot)).containsExactlyInAnyOrder("wh-first", "wh-copied", "wh-other");
        assertThat(receipts(intake)).containsExactlyInAnyOrder("wh-first", "wh-copied", "wh-other");
    }

    @Test
    void copiesInBatchesRunningAtOnceAreLandedOnce() throws Exception {
        Intake intake = intake(landingRoot, new GroupCommitSettings(128, 4));
        // Four batches in flight: each copy may go in a batch of its own, claimed concurrently.
        List<Future<WebhookIntake.Outcome>> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            answers.add(intake.receive(delivery("wh-raced")));
        }

        assertThat(answers).extracting(answer -> answer.await())
                .containsOnlyOnce(WebhookIntake.Outcome.ACCEPTED)
                .containsOnly(WebhookIntake.Outcome.ACCEPTED, WebhookIntake.Outcome.DUPLICATE);
        assertThat(landedIds(landingRoot)).containsExactly("wh-raced");
    }

    @Test
    void aBatchThatCannotLandFailsEveryDeliveryOfItAndRecordsNothingSoTheRetriesLand() throws Exception {
        Path notAFolder = Files.writeString(landingRoot.resolve("not-a-folder"), "the landing root is a file");
        Intake broken = intake(notAFolder, new GroupCommitSettings(128, 1));
        List<Future<WebhookIntake.Outcome>> answers = List.of(broken.receive(delivery("wh-1")),
                broken.receive(delivery("wh-2")), broken.receive(delivery("wh-3")));

        for (Future<WebhookIntake.Outcome> answer : answers) {
            assertThat(answer.transform(Future::succeededFuture).await().failed()).isTrue();
        }
        assertThat(receipts(broken)).isEmpty();

        // Shopify retries each of them (it got a 503): none is mistaken for a duplicate.
        Intake repaired = intake(landingRoot.resolve("landing"), new GroupCommitSettings(128, 1));
        assertThat(List.of(repaired.receive(delivery("wh-1")), repaired.receive(delivery("wh-2")),
                repaired.receive(delivery("wh-3")))).extracting(answer -> answer.await())
                .containsOnly(WebhookIntake.Outcome.ACCEPTED);
        assertThat(landedIds(landingRoot.resolve("landing"))).containsExactlyInAnyOrder("wh-1", "wh-2", "wh-3");
    }

    @Test
    void aDeliveryReceivedBeforeARestartIsStillADuplicateAfterIt() throws Exception {
        Intake before = intake(landingRoot, WebhookIntake.DEFAULT_SETTINGS);
        assertThat(before.receive(delivery("wh-before-restart")).await()).isEqualTo(WebhookIntake.Outcome.ACCEPTED);
        before.vertx().close().await();
        started.remove(before.vertx());

        Intake after = intake(landingRoot, WebhookIntake.DEFAULT_SETTINGS);

        assertThat(after.receive(delivery("wh-before-restart")).await()).isEqualTo(WebhookIntake.Outcome.DUPLICATE);
        assertThat(landedIds(landingRoot)).containsExactly("wh-before-restart");
    }

    @Test
    void aDeliveryWhoseEffectFailsIsSentBackAloneAndTheOthersLand() throws Exception {
        Intake intake = intake(landingRoot, new GroupCommitSettings(128, 1));
        // A compliance request whose body is not an object: its effect (recording the request) fails.
        WebhookDelivery unreadable = new WebhookDelivery(SHOP, WebhookTopic.CUSTOMERS_REDACT, "wh-redact",
                Optional.of(NOW), Optional.of("2026-07"), "[1]");

        Future<WebhookIntake.Outcome> ordinary = intake.receive(delivery("wh-ordinary"));
        Future<WebhookIntake.Outcome> failing = intake.intake().receive(unreadable, NOW);
        Future<WebhookIntake.Outcome> next = intake.receive(delivery("wh-next"));

        assertThat(ordinary.await()).isEqualTo(WebhookIntake.Outcome.ACCEPTED);
        assertThat(next.await()).isEqualTo(WebhookIntake.Outcome.ACCEPTED);
        assertThat(failing.transform(Future::succeededFuture).await().failed()).isTrue();
        assertThat(receipts(intake)).containsExactlyInAnyOrder("wh-ordinary", "wh-next");
    }

    @Test
    void anotherShopsDeliveryWithTheSameWebhookIdIsItsOwn() throws Exception {
        Intake intake = intake(landingRoot, WebhookIntake.DEFAULT_SETTINGS);
        ShopId other = ShopId.of("intake-other.myshopify.com");
        WebhookDelivery theirs = new WebhookDelivery(other, WebhookTopic.ORDERS_CREATE, "wh-shared",
                Optional.of(NOW), Optional.empty(), "{\"id\":1,\"updated_at\":\"2026-11-30T00:59:00Z\"}");

        assertThat(intake.receive(delivery("wh-shared")).await()).isEqualTo(WebhookIntake.Outcome.ACCEPTED);
        assertThat(intake.intake().receive(theirs, NOW).await()).isEqualTo(WebhookIntake.Outcome.ACCEPTED);
        assertThat(landedLines(landingRoot)).extracting(LandingEnvelope::shop).containsExactlyInAnyOrder(SHOP, other);
    }

    private record Intake(Vertx vertx, Pool pool, WebhookIntake intake) {
        Future<WebhookIntake.Outcome> receive(WebhookDelivery delivery) {
            return intake.receive(delivery, NOW);
        }
    }

    private Intake intake(Path landing, GroupCommitSettings settings) {
        Vertx vertx = Vertx.vertx();
        started.add(vertx);
        URI url = URI.create(target.url().substring("jdbc:".length()));
        PgConnectOptions options = new PgConnectOptions().setHost(url.getHost()).setPort(url.getPort())
                .setDatabase(url.getPath().substring(1)).setUser(target.user()).setPassword(target.password())
                .addProperty("search_path", schema);
        GroupCommit.SESSION_SETTINGS.forEach(options::addProperty);
        Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4)).connectingTo(options).using(vertx).build();
        SecretCipher cipher = new SecretCipher(SecretKeys.parse("test1:"
                + Base64.getEncoder().encodeToString(new byte[32])));
        WebhookEffects effects = new WebhookEffects(new ShopTokens(pool, cipher), null, new ComplianceWebhook(pool));
        LandingZone zone = new LandingZone(new LandingLayout(landing), Clock.systemUTC());
        return new Intake(vertx, pool, new WebhookIntake(vertx, pool, new WebhookReceipts(), zone, effects, settings));
    }

    private static WebhookDelivery delivery(String webhookId) {
        return new WebhookDelivery(SHOP, WebhookTopic.CUSTOMERS_UPDATE, webhookId, Optional.of(NOW),
                Optional.of("2026-07"), "{\"id\":7,\"updated_at\":\"2026-11-30T00:59:00Z\",\"note\":\"" + webhookId
                + "\"}");
    }

    private static List<String> receipts(Intake intake) {
        List<String> ids = new ArrayList<>();
        for (Row row : intake.pool().query("SELECT webhook_id FROM webhook_receipts").execute().await()) {
            ids.add(row.getString("webhook_id"));
        }
        return ids;
    }

    private static List<String> landedIds(Path root) throws IOException {
        return landedLines(root).stream().map(LandingEnvelope::deliveryId).toList();
    }

    private static List<LandingEnvelope> landedLines(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(root)) {
            List<LandingEnvelope> lines = new ArrayList<>();
            for (Path file : files.filter(f -> f.toString().endsWith(LandingLayout.FILE_SUFFIX)).toList()) {
                Files.readAllLines(file).forEach(line -> lines.add(LandingEnvelope.fromJsonLine(line)));
            }
            return lines;
        }
    }
}
