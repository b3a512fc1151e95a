package com.ecomcrm.pipelines.maintenance;

import com.ecomcrm.clickhouse.AdminClickHouse;
import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.clickhouse.SqlLiterals;
import com.ecomcrm.schema.ClickHouseMigrator;
import com.ecomcrm.schema.ClickHouseTarget;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The ClickHouse housekeeping on the real server, each test in a fresh database. */
class ClickHouseHousekeepingTest {
    /** The maintenance run of 2026-11-29: its clock stands at the end of that UTC day. */
    private static final Clock END_OF_DATE = Clock.fixed(Instant.parse("2026-11-30T00:00:00Z"), ZoneOffset.UTC);
    private static final Duration ONE_DAY = Duration.ofHours(24);

    private static final String SHOP = "keep-" + suffix() + ".myshopify.com";
    private static final String OTHER = "other-" + suffix() + ".myshopify.com";
    private static final String NEVER_PUBLISHED = "never-" + suffix() + ".myshopify.com";

    // Publish ids are the epoch millis of the publish's start.
    private static final long SUPERSEDED = millis("2026-11-20T02:00:00Z");
    private static final long CURRENT = millis("2026-11-27T02:00:00Z");
    /** A publish that never switched, 46 hours before the end of the date: dead. */
    private static final long OLD_ORPHAN = millis("2026-11-28T02:00:00Z");
    /** A publish that has not switched, 22 hours before the end of the date: may still be running. */
    private static final long YOUNG_ORPHAN = millis("2026-11-29T02:00:00Z");
    /** The other shop's publications, all older than the first shop's superseded one. */
    private static final long OTHER_SUPERSEDED = millis("2026-11-01T02:00:00Z");
    private static final long OTHER_CURRENT = millis("2026-11-10T02:00:00Z");

    private String database;
    private ClickHouseGateway gateway;
    private AdminClickHouse admin;

    @BeforeEach
    void freshDatabase() {
        database = "housekeeping_" + suffix();
        new ClickHouseMigrator(ClickHouseTarget.fromEnv().withDatabase(database)).migrate();
        gateway = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment().withDatabase(database));
        admin = gateway.admin();
    }

    @AfterEach
    void dropDatabase() {
        if (gateway != null) {
            admin.execute("DROP DATABASE IF EXISTS " + SqlLiterals.identifier(database));
            gateway.close();
        }
    }

    @Test
    void removesWhatNoReaderReachesAndKeepsCurrentPublicationsYoungOrphansAndHistory() {
        seed();
        List<String> currentBefore = currentPublicationRows();
        List<String> historyBefore = historyRows();

        ClickHouseHousekeeping.Result result = new ClickHouseHousekeeping(admin, END_OF_DATE).run(ONE_DAY);
        awaitMutationsDone();

        // Per serving table: the shop's superseded 2 rows and the other shop's 1; the old orphans of the shop and of
        // the never-published shop; their young orphans kept. One statement per table for all shops.
        for (ClickHouseHousekeeping.TableResult table : result.tables()) {
            if (table.table().equals("shop_publications")) {
                assertThat(table).isEqualTo(new ClickHouseHousekeeping.TableResult("shop_publications", 2, 0, 0, 1));
            }
            else {
                assertThat(table).isEqualTo(new ClickHouseHousekeeping.TableResult(table.table(), 3, 2, 2, 1));
            }
        }
        assertThat(result.tables()).extracting(ClickHouseHousekeeping.TableResult::table)
                .containsExactlyElementsOf(ClickHouseHousekeeping.SERVING_TABLES);
        assertThat(result.line()).isEqualTo("MAINTENANCE clickhouse tables=11 superseded_rows=32 orphan_rows=20"
                + " young_orphan_rows_kept=20 mutations=11 unfinished_mutations=0 orphan_age_hours=24");

        for (String table : ClickHouseHousekeeping.SERVING_TABLES) {
            if (table.equals("shop_publications")) {
                continue;
            }
            assertThat(publications(table)).as(table).containsExactlyInAnyOrder(
                    SHOP + " " + CURRENT + " 2",
                    SHOP + " " + YOUNG_ORPHAN + " 1",
                    OTHER + " " + OTHER_CURRENT + " 3",
                    NEVER_PUBLISHED + " " + YOUNG_ORPHAN + " 1");
        }
        assertThat(publications("shop_publications")).containsExactlyInAnyOrder(
                SHOP + " " + CURRENT + " 1", OTHER + " " + OTHER_CURRENT + " 1");
        // What readers see is the same: every shop's current publication and every history slice.
        assertThat(currentPublicationRows()).isEqualTo(currentBefore);
        assertThat(historyRows()).isEqualTo(historyBefore);
    }

    @Test
    void aSecondRunChangesNothing() {
        seed();
        new ClickHouseHousekeeping(admin, END_OF_DATE).run(ONE_DAY);
        awaitMutationsDone();
        List<String> after = new ArrayList<>();
        for (String table : ClickHouseHousekeeping.SERVING_TABLES) {
            after.addAll(publications(table));
        }
        List<String> historyAfter = historyRows();

        ClickHouseHousekeeping.Result second = new ClickHouseHousekeeping(admin, END_OF_DATE).run(ONE_DAY);
        awaitMutationsDone();

        assertThat(second.supersededRows()).isZero();
        assertThat(second.orphanRows()).isZero();
        assertThat(second.mutations()).isZero();
        assertThat(second.youngOrphanRows()).isEqualTo(20);
        List<String> again = new ArrayList<>();
        for (String table : ClickHouseHousekeeping.SERVING_TABLES) {
            again.addAll(publications(table));
        }
        assertThat(again).isEqualTo(after);
        assertThat(historyRows()).isEqualTo(historyAfter);
    }

    @Test
    void theYoungOrphanGoesOnceItIsOlderThanTheSafeAge() {
        seed();
        // A week later the publish of YOUNG_ORPHAN is long dead.
        Clock weekLater = Clock.offset(END_OF_DATE, Duration.ofDays(7));

        ClickHouseHousekeeping.Result result = new ClickHouseHousekeeping(admin, weekLater).run(ONE_DAY);
        awaitMutationsDone();

        assertThat(result.youngOrphanRows()).isZero();
        assertThat(publications("customer_rfm")).containsExactlyInAnyOrder(
                SHOP + " " + CURRENT + " 2", OTHER + " " + OTHER_CURRENT + " 3");
    }

    @Test
    void oneShopsHousekeepingNeverRemovesAnotherShopsCurrentRows() {
        // Only the other shop has anything to clean; the shop's current rows sit under an id below the other's.
        for (String table : ClickHouseHousekeeping.SERVING_TABLES) {
            insert(table, SHOP, OTHER_SUPERSEDED, 2);
            insert(table, OTHER, OTHER_SUPERSEDED, 1);
            insert(table, OTHER, OTHER_CURRENT, 1);
        }

        ClickHouseHousekeeping.Result result = new ClickHouseHousekeeping(admin, END_OF_DATE).run(ONE_DAY);
        awaitMutationsDone();

        assertThat(result.supersededRows()).isEqualTo(11);
        assertThat(publications("customer_orders")).containsExactlyInAnyOrder(
                SHOP + " " + OTHER_SUPERSEDED + " 2", OTHER + " " + OTHER_CURRENT + " 1");
    }

    @Test
    void reportsUnfinishedMutations() {
        insert("customer_rfm", SHOP, CURRENT, 1);
        // A mutation that can never finish: every attempt throws, so it stays is_done = 0 until the table goes.
        admin.execute("ALTER TABLE customer_rfm DELETE WHERE throwIf(customer_id > 0) = 1");

        ClickHouseHousekeeping.Result result = new ClickHouseHousekeeping(admin, END_OF_DATE).run(ONE_DAY);

        assertThat(result.unfinishedMutations()).singleElement().satisfies(mutation -> {
            assertThat(mutation.table()).isEqualTo("customer_rfm");
            assertThat(mutation.command()).contains("throwIf");
            assertThat(mutation.partsToDo()).isPositive();
            assertThat(mutation.line()).startsWith("MAINTENANCE clickhouse unfinished_mutation table=customer_rfm ");
        });
        assertThat(result.line()).contains(" unfinished_mutations=1 ");
    }

    @Test
    void everyTableKeyedByPublicationIsEitherCleanedOrKeptOnPurpose() {
        // A materialized view stores nothing of its own (V8's feeds customer_segment_timeline).
        List<String> tables = admin.query("SELECT table FROM system.columns WHERE database = currentDatabase()"
                + " AND name = 'publish_id' AND table NOT IN (SELECT name FROM system.tables"
                + " WHERE database = currentDatabase() AND engine = 'MaterializedView') ORDER BY table").stream().map(row -> row.get("table").asText()).toList();

        List<String> known = new ArrayList<>(ClickHouseHousekeeping.SERVING_TABLES);
        known.addAll(ClickHouseHousekeeping.HISTORY_TABLES);
        assertThat(tables).containsExactlyInAnyOrderElementsOf(known);
    }

    /**
     * Three shops in every serving table: one with a superseded, a current, an old and a young never-switched
     * publication; one with a superseded and a current one (ids below the first shop's); one never published with an
     * old and a young one. History slices under the first shop's superseded, current and old orphan ids.
     */
    private void seed() {
        for (String table : ClickHouseHousekeeping.SERVING_TABLES) {
            if (table.equals("shop_publications")) {
                for (long id : List.of(SUPERSEDED, CURRENT)) {
                    insert(table, SHOP, id, 1);
                }
                for (long id : List.of(OTHER_SUPERSEDED, OTHER_CURRENT)) {
                    insert(table, OTHER, id, 1);
                }
                continue;
            }
            insert(table, SHOP, SUPERSEDED, 2);
            insert(table, SHOP, CURRENT, 2);
            insert(table, SHOP, OLD_ORPHAN, 1);
            insert(table, SHOP, YOUNG_ORPHAN, 1);
            insert(table, OTHER, OTHER_SUPERSEDED, 1);
            insert(table, OTHER, OTHER_CURRENT, 3);
            insert(table, NEVER_PUBLISHED, OLD_ORPHAN, 1);
            insert(table, NEVER_PUBLISHED, YOUNG_ORPHAN, 1);
        }
        int day = 20;
        for (long id : List.of(SUPERSEDED, CURRENT, OLD_ORPHAN)) {
            String date = "'2026-11-" + day++ + "'";
            admin.execute("INSERT INTO customer_segment_history (shop_id, as_of_date, publish_id, customer_id, segment)"
                    + " VALUES (" + SqlLiterals.string(SHOP) + ", " + date + ", " + id + ", 1, 'LOYAL'), ("
                    + SqlLiterals.string(SHOP) + ", " + date + ", " + id + ", 2, 'DORMANT')");
            admin.execute("INSERT INTO segment_history_dates (shop_id, as_of_date, publish_id, customers) VALUES ("
                    + SqlLiterals.string(SHOP) + ", " + date + ", " + id + ", 2)");
        }
    }

    /** {@code rows} rows of a shop under a publication (customer ids 1..rows where the table has them). */
    private void insert(String table, String shop, long publishId, int rows) {
        boolean hasCustomer = !admin.query("SELECT name FROM system.columns WHERE database = currentDatabase()"
                + " AND table = " + SqlLiterals.string(table) + " AND name = 'customer_id'").isEmpty();
        List<String> values = new ArrayList<>();
        for (int i = 1; i <= rows; i++) {
            values.add("(" + SqlLiterals.string(shop) + ", " + publishId + (hasCustomer ? ", " + i : "") + ")");
        }
        admin.execute("INSERT INTO " + table + " (shop_id, publish_id" + (hasCustomer ? ", customer_id" : "")
                + ") VALUES " + String.join(", ", values));
    }

    /** "shop publish_id rows" per publication a table holds. */
    private List<String> publications(String table) {
        return admin.query("SELECT shop_id, toString(publish_id) AS p, toString(count()) AS n FROM " + table
                        + " GROUP BY shop_id, publish_id ORDER BY shop_id, publish_id").stream()
                .map(row -> row.get("shop_id").asText() + " " + row.get("p").asText() + " " + row.get("n").asText())
                .toList();
    }

    /** Every serving row a reader sees, all columns: each shop's rows under its max publish_id of shop_publications. */
    private List<String> currentPublicationRows() {
        List<String> out = new ArrayList<>();
        for (String table : ClickHouseHousekeeping.SERVING_TABLES) {
            for (JsonNode row : admin.query("SELECT * FROM " + table + " WHERE (shop_id, publish_id) IN"
                    + " (SELECT shop_id, max(publish_id) FROM shop_publications GROUP BY shop_id)"
                    + " ORDER BY shop_id, publish_id")) {
                out.add(table + " " + row);
            }
        }
        assertThat(out).isNotEmpty();
        return out;
    }

    private List<String> historyRows() {
        List<String> out = new ArrayList<>();
        for (JsonNode row : admin.query("SELECT shop_id, toString(as_of_date) AS d, toString(publish_id) AS p,"
                + " toString(customer_id) AS c, segment FROM customer_segment_history"
                + " ORDER BY shop_id, as_of_date, publish_id, customer_id")) {
            out.add(row.toString());
        }
        for (JsonNode row : admin.query("SELECT shop_id, toString(as_of_date) AS d, toString(publish_id) AS p,"
                + " toString(customers) AS c FROM segment_history_dates ORDER BY shop_id, as_of_date, publish_id")) {
            out.add(row.toString());
        }
        assertThat(out).hasSize(9);
        return out;
    }

    private void awaitMutationsDone() {
        await().atMost(Duration.ofSeconds(60)).until(() -> admin.query("SELECT mutation_id FROM system.mutations"
                + " WHERE database = currentDatabase() AND is_done = 0").isEmpty());
    }

    private static long millis(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    private static String suffix() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }
}
