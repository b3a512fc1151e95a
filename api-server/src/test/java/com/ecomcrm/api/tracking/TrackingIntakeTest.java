package com.ecomcrm.api.tracking;

import com.ecomcrm.api.groupcommit.GroupCommit;
import com.ecomcrm.api.groupcommit.GroupCommitSettings;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.landing.LandingEnvelope;
import com.ecomcrm.landing.LandingLayout;
import com.ecomcrm.landing.LandingZone;
import com.ecomcrm.schema.PostgresMigrator;
import com.ecomcrm.schema.PostgresTarget;
import com.ecomcrm.tracking.EmailEvent;
import com.ecomcrm.tracking.TrackingLinks;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The batched tracking intake on the real PostgreSQL (a throwaway schema per test) and a real landing folder: what is
 * recorded, landed and answered when copies of an event arrive together, spread over batches, when bursts of clicks
 * are split between batches (as between servers), and when a batch fails.
 */
class TrackingIntakeTest {
    private static final ShopId SHOP = ShopId.of("tracking-intake.myshopify.com");
    private static final ShopId OTHER = ShopId.of("tracking-intake-other.myshopify.com");
    private static final String BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 "
            + "(KHTML, like Gecko) Version/17.5 Safari/605.1.15";

    @TempDir
    Path landingRoot;

    private PostgresTarget target;
    private String schema;
    private final List<Vertx> started = new ArrayList<>();

    @BeforeEach
    void freshSchema() {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        target = PostgresTarget.fromEnv();
        schema = "tracking_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10).toLowerCase(Locale.ROOT);
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
    void concurrentCopiesOfAnOpenInOneBatchAreEachRecordedAndLandedOnce() throws Exception {
        Intake intake = intake(landingRoot, new GroupCommitSettings(256, 1));
        long send = intake.send(SHOP, Duration.ofMinutes(10));

        List<Future<EmailEvent>> answers = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            answers.add(intake.intake().receive(open(SHOP, send, BROWSER)));
        }

        List<String> answered = awaitAll(answers).stream().map(EmailEvent::eventId).toList();
        assertThat(answered).hasSize(30).doesNotHaveDuplicates();
        assertThat(intake.eventIds(SHOP, send)).containsExactlyInAnyOrderElementsOf(answered);
        assertThat(landedIds(landingRoot)).containsExactlyInAnyOrderElementsOf(answered);
        assertThat(intake.rows(SHOP, send)).allSatisfy(row -> assertThat(row.getBoolean("machine")).isFalse());
    }

    @Test
    void copiesSpreadOverSeveralBatchesAreNeitherLostNorDoubled() throws Exception {
        Intake intake = intake(landingRoot, new GroupCommitSettings(4, 2));
        long send = intake.send(SHOP, Duration.ofMinutes(10));
        long otherShopsSend = intake.send(OTHER, Duration.ofMinutes(10));

        List<Future<EmailEvent>> answers = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            answers.add(intake.intake().receive(i % 2 == 0 ? open(SHOP, send, "Mozilla/5.0")
                    : open(OTHER, otherShopsSend, BROWSER)));
        }

        List<EmailEvent> events = awaitAll(answers);
        assertThat(events).extracting(EmailEvent::eventId).doesNotHaveDuplicates();
        assertThat(intake.eventIds(SHOP, send)).hasSize(20);
        assertThat(intake.eventIds(OTHER, otherShopsSend)).hasSize(20);
        assertThat(landedIds(landingRoot)).hasSize(40).doesNotHaveDuplicates();
        // The machine flag travels with each event whatever batch it went in: Apple's bare User-Agent is a proxy.
        assertThat(intake.rows(SHOP, send)).allSatisfy(row ->
                assertThat(row.getString("machine_reason")).isEqualTo("apple_mail_privacy_protection"));
        assertThat(intake.rows(OTHER, otherShopsSend)).allSatisfy(row ->
                assertThat(row.getBoolean("machine")).isFalse());
    }

    @Test
    void anOpenRightAfterTheSendIsFlaggedFromTheSendTimeLookedUpInTheBatch() throws Exception {
        Intake intake = intake(landingRoot, TrackingIntake.DEFAULT_SETTINGS);
        long justSent = intake.send(SHOP, Duration.ZERO);
        long unknown = 987_654_321L;

        EmailEvent prefetch = intake.intake().receive(open(SHOP, justSent, BROWSER)).await();
        EmailEvent noSuchSend = intake.intake().receive(open(SHOP, unknown, BROWSER)).await();

        assertThat(prefetch.machineReason()).hasValueSatisfying(r -> assertThat(r.code())
                .isEqualTo("opened_on_delivery"));
        assertThat(prefetch.sentAt()).isPresent();
        assertThat(noSuchSend.machine()).isFalse();
        assertThat(noSuchSend.sentAt()).isEmpty();
        assertThat(intake.eventIds(SHOP, unknown)).containsExactly(noSuchSend.eventId());
    }

    @Test
    void aBurstSplitOverBatchesIsFlaggedInPostgresEvenWhenNoServerSawItWhole() throws Exception {
        // One click per batch, and every click arriving as if the server that took it had seen no other (clicksBefore
        // 0): as when a scanner's clicks of one message reach several API servers.
        Intake intake = intake(landingRoot, new GroupCommitSettings(1, 2));
        long scanned = intake.send(SHOP, Duration.ofMinutes(10));
        long clickedOnce = intake.send(SHOP, Duration.ofMinutes(10));
        Instant now = Instant.now();

        List<Future<EmailEvent>> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            answers.add(intake.intake().receive(click(SHOP, scanned, now.plusMillis(100L * i), 0)));
        }
        answers.add(intake.intake().receive(click(SHOP, clickedOnce, now, 0)));
        List<EmailEvent> arrived = awaitAll(answers);

        assertThat(arrived).allSatisfy(click -> assertThat(click.machine()).isFalse());
        // The bursts are re-flagged after the answers, off their path.
        intake.intake().burstFlagsSettled().await();
        assertThat(intake.rows(SHOP, scanned)).hasSize(4).allSatisfy(row ->
                assertThat(row.getString("machine_reason")).isEqualTo("click_burst"));
        assertThat(intake.rows(SHOP, clickedOnce)).singleElement().satisfies(row ->
                assertThat(row.getBoolean("machine")).isFalse());
    }

    @Test
    void clicksFurtherApartThanTheBurstWindowStayHuman() throws Exception {
        Intake intake = intake(landingRoot, new GroupCommitSettings(1, 1));
        long send = intake.send(SHOP, Duration.ofMinutes(10));
        Instant now = Instant.now();

        for (int i = 0; i < 3; i++) {
            intake.intake().receive(click(SHOP, send, now.plusMillis(600L * i), 0)).await();
        }
        intake.intake().burstFlagsSettled().await();

        assertThat(intake.rows(SHOP, send)).hasSize(3).allSatisfy(row ->
                assertThat(row.getBoolean("machine")).isFalse());
    }

    @Test
    void aBatchPostgresRefusesAnswersEveryRequestInItWithAnErrorAndRecordsAndLandsNothing() throws Exception {
        Intake intake = intake(landingRoot, new GroupCommitSettings(256, 1));
        long send = intake.send(SHOP, Duration.ofMinutes(10));
        // A row PostgreSQL refuses, and a slow one that keeps the first batch in flight while the others queue.
        intake.pool().query("""
                CREATE FUNCTION refuse_poison() RETURNS trigger AS $$
                BEGIN
                    IF NEW.user_agent = 'slow' THEN PERFORM pg_sleep(0.5); END IF;
                    IF NEW.user_agent = 'poison' THEN RAISE EXCEPTION 'poisoned row'; END IF;
                    RETURN NEW;
                END $$ LANGUAGE plpgsql""").execute().await();
        intake.pool().query("CREATE TRIGGER refuse_poison BEFORE INSERT ON email_events FOR EACH ROW "
                + "EXECUTE FUNCTION refuse_poison()").execute().await();

        Future<EmailEvent> alone = intake.intake().receive(open(SHOP, send, "slow"));
        Future<EmailEvent> before = intake.intake().receive(open(SHOP, send, BROWSER));
        Future<EmailEvent> poisoned = intake.intake().receive(open(SHOP, send, "poison"));
        Future<EmailEvent> after = intake.intake().receive(click(SHOP, send, Instant.now(), 0));

        EmailEvent recorded = alone.await();
        for (Future<EmailEvent> sameBatch : List.of(before, poisoned, after)) {
            Throwable failure = sameBatch.transform(Future::succeededFuture).await().cause();
            assertThat(failure).isNotNull();
            assertThat(failure.getMessage()).contains("poisoned row");
        }
        assertThat(intake.eventIds(SHOP, send)).containsExactly(recorded.eventId());
        assertThat(landedIds(landingRoot)).containsExactly(recorded.eventId());
    }

    @Test
    void aBatchThatCannotLandAnswersEveryRequestWithAnErrorAndRecordsNothing() throws Exception {
        // The landing root is a file: no folder can be made under it, so the append fails.
        Path notAFolder = Files.writeString(landingRoot.resolve("not-a-folder"), "x");
        Intake intake = intake(notAFolder, new GroupCommitSettings(256, 1));
        long send = intake.send(SHOP, Duration.ofMinutes(10));

        List<Future<EmailEvent>> answers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            answers.add(intake.intake().receive(i % 3 == 0 ? click(SHOP, send, Instant.now(), 0)
                    : open(SHOP, send, BROWSER)));
        }

        for (Future<EmailEvent> answer : answers) {
            assertThat(answer.transform(Future::succeededFuture).await().failed()).isTrue();
        }
        assertThat(intake.eventIds(SHOP, send)).isEmpty();
    }

    @Test
    void whenItsBatchFailsTheRecipientStillGetsThePixelAndTheSignedRedirectAndNothingIsRecorded() throws Exception {
        Path notAFolder = Files.writeString(landingRoot.resolve("not-a-folder"), "x");
        Intake intake = intake(notAFolder, TrackingIntake.DEFAULT_SETTINGS);
        long send = intake.send(SHOP, Duration.ofMinutes(10));
        TrackingLinks links = new TrackingLinks(TrackingLinks.DEV_KEY, "http://127.0.0.1");
        TrackingHandlers handlers = new TrackingHandlers(intake.vertx(), links, new TrackingStore(intake.pool()),
                intake.intake(), new LandingZone(new LandingLayout(notAFolder), Clock.systemUTC()), Clock.systemUTC(),
                false);
        Router router = Router.router(intake.vertx());
        router.get("/t/o/:token").handler(handlers.open());
        router.get("/t/c/:token").handler(handlers.click());
        HttpServer server = intake.vertx().createHttpServer().requestHandler(router).listen(0).await();
        String base = "http://127.0.0.1:" + server.actualPort();
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

        HttpResponse<String> pixel = http.send(HttpRequest.newBuilder(URI.create(base + "/t/o/"
                        + token(links.openPixelUrl(SHOP, send)))).header("User-Agent", BROWSER).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> click = http.send(HttpRequest.newBuilder(URI.create(base + "/t/c/"
                        + token(links.clickUrl(SHOP, send, "https://shop.example/sale")))).header("User-Agent", BROWSER)
                        .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(pixel.statusCode()).isEqualTo(200);
        assertThat(pixel.headers().firstValue("Content-Type")).hasValue("image/gif");
        assertThat(click.statusCode()).isEqualTo(302);
        assertThat(click.headers().firstValue("Location")).hasValue("https://shop.example/sale");
        assertThat(intake.eventIds(SHOP, send)).isEmpty();
    }

    private static String token(String url) {
        return url.substring(url.lastIndexOf('/') + 1);
    }

    private static TrackingIntake.Arrival open(ShopId shop, long send, String userAgent) {
        return new TrackingIntake.Arrival(EmailEvent.Kind.OPEN, new TrackingStore.SendRef(shop, send), Instant.now(),
                Optional.empty(), "GET", Optional.of(userAgent), Optional.of("203.0.113.9"), 0);
    }

    private static TrackingIntake.Arrival click(ShopId shop, long send, Instant at, int clicksBefore) {
        return new TrackingIntake.Arrival(EmailEvent.Kind.CLICK, new TrackingStore.SendRef(shop, send), at,
                Optional.of("https://shop.example/products/" + at.toEpochMilli()), "GET", Optional.of(BROWSER),
                Optional.of("203.0.113.9"), clicksBefore);
    }

    private static List<EmailEvent> awaitAll(List<Future<EmailEvent>> answers) {
        List<EmailEvent> events = new ArrayList<>();
        for (Future<EmailEvent> answer : answers) {
            events.add(answer.await());
        }
        return events;
    }

    private record Intake(Vertx vertx, Pool pool, TrackingIntake intake) {
        /** A send SENT {@code ago} before now. */
        long send(ShopId shop, Duration ago) {
            return pool.preparedQuery("""
                            INSERT INTO sends (shop_domain, email, trigger_key, idempotency_key, status, due_at, sent_at)
                            VALUES ($1, 'reader@example.com', 'test', $2, 'SENT', $3, $3) RETURNING id""")
                    .execute(Tuple.of(shop.domain(), UUID.randomUUID().toString(),
                            OffsetDateTime.ofInstant(Instant.now().minus(ago), ZoneOffset.UTC)))
                    .await().iterator().next().getLong("id");
        }

        List<Row> rows(ShopId shop, long send) {
            List<Row> rows = new ArrayList<>();
            pool.preparedQuery("SELECT event_id, machine, machine_reason FROM email_events "
                            + "WHERE shop_domain = $1 AND send_id = $2 ORDER BY id")
                    .execute(Tuple.of(shop.domain(), send)).await().forEach(rows::add);
            return rows;
        }

        List<String> eventIds(ShopId shop, long send) {
            return rows(shop, send).stream().map(row -> row.getString("event_id")).toList();
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
        LandingZone zone = new LandingZone(new LandingLayout(landing), Clock.systemUTC());
        return new Intake(vertx, pool, new TrackingIntake(vertx, pool, new TrackingStore(pool), zone, settings));
    }

    private static List<String> landedIds(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(root)) {
            List<String> ids = new ArrayList<>();
            for (Path file : files.filter(f -> f.toString().endsWith(LandingLayout.FILE_SUFFIX)).toList()) {
                for (String line : Files.readAllLines(file)) {
                    LandingEnvelope envelope = LandingEnvelope.fromJsonLine(line);
                    assertThat(envelope.topic()).startsWith("email/");
                    ids.add(envelope.deliveryId());
                }
            }
            return ids;
        }
    }
}
