package com.ecomcrm.api;

import com.ecomcrm.api.analytics.ClickHouseMovementReader;
import com.ecomcrm.api.analytics.HistorySlice;
import com.ecomcrm.api.analytics.MovementReader;
import com.ecomcrm.api.analytics.PublishedSnapshots;
import com.ecomcrm.api.analytics.SegmentMovement;
import com.ecomcrm.api.analytics.SegmentMovementHandler;
import com.ecomcrm.api.auth.SessionTokenHandler;
import com.ecomcrm.api.auth.SessionTokenVerifier;
import com.ecomcrm.api.http.ErrorResponses;
import com.ecomcrm.api.insights.ClickHouseInsightReader;
import com.ecomcrm.api.insights.InsightHandlers;
import com.ecomcrm.api.insights.InsightStates;
import com.ecomcrm.api.performance.ClickHouseEmailPerformanceReader;
import com.ecomcrm.api.performance.EmailPerformanceHandler;
import com.ecomcrm.api.serving.ServingCache;
import com.ecomcrm.api.serving.ServingClickHouse;
import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.schema.ClickHouseTarget;
import com.ecomcrm.schema.PostgresTarget;
import com.ecomcrm.schema.SchemaMigrator;
import com.ecomcrm.testing.session.SessionTokens;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Movement, insights and email performance while new publications are switched in: every answer says which
 * publication it read ({@code publish_id}) and everything in it is of that one publication, never a mix. Insights and
 * email performance are one query each, so they are read in a loop while another thread publishes one publication
 * after another; movement lists its snapshots, then reads the movement, and a publication is switched in between the
 * two.
 */
class PublicationSwitchTest {
    private static final String CLIENT_ID = "switch-test-client-id";
    private static final String SECRET = "switch-test-client-secret";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final SessionTokens TOKENS = new SessionTokens(CLIENT_ID, SECRET, Clock.systemUTC());
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final ShopId BUSY = ShopId.of("switch-" + RUN + "-busy.myshopify.com");
    private static final ShopId MOVING = ShopId.of("switch-" + RUN + "-moving.myshopify.com");
    private static final ShopId OTHER = ShopId.of("switch-" + RUN + "-other.myshopify.com");
    private static final List<String> TABLES = List.of("shop_insights", "email_performance", "customer_segment_history",
            "segment_history_dates", "segment_transitions", "shop_publications");
    private static final LocalDate D26 = LocalDate.of(2026, 11, 26);
    private static final LocalDate D27 = LocalDate.of(2026, 11, 27);
    private static final LocalDate D28 = LocalDate.of(2026, 11, 28);
    private static final int PUBLISHES = 12;

    private static Vertx vertx;
    private static ClickHouseGateway clickHouse;
    private static Pool postgres;
    private static String base;
    /** Set by the movement test: publish this once the snapshots are listed, before the movement is read. */
    private static volatile Runnable betweenReads;

    @BeforeAll
    static void start() {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        PostgresTarget target = PostgresTarget.fromEnv();
        SchemaMigrator.migrateAll(target, ClickHouseTarget.fromEnv());
        clickHouse = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment());
        vertx = Vertx.vertx();
        postgres = PgBuilder.pool().with(new PoolOptions().setMaxSize(2))
                .connectingTo(PgConnectOptions.fromUri(target.url().substring("jdbc:".length()))
                        .setUser(target.user()).setPassword(target.password()))
                .using(vertx).build();
        // Read as the server reads: through the serving cache, which must never answer with a replaced publication.
        ServingClickHouse serving = ServingClickHouse.cached(clickHouse, new ServingCache(ServingCache.Settings.DEFAULT));
        MovementReader movement = new SwitchingMovementReader(new ClickHouseMovementReader(serving));
        InsightHandlers insights = new InsightHandlers(vertx, new ClickHouseInsightReader(serving),
                new InsightStates(postgres));
        Router router = Router.router(vertx);
        ErrorResponses errors = new ErrorResponses();
        router.route("/api/*").handler(new SessionTokenHandler(new SessionTokenVerifier(CLIENT_ID, SECRET,
                Clock.systemUTC())));
        router.get("/api/segments/movement").handler(new SegmentMovementHandler(vertx, movement));
        router.get("/api/insights").handler(insights.list());
        router.get("/api/email-performance").handler(new EmailPerformanceHandler(vertx,
                new ClickHouseEmailPerformanceReader(serving), Clock.systemUTC()));
        router.route().failureHandler(errors);
        HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
        base = "http://127.0.0.1:" + server.actualPort();
    }

    @AfterAll
    static void stop() {
        if (clickHouse != null) {
            for (ShopId shop : List.of(BUSY, MOVING, OTHER)) {
                for (String table : TABLES) {
                    clickHouse.forShop(shop).execute(
                            SqlTemplate.of("ALTER TABLE " + table + " DELETE WHERE shop_id = {shop}"));
                }
            }
            clickHouse.close();
        }
        if (postgres != null) {
            postgres.close().await();
        }
        if (vertx != null) {
            vertx.close().await();
        }
    }

    /**
     * Publication {@code p} of BUSY: two insights whose ids and titles name p, and email rows on the 27th and 28th whose
     * counts are multiples of p; written as the pipeline does, the publication row last.
     */
    private static void publishBusy(long p) {
        clickHouse.forShop(BUSY).insertRows("shop_insights", List.of(insight(p, 1), insight(p, 2)));
        clickHouse.forShop(BUSY).insertRows("email_performance", List.of(email(p, D27, 1), email(p, D28, 2)));
        publication(BUSY, p, D28);
    }

    private static Map<String, Object> insight(long p, int rank) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("publish_id", p);
        row.put("as_of_date", D28);
        row.put("insight_id", insightId(p, rank));
        row.put("kind", "FLOW_OFF");
        row.put("subject", "s-" + p + "-" + rank);
        row.put("severity", "MEDIUM");
        row.put("rank", rank);
        row.put("title", "Publication " + p);
        row.put("body", "Body");
        row.put("numbers", "{}");
        row.put("action_label", "Act");
        row.put("action_path", "/flows");
        return row;
    }

    private static String insightId(long p, int rank) {
        return String.format("%016x%04x", p, rank);
    }

    private static Map<String, Object> email(long p, LocalDate day, long flow) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("publish_id", p);
        row.put("send_date", day);
        row.put("flow_id", flow);
        row.put("flow_kind", "welcome");
        row.put("template_id", 10 + flow);
        row.put("sent", p * 100);
        row.put("delivered", p * 100);
        row.put("bounced", 0);
        row.put("unique_opens", p * 10);
        row.put("machine_opens", 0);
        row.put("unique_clicks", p);
        row.put("unsubscribes", 0);
        row.put("orders", 0);
        row.put("revenue_cents", 0);
        return row;
    }

    private static void publication(ShopId shop, long publishId, LocalDate date) {
        clickHouse.forShop(shop).insertRows("shop_publications", List.of(Map.of("publish_id", publishId,
                "as_of_date", date, "published_at", Instant.parse("2026-11-29T01:00:00Z"), "customers", 3)));
    }

    private static void history(ShopId shop, LocalDate date, long publishId, Object[][] customers) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Object[] c : customers) {
            rows.add(Map.of("as_of_date", date, "publish_id", publishId, "customer_id", c[0], "segment", c[1],
                    "monetary_cents", c[2]));
        }
        clickHouse.forShop(shop).insertRows("customer_segment_history", rows);
        clickHouse.forShop(shop).insertRows("segment_history_dates", List.of(Map.of("as_of_date", date,
                "publish_id", publishId, "customers", customers.length)));
    }

    @Test
    void insightsAndEmailPerformanceAreEachOfOnePublicationWhilePublicationsSwitch() throws Exception {
        publishBusy(1);
        AtomicBoolean publishing = new AtomicBoolean(true);
        CompletableFuture<Void> publisher = CompletableFuture.runAsync(() -> {
            try {
                for (long p = 2; p <= PUBLISHES; p++) {
                    publishBusy(p);
                }
            }
            finally {
                publishing.set(false);
            }
        });
        Set<Long> insightPublications = new TreeSet<>();
        Set<Long> emailPublications = new TreeSet<>();
        List<String> mixed = new ArrayList<>();
        int reads = 0;
        while (publishing.get() || reads < 4) {
            JsonNode insights = ok("/api/insights", BUSY);
            long p = insights.get("publish_id").asLong();
            insightPublications.add(p);
            List<String> ids = new ArrayList<>();
            insights.get("insights").forEach(i -> ids.add(i.get("id").asText()));
            if (!ids.equals(List.of(insightId(p, 1), insightId(p, 2)))) {
                mixed.add("insights of publish_id " + p + ": " + ids);
            }

            JsonNode email = ok("/api/email-performance", BUSY);
            long e = email.get("publish_id").asLong();
            emailPublications.add(e);
            // Both days' rows of publication e, and the range ending on its date.
            if (email.get("totals").get("sent").asLong() != 2 * e * 100 || !email.get("to").asText().equals("2026-11-28")
                    || email.get("series").size() != 30) {
                mixed.add("email performance of publish_id " + e + ": " + email.get("totals"));
            }
            reads++;
        }
        publisher.get();

        assertThat(mixed).isEmpty();
        // The reads did see the switches happen (else this test proved nothing).
        assertThat(insightPublications.size() + emailPublications.size()).isGreaterThan(2);
        assertThat(ok("/api/insights", BUSY).get("publish_id").asLong()).isEqualTo(PUBLISHES);
        assertThat(ok("/api/email-performance", BUSY).get("publish_id").asLong()).isEqualTo(PUBLISHES);
    }

    @Test
    void aPublicationSwitchedInBetweenTheMovementsTwoReadsIsNotMixedIn() throws Exception {
        // Publication 10: snapshots of the 26th and 27th; customer 1 moved LOYAL -> AT_RISK.
        history(MOVING, D26, 5, new Object[][] {{1, "LOYAL", 1000}, {2, "NEW", 500}});
        history(MOVING, D27, 10, new Object[][] {{1, "AT_RISK", 1000}, {2, "NEW", 500}});
        publication(MOVING, 5, D26);
        publication(MOVING, 10, D27);
        // Publication 20 (the 28th, customer 1 now DORMANT) is switched in after the snapshots are listed.
        betweenReads = () -> {
            history(MOVING, D28, 20, new Object[][] {{1, "DORMANT", 1000}, {2, "LOYAL", 900}});
            clickHouse.forShop(MOVING).insertRows("segment_transitions", List.of(
                    Map.of("publish_id", 20L, "from_date", D27, "to_date", D28, "from_segment", "AT_RISK",
                            "to_segment", "DORMANT", "customers", 1L, "revenue_cents", 1000L)));
            publication(MOVING, 20, D28);
        };

        JsonNode during = ok("/api/segments/movement", MOVING);

        assertThat(during.get("publish_id").asLong()).isEqualTo(10);
        assertThat(during.get("to").asText()).isEqualTo("2026-11-27");
        assertThat(during.get("from").asText()).isEqualTo("2026-11-26");
        assertThat(texts(during.get("available_dates"))).containsExactly("2026-11-26", "2026-11-27");
        assertThat(moves(during)).containsExactly("LOYAL>AT_RISK 1", "NEW>NEW 1");

        JsonNode after = ok("/api/segments/movement", MOVING);
        assertThat(after.get("publish_id").asLong()).isEqualTo(20);
        assertThat(after.get("to").asText()).isEqualTo("2026-11-28");
        assertThat(texts(after.get("available_dates"))).containsExactly("2026-11-26", "2026-11-27", "2026-11-28");
        assertThat(moves(after)).containsExactly("AT_RISK>DORMANT 1");
    }

    @Test
    void beforeAnyPublicationTheAnswersSayNoneAndAnotherShopSeesNoneOfTheseRows() throws Exception {
        JsonNode insights = ok("/api/insights", OTHER);
        assertThat(insights.get("publish_id").isNull()).isTrue();
        assertThat(insights.get("insights")).isEmpty();
        JsonNode email = ok("/api/email-performance", OTHER);
        assertThat(email.get("publish_id").isNull()).isTrue();
        assertThat(email.get("totals").get("sent").asLong()).isZero();
        JsonNode movement = ok("/api/segments/movement", OTHER);
        assertThat(movement.get("status").asText()).isEqualTo("NOT_COMPUTED");
        assertThat(movement.get("publish_id").isNull()).isTrue();

        // A quiet night: published, no insight and no email in the range; the answers still name the publication.
        publication(OTHER, 7, D28);
        assertThat(ok("/api/insights", OTHER).get("publish_id").asLong()).isEqualTo(7);
        assertThat(ok("/api/insights", OTHER).get("insights")).isEmpty();
        JsonNode quiet = ok("/api/email-performance", OTHER);
        assertThat(quiet.get("publish_id").asLong()).isEqualTo(7);
        assertThat(quiet.get("to").asText()).isEqualTo("2026-11-28");
        assertThat(quiet.get("totals").get("sent").asLong()).isZero();
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<String> moves(JsonNode body) {
        List<String> out = new ArrayList<>();
        body.get("transitions").forEach(t -> out.add(t.get("from_segment").asText() + ">"
                + t.get("to_segment").asText() + " " + t.get("customers").asLong()));
        return out;
    }

    private static JsonNode ok(String path, ShopId shop) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + TOKENS.issue(shop)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** The real reader, running {@link #betweenReads} (once) after listing the snapshots. */
    private record SwitchingMovementReader(MovementReader real) implements MovementReader {
        @Override
        public PublishedSnapshots snapshots(ShopId shop) {
            PublishedSnapshots listed = real.snapshots(shop);
            Runnable publish = betweenReads;
            if (publish != null) {
                betweenReads = null;
                publish.run();
            }
            return listed;
        }

        @Override
        public SegmentMovement movement(ShopId shop, HistorySlice from, HistorySlice to) {
            return real.movement(shop, from, to);
        }
    }
}
