package com.ecomcrm.pipelines;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.landing.LandingEnvelope;
import com.ecomcrm.landing.LandingLayout;
import com.ecomcrm.landing.LandingSource;
import com.ecomcrm.landing.LandingZone;
import com.ecomcrm.pipelines.compliance.CustomerMatch;
import com.ecomcrm.pipelines.compliance.LakehouseErasure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The nightly ingest reads only the landing files that are new or changed since they were recorded, and never at the
 * cost of a wrong silver row: a lost record re-reads harmlessly, an erased customer stays erased, a late file in an
 * old folder is read, and a lakehouse found empty or recreated is read whole. Each test lands its own shop's files
 * in its own landing folder; the tests that empty or recreate silver tables run last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IncrementalIngestTest {
    private static final Instant DAY1 = Instant.parse("2026-11-26T09:00:00Z");
    private static final Instant DAY2 = Instant.parse("2026-11-27T09:00:00Z");
    private static final Instant DAY3 = Instant.parse("2026-11-28T09:00:00Z");

    @TempDir
    static Path temp;
    static TestLakehouse lake;
    static TestPostgresSchema postgres;
    static IngestedLandingFiles record;

    @BeforeAll
    static void start() {
        lake = TestLakehouse.start(temp.resolve("warehouse"));
        postgres = TestPostgresSchema.create();
        record = new IngestedLandingFiles(postgres.settings(temp.resolve("warehouse")), Clock.systemUTC());
    }

    @AfterAll
    static void stop() throws SQLException {
        if (postgres != null) {
            postgres.close();
        }
        if (lake != null) {
            lake.close();
        }
    }

    private static ShopId newShop() {
        return ShopId.of("incr-" + UUID.randomUUID().toString().substring(0, 8) + ".myshopify.com");
    }

    private static void customer(LandingZone zone, ShopId shop, Instant at, long id, String email,
                                 String updatedAt) {
        zone.appendWebhook(LandingEnvelope.webhook(shop, "customers/update", UUID.randomUUID().toString(), at,
                Optional.empty(), Optional.empty(), "{\"id\":" + id + ",\"email\":\"" + email + "\",\"updated_at\":\""
                        + updatedAt + "\"}"));
    }

    private static void order(LandingZone zone, ShopId shop, Instant at, long id, long customer, String total,
                              String processedAt) {
        zone.appendWebhook(LandingEnvelope.webhook(shop, "orders/create", UUID.randomUUID().toString(), at,
                Optional.empty(), Optional.empty(), "{\"id\":" + id + ",\"customer\":{\"id\":" + customer + "},"
                        + "\"email\":\"c" + customer + "@example.com\",\"processed_at\":\"" + processedAt + "\","
                        + "\"updated_at\":\"" + processedAt + "\",\"total_price\":\"" + total + "\","
                        + "\"currency\":\"EUR\"}"));
    }

    private static IngestJob.Result ingestNew(Path landing) {
        return IngestJob.newFiles(lake.spark, lake.lakehouse, landing, record, Optional.empty());
    }

    private static List<String> rows(String table, ShopId shop) {
        return lake.spark.table(table).where("shop_id = '" + shop.domain() + "'").collectAsList().stream()
                .map(Object::toString).sorted().toList();
    }

    private static List<List<String>> silver(ShopId shop) {
        return List.of(rows(lake.lakehouse.customers(), shop), rows(lake.lakehouse.orders(), shop),
                rows(lake.lakehouse.orderLines(), shop), rows(lake.lakehouse.checkouts(), shop),
                rows(lake.lakehouse.refunds(), shop), rows(lake.lakehouse.refundLines(), shop));
    }

    private static List<Long> orderIds(ShopId shop) {
        return lake.spark.table(lake.lakehouse.orders()).where("shop_id = '" + shop.domain() + "'")
                .select("order_id").orderBy("order_id").collectAsList().stream().map(r -> r.getLong(0)).toList();
    }

    private static String email(ShopId shop, long customer) {
        return lake.spark.table(lake.lakehouse.customers())
                .where("shop_id = '" + shop.domain() + "' AND customer_id = " + customer)
                .select("email").collectAsList().get(0).getString(0);
    }

    private static long recordedFiles(Path landing) throws SQLException {
        try (Connection c = postgres.connect();
             ResultSet row = c.createStatement().executeQuery("SELECT count(*) FROM " + postgres.name()
                     + ".ingested_landing_files WHERE lakehouse = '"
                     + IngestJob.identity(lake.spark, lake.lakehouse, new LandingLayout(landing))
                     + "'")) {
            row.next();
            return row.getLong(1);
        }
    }

    @Test
    @Order(1)
    void readsOnlyNewAndGrownFilesAndARerunWithNothingNewChangesNothing() throws Exception {
        ShopId shop = newShop();
        Path landing = temp.resolve("landing-new");
        LandingLayout layout = new LandingLayout(landing);
        try (LandingZone day2 = new LandingZone(layout, Clock.fixed(DAY2, ZoneOffset.UTC))) {
            try (LandingZone day1 = new LandingZone(layout, Clock.fixed(DAY1, ZoneOffset.UTC))) {
                customer(day1, shop, DAY1, 1, "one@example.com", "2026-11-26T08:00:00Z");
                order(day1, shop, DAY1, 101, 1, "10.00", "2026-11-26T08:00:00Z");
            }
            customer(day2, shop, DAY2, 2, "two@example.com", "2026-11-27T08:00:00Z");

            IngestJob.Result first = ingestNew(landing);

            assertThat(first.files()).isEqualTo(2);
            assertThat(orderIds(shop)).containsExactly(101L);

            // Nothing new: no file read, no silver row changed.
            List<List<String>> before = silver(shop);
            IngestJob.Result rerun = ingestNew(landing);
            assertThat(rerun.files()).isZero();
            assertThat(rerun.filesSkipped()).isEqualTo(2);
            assertThat(rerun.read()).isEqualTo(IngestJob.NEW_FILES);
            assertThat(silver(shop)).isEqualTo(before);

            // The API server still appends to the current day's file: it grew, so it is read again (whole).
            order(day2, shop, DAY2, 102, 2, "20.00", "2026-11-27T08:30:00Z");
        }
        // A late delivery for a past day: a new file in the old date= folder.
        try (LandingZone late = new LandingZone(layout, Clock.fixed(DAY1, ZoneOffset.UTC))) {
            order(late, shop, DAY1, 100, 1, "5.00", "2026-11-26T07:00:00Z");
        }
        assertThat(Files.list(layout.dateDirectory(LandingSource.WEBHOOK, shop, LocalDate.of(2026, 11, 26))))
                .hasSize(2);

        IngestJob.Result next = ingestNew(landing);

        assertThat(next.files()).isEqualTo(2); // the grown day-2 file and the late day-1 file
        assertThat(next.filesSkipped()).isEqualTo(1);
        assertThat(next.lines()).isEqualTo(3); // day 2 whole (two lines) and the late order
        assertThat(orderIds(shop)).containsExactly(100L, 101L, 102L);
        assertThat(recordedFiles(landing)).isEqualTo(3);

        // --full-ingest reads every file again and changes no row.
        List<List<String>> settled = silver(shop);
        IngestJob.Result full = IngestJob.allFiles(lake.spark, lake.lakehouse, landing, record, Optional.empty());
        assertThat(full.files()).isEqualTo(3);
        assertThat(full.readEveryFile()).isTrue();
        assertThat(silver(shop)).isEqualTo(settled);
        assertThat(ingestNew(landing).files()).isZero();
    }

    @Test
    @Order(2)
    void aLostRecordAfterTheSilverCommitMakesTheNextIngestReadTheFilesAgainHarmlessly() throws Exception {
        ShopId shop = newShop();
        Path landing = temp.resolve("landing-crash");
        LandingLayout layout = new LandingLayout(landing);
        try (LandingZone day1 = new LandingZone(layout, Clock.fixed(DAY1, ZoneOffset.UTC))) {
            customer(day1, shop, DAY1, 1, "old@example.com", "2026-11-26T08:00:00Z");
            order(day1, shop, DAY1, 101, 1, "10.00", "2026-11-26T08:00:00Z");
        }
        ingestNew(landing);
        try (LandingZone day2 = new LandingZone(layout, Clock.fixed(DAY2, ZoneOffset.UTC))) {
            customer(day2, shop, DAY2, 1, "new@example.com", "2026-11-27T08:00:00Z");
        }
        ingestNew(landing);
        assertThat(email(shop, 1)).isEqualTo("new@example.com");
        List<List<String>> committed = silver(shop);

        // The silver commits happened, then the process died before the record was written: as if it never was.
        try (Connection c = postgres.connect()) {
            c.createStatement().executeUpdate("DELETE FROM " + postgres.name() + ".ingested_landing_files WHERE path LIKE '%"
                    + shop.domain() + "%'");
        }

        IngestJob.Result again = ingestNew(landing);

        assertThat(again.files()).isEqualTo(2);
        // The older day-1 line loses to the newer row; the day-2 line ties with it and the row already there stays.
        assertThat(email(shop, 1)).isEqualTo("new@example.com");
        assertThat(silver(shop)).isEqualTo(committed);
        assertThat(ingestNew(landing).files()).isZero();
    }

    @Test
    @Order(3)
    void aFileRewrittenByAComplianceErasureIsReadAgainWithoutResurrectingTheErasedCustomer() {
        ShopId shop = newShop();
        Path landing = temp.resolve("landing-erasure");
        LandingLayout layout = new LandingLayout(landing);
        try (LandingZone day1 = new LandingZone(layout, Clock.fixed(DAY1, ZoneOffset.UTC))) {
            customer(day1, shop, DAY1, 1, "erase-me@example.com", "2026-11-26T08:00:00Z");
            order(day1, shop, DAY1, 101, 1, "10.00", "2026-11-26T08:00:00Z");
            customer(day1, shop, DAY1, 2, "keep-me@example.com", "2026-11-26T08:00:00Z");
            order(day1, shop, DAY1, 102, 2, "20.00", "2026-11-26T08:00:00Z");
        }
        assertThat(ingestNew(landing).files()).isEqualTo(1);
        assertThat(orderIds(shop)).containsExactly(101L, 102L);

        LakehouseErasure.eraseCustomer(lake.spark, lake.lakehouse, layout, Clock.fixed(DAY3, ZoneOffset.UTC),
                new CustomerMatch(shop, Optional.of(1L), Optional.of("erase-me@example.com"), List.of()));
        assertThat(orderIds(shop)).containsExactly(102L);

        IngestJob.Result after = ingestNew(landing);

        assertThat(after.files()).isEqualTo(1); // the rewritten file: another size, another modification time
        assertThat(after.lines()).isEqualTo(2);
        assertThat(orderIds(shop)).containsExactly(102L);
        assertThat(rows(lake.lakehouse.customers(), shop)).hasSize(1).allMatch(row -> row.contains("keep-me"));
        assertThat(rows(lake.lakehouse.orderLines(), shop)).noneMatch(row -> row.contains(",101,"));
    }

    @Test
    @Order(10)
    void silverFoundEmptyWhileFilesAreOnRecordIsReadWhole() throws Exception {
        ShopId shop = newShop();
        Path landing = temp.resolve("landing-empty");
        try (LandingZone day1 = new LandingZone(new LandingLayout(landing), Clock.fixed(DAY1, ZoneOffset.UTC))) {
            customer(day1, shop, DAY1, 1, "one@example.com", "2026-11-26T08:00:00Z");
            order(day1, shop, DAY1, 101, 1, "10.00", "2026-11-26T08:00:00Z");
        }
        ingestNew(landing);
        assertThat(ingestNew(landing).files()).isZero();

        // A restore from an empty backup: the same tables, no row left.
        for (String table : List.of(lake.lakehouse.customers(), lake.lakehouse.orders(),
                lake.lakehouse.orderLines(), lake.lakehouse.checkouts(), lake.lakehouse.refunds(),
                lake.lakehouse.refundLines())) {
            lake.spark.sql("DELETE FROM " + table + " WHERE true");
        }
        assertThat(recordedFiles(landing)).isEqualTo(1);

        IngestJob.Result rebuilt = ingestNew(landing);

        assertThat(rebuilt.read()).isEqualTo(IngestJob.EVERY_FILE + ", silver empty");
        assertThat(rebuilt.files()).isEqualTo(1);
        assertThat(orderIds(shop)).containsExactly(101L);
    }

    @Test
    @Order(11)
    void aRecreatedSilverTableIsAnotherLakehouseAndEveryFileIsRead() {
        ShopId shop = newShop();
        Path landing = temp.resolve("landing-recreated");
        try (LandingZone day1 = new LandingZone(new LandingLayout(landing), Clock.fixed(DAY1, ZoneOffset.UTC))) {
            customer(day1, shop, DAY1, 1, "one@example.com", "2026-11-26T08:00:00Z");
            order(day1, shop, DAY1, 101, 1, "10.00", "2026-11-26T08:00:00Z");
        }
        ingestNew(landing);
        LandingLayout layout = new LandingLayout(landing);
        String before = IngestJob.identity(lake.spark, lake.lakehouse, layout);

        // Dropped and created again (a lakehouse rebuilt, or restored under new table metadata): rows gone.
        lake.spark.sql("DROP TABLE " + lake.lakehouse.orders() + " PURGE");
        LakehouseTables.ensure(lake.spark, lake.lakehouse);
        assertThat(IngestJob.identity(lake.spark, lake.lakehouse, layout)).isNotEqualTo(before);

        IngestJob.Result rebuilt = ingestNew(landing);

        assertThat(rebuilt.read()).isEqualTo(IngestJob.EVERY_FILE + ", none on record");
        assertThat(orderIds(shop)).containsExactly(101L);
    }

    @Test
    void fullIngestIsAFlagOfTheNightlyPipeline() {
        Path landing = Path.of("/landing");
        assertThat(NightlyPipeline.Arguments.parse(new String[]{"--date", "2026-11-28"}, landing).ingestRead())
                .isEqualTo(NightlyPipeline.IngestRead.NEW_FILES);
        assertThat(NightlyPipeline.Arguments.parse(new String[]{"--full-ingest", "--date", "2026-11-28"}, landing)
                .ingestRead()).isEqualTo(NightlyPipeline.IngestRead.EVERY_FILE);
    }
}
