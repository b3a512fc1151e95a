package com.ecomcrm.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.clickhouse.ShopScope;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.schema.ClickHouseMigrator;
import com.ecomcrm.schema.ClickHouseTarget;
import com.ecomcrm.schema.PostgresMigrator;
import com.ecomcrm.schema.PostgresTarget;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.BatchStatus;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Win-back and VIP from the nightly segment history: a throwaway ClickHouse database (migrated with the project's
 * ClickHouse migrations, filled the way the publisher fills it) and a throwaway PostgreSQL schema.
 */
class SegmentFlowsTest {
    private static final ShopId SHOP = ShopId.of("acme.myshopify.com");
    private static final ShopId OTHER = ShopId.of("other.myshopify.com");
    private static final Instant NOW = Instant.parse("2026-03-04T15:00:00Z");

    private String schema;
    private String chDatabase;
    private PostgresTarget target;
    private HikariDataSource ds;
    private JdbcTemplate jdbc;
    private FlowStore flows;
    private ClickHouseGateway clickhouse;

    @BeforeEach
    void setUp() {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "ECOMCRM_PG_URL is not set: PostgreSQL tests skipped");
        assumeTrue(System.getenv("ECOMCRM_CH_URL") != null, "ECOMCRM_CH_URL is not set: ClickHouse tests skipped");
        target = PostgresTarget.fromEnv();
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
        schema = "ecomcrm_test_" + suffix;
        chDatabase = "ecomcrm_test_" + suffix;
        PostgresMigrator.migrate(target, schema);
        ds = Database.pool(target, schema, 4);
        jdbc = new JdbcTemplate(ds);
        flows = new FlowStore(ds);
        new ClickHouseMigrator(ClickHouseTarget.fromEnv().withDatabase(chDatabase)).migrate();
        clickhouse = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment().withDatabase(chDatabase));
        flows.ensureLibrary(SHOP);
        flows.ensureLibrary(OTHER);
    }

    @AfterEach
    void tearDown() {
        if (clickhouse != null) {
            clickhouse.admin().execute("DROP DATABASE IF EXISTS " + chDatabase);
            clickhouse.close();
        }
        if (ds != null) {
            ds.close();
            try (HikariDataSource admin = Database.pool(target, null, 1)) {
                new JdbcTemplate(admin).execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    private SegmentTriggerEvaluator evaluator() {
        return new SegmentTriggerEvaluator(ds, clickhouse, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    /** Publishes one date the way the pipelines do: history slice, its listing row, the publication row last. */
    private void publish(ShopId shop, long publishId, LocalDate date, Map<Long, String> segments) {
        ShopScope scope = clickhouse.forShop(shop);
        List<Map<String, ?>> rows = new ArrayList<>();
        segments.forEach((customer, segment) -> rows.add(Map.of("as_of_date", date, "publish_id", publishId,
                "customer_id", customer, "segment", segment, "monetary_cents", 1000L)));
        scope.insertRows("customer_segment_history", rows);
        scope.insertRows("segment_history_dates", List.of(Map.of("as_of_date", date, "publish_id", publishId,
                "customers", (long) segments.size())));
        scope.insertRows("shop_publications", List.of(Map.of("publish_id", publishId, "as_of_date", date,
                "published_at", NOW, "customers", (long) segments.size())));
    }

    private void consent(ShopId shop, long customer, String email) {
        jdbc.update("INSERT INTO consent VALUES (?, ?, ?, 'SUBSCRIBED', now())", shop.domain(), customer, email);
    }

    private void enable(ShopId shop, FlowKind kind) {
        flows.setEnabled(shop, kind, true);
    }

    private List<String> sends() {
        return jdbc.queryForList("SELECT shop_domain || ' ' || idempotency_key FROM sends ORDER BY idempotency_key",
                String.class);
    }

    @Test
    void movesIntoWinBackAndChampionsAreScheduledOnceAndReRunsScheduleNothingNew() {
        enable(SHOP, FlowKind.WIN_BACK);
        enable(SHOP, FlowKind.VIP);
        LocalDate d1 = LocalDate.parse("2026-03-02");
        LocalDate d2 = LocalDate.parse("2026-03-03");
        publish(SHOP, 1, d1, Map.of(1L, "LOYAL", 2L, "NEEDS_ATTENTION", 3L, "AT_RISK", 4L, "LOYAL", 5L, "ACTIVE",
                6L, "LOYAL", 7L, "PROMISING"));
        publish(SHOP, 2, d2, Map.of(1L, "AT_RISK", 2L, "DORMANT", 3L, "DORMANT", 4L, "CHAMPIONS", 5L, "ACTIVE",
                6L, "ALMOST_LOST", 8L, "AT_RISK"));
        // Another shop's data never leaks in.
        publish(OTHER, 1, d1, Map.of(1L, "LOYAL"));
        publish(OTHER, 2, d2, Map.of(1L, "CHAMPIONS"));
        for (long c = 1; c <= 8; c++) {
            if (c != 6) { // customer 6 has no email on record
                consent(SHOP, c, "c" + c + "@example.com");
            }
        }

        SegmentTriggerEvaluator.Result r = evaluator().evaluateShop(SHOP);
        // 1 LOYAL->AT_RISK, 2 NEEDS_ATTENTION->DORMANT: win-back; 4 LOYAL->CHAMPIONS: VIP; 3 AT_RISK->DORMANT stays
        // inside the win-back group; 5 did not move; 6 has no email; 7 is gone and 8 is new: not moves.
        assertThat(sends()).containsExactly(
                "acme.myshopify.com acme.myshopify.com|vip|c4|segment:CHAMPIONS:2026-03-03",
                "acme.myshopify.com acme.myshopify.com|win_back|c1|segment:AT_RISK:2026-03-03",
                "acme.myshopify.com acme.myshopify.com|win_back|c2|segment:DORMANT:2026-03-03");
        assertThat(r.scheduled()).isEqualTo(3);
        assertThat(r.noEmail()).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT merge_data->'segment'->>'name' FROM sends WHERE customer_id = 1",
                String.class)).isEqualTo("At risk");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM sends WHERE due_at = ?", Integer.class,
                java.sql.Timestamp.from(NOW))).isEqualTo(3);

        // Re-running: the watermark says 2026-03-03 is done.
        assertThat(evaluator().evaluateShop(SHOP).scheduled()).isZero();
        // Even with the watermark gone, the idempotency keys stop duplicates.
        jdbc.update("DELETE FROM segment_watermarks");
        assertThat(evaluator().evaluateShop(SHOP).scheduled()).isZero();
        // Re-publishing the same date (a new publish_id): the watermark stops it.
        publish(SHOP, 3, d2, Map.of(1L, "AT_RISK", 9L, "CHAMPIONS"));
        assertThat(evaluator().evaluateShop(SHOP).scheduled()).isZero();
        assertThat(sends()).hasSize(3);

        // 2026-03-03 republished in full (publish 4, the date's valid slice now), then the next night (publish 5):
        // customer 5 moved ACTIVE -> CHAMPIONS.
        publish(SHOP, 4, d2, Map.of(1L, "AT_RISK", 2L, "DORMANT", 4L, "CHAMPIONS", 5L, "ACTIVE"));
        publish(SHOP, 5, LocalDate.parse("2026-03-04"), Map.of(1L, "AT_RISK", 2L, "DORMANT", 4L, "CHAMPIONS",
                5L, "CHAMPIONS"));
        assertThat(evaluator().evaluateShop(SHOP).scheduled()).isEqualTo(1);
        assertThat(sends()).contains("acme.myshopify.com acme.myshopify.com|vip|c5|segment:CHAMPIONS:2026-03-04");
        assertThat(jdbc.queryForObject("SELECT as_of_date::text || '/' || publish_id FROM segment_watermarks "
                + "WHERE shop_domain = ?", String.class, SHOP.domain())).isEqualTo("2026-03-04/5");
    }

    @Test
    void aHalfWrittenPublicationIsNotReadAndFlowsThatAreOffScheduleNothing() {
        enable(SHOP, FlowKind.VIP); // win-back stays off
        LocalDate d1 = LocalDate.parse("2026-03-02");
        LocalDate d2 = LocalDate.parse("2026-03-03");
        publish(SHOP, 1, d1, Map.of(1L, "LOYAL", 2L, "LOYAL"));
        consent(SHOP, 1, "c1@example.com");
        consent(SHOP, 2, "c2@example.com");
        // Publish 2 wrote its history slice and listing but not its shop_publications row yet: invisible.
        ShopScope scope = clickhouse.forShop(SHOP);
        scope.insertRows("customer_segment_history", List.of(Map.of("as_of_date", d2, "publish_id", 2L,
                "customer_id", 1L, "segment", "CHAMPIONS", "monetary_cents", 1L)));
        scope.insertRows("segment_history_dates", List.of(Map.of("as_of_date", d2, "publish_id", 2L,
                "customers", 1L)));
        assertThat(evaluator().evaluateShop(SHOP).scheduled()).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM segment_watermarks", Integer.class)).isZero();

        publish(SHOP, 3, d2, Map.of(1L, "CHAMPIONS", 2L, "AT_RISK"));
        EmailJobs jobs = new EmailJobs(ds);
        var execution = jobs.run(jobs.triggerEvaluationJob(
                new TriggerEvaluator(ds, new com.ecomcrm.landing.LandingLayout(java.nio.file.Path.of(
                        System.getProperty("java.io.tmpdir"), "no-landing-" + UUID.randomUUID())),
                        Clock.systemUTC(), java.time.Duration.ofDays(2)), evaluator()));
        assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        // VIP for customer 1; customer 2's win-back is not scheduled (flow off) and the date counts as handled.
        assertThat(sends()).containsExactly("acme.myshopify.com acme.myshopify.com|vip|c1|segment:CHAMPIONS:2026-03-03");
        enable(SHOP, FlowKind.WIN_BACK);
        assertThat(evaluator().evaluateShop(SHOP).scheduled()).isZero();
    }
}
