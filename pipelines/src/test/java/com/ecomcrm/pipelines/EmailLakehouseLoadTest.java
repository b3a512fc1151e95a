package com.ecomcrm.pipelines;

import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static com.ecomcrm.pipelines.EmailEngineRows.event;
import static com.ecomcrm.pipelines.EmailEngineRows.flow;
import static com.ecomcrm.pipelines.EmailEngineRows.send;
import static com.ecomcrm.pipelines.EmailEngineRows.template;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The nightly load of sends and events from PostgreSQL into silver: the first load reads everything, later loads
 * only what changed since (plus the margin) and write only rows that differ, and a table another writer changed is
 * read whole again, so silver always ends up holding exactly PostgreSQL's non-test sends and their events.
 */
class EmailLakehouseLoadTest {
    private static final String SHOP = "gamma-email.myshopify.com";

    @TempDir
    static Path temp;
    static TestLakehouse lake;
    static TestPostgresSchema postgres;
    static PipelineSettings settings;
    static EmailLoadRecord record;

    @BeforeAll
    static void start() {
        lake = TestLakehouse.start(temp.resolve("warehouse"));
        postgres = TestPostgresSchema.create();
        settings = postgres.settings(temp.resolve("warehouse"));
        record = new EmailLoadRecord(settings, Clock.systemUTC());
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

    @BeforeEach
    void emptyEverything() throws SQLException {
        try (Connection c = pg(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE email_events, sends, flows, templates, email_lakehouse_loads CASCADE");
        }
        lake.spark.sql("DELETE FROM " + lake.lakehouse.emailSends());
        lake.spark.sql("DELETE FROM " + lake.lakehouse.emailEvents());
    }

    @Test
    void laterLoadsReadOnlyWhatChangedAndWriteOnlyWhatDiffers() throws SQLException {
        long opened;
        long due;
        long burstClick;
        try (Connection c = pg()) {
            long welcome = template(c, SHOP, "Welcome");
            long flow = flow(c, SHOP, "welcome", welcome);
            opened = send(c, SHOP, flow, welcome, 1, "SENT", "2026-11-02T10:00:00Z", false);
            long bounced = send(c, SHOP, flow, welcome, 2, "SENT", "2026-11-02T10:00:00Z", false);
            due = send(c, SHOP, flow, welcome, 3, "SCHEDULED", null, false);
            long test = send(c, SHOP, null, welcome, 1, "SENT", "2026-11-02T10:00:00Z", true);
            event(c, SHOP, opened, "open", "2026-11-02T11:00:00Z", null);
            event(c, SHOP, bounced, "bounce", "2026-11-02T10:01:00Z", null);
            event(c, SHOP, test, "click", "2026-11-02T10:02:00Z", null);
            // All of that long before the first load, except one click recorded just now.
            c.createStatement().execute("UPDATE sends SET updated_at = now() - interval '3 days'");
            c.createStatement().execute("UPDATE email_events SET recorded_at = now() - interval '3 days'");
            burstClick = event(c, SHOP, opened, "click", "2026-11-02T11:01:00Z", null);
        }

        EmailLakehouseLoad.Result first = load(EmailLakehouseLoad.Read.CHANGES);
        assertThat(first.sendsWhole()).as("nothing on record: every send").isTrue();
        assertThat(first.eventsWhole()).isTrue();
        assertThat(first.sends()).isEqualTo(3); // not the test send
        assertThat(first.events()).isEqualTo(3); // not the test send's click
        assertSilverHoldsWhatPostgresHolds();

        try (Connection c = pg()) {
            c.createStatement().execute("UPDATE sends SET status = 'SENT', sent_at = now(), updated_at = now()"
                    + " WHERE id = " + due);
            long flow = flowOf(c, opened);
            send(c, SHOP, flow, null, 4, "SCHEDULED", null, false);
            event(c, SHOP, due, "open", "2026-11-06T09:00:00Z", null);
            // The scanner-burst re-flag, seconds after the click was recorded (before the last load's read started).
            c.createStatement().execute("UPDATE email_events SET machine = true, machine_reason = 'scanner_burst'"
                    + " WHERE id = " + burstClick);
        }
        EmailLakehouseLoad.Result second = load(EmailLakehouseLoad.Read.CHANGES);
        assertThat(second.sendsWhole()).isFalse();
        assertThat(second.eventsWhole()).isFalse();
        assertThat(second.sends()).as("the send marked SENT and the new one").isEqualTo(2);
        assertThat(second.events()).as("the new open and, within the margin, the re-flagged click").isEqualTo(2);
        assertThat(second.written()).isEqualTo(4);
        assertSilverHoldsWhatPostgresHolds();

        long sendsSnapshot = table(lake.lakehouse.emailSends()).currentSnapshot().snapshotId();
        long eventsSnapshot = table(lake.lakehouse.emailEvents()).currentSnapshot().snapshotId();
        EmailLakehouseLoad.Result quiet = load(EmailLakehouseLoad.Read.CHANGES);
        assertThat(quiet.sends()).as("re-read within the margin").isEqualTo(2);
        assertThat(quiet.written()).as("but nothing differs").isZero();
        assertThat(table(lake.lakehouse.emailSends()).currentSnapshot().snapshotId()).isEqualTo(sendsSnapshot);
        assertThat(table(lake.lakehouse.emailEvents()).currentSnapshot().snapshotId()).isEqualTo(eventsSnapshot);
        assertSilverHoldsWhatPostgresHolds();

        EmailLakehouseLoad.Result full = load(EmailLakehouseLoad.Read.EVERYTHING);
        assertThat(full.sendsWhole()).isTrue();
        assertThat(full.sends()).isEqualTo(4);
        assertThat(full.events()).isEqualTo(4);
        assertSilverHoldsWhatPostgresHolds();
    }

    @Test
    void compactionKeepsLoadingChangesButAnotherWritersDeleteMakesTheNextLoadReadEverything() throws SQLException {
        long kept;
        long redacted;
        try (Connection c = pg()) {
            long welcome = template(c, SHOP, "Welcome");
            long flow = flow(c, SHOP, "welcome", welcome);
            kept = send(c, SHOP, flow, welcome, 1, "SENT", "2026-11-02T10:00:00Z", false);
            redacted = send(c, SHOP, flow, welcome, 2, "SENT", "2026-11-02T10:00:00Z", false);
            event(c, SHOP, kept, "open", "2026-11-02T11:00:00Z", null);
            event(c, SHOP, redacted, "open", "2026-11-02T11:00:00Z", null);
            event(c, SHOP, redacted, "click", "2026-11-02T11:01:00Z", null);
        }
        load(EmailLakehouseLoad.Read.CHANGES);

        // The maintenance job's compaction rewrites files only: the next load still reads changes.
        for (String table : List.of("silver.email_sends", "silver.email_events")) {
            lake.spark.sql("CALL " + lake.lakehouse.catalog() + ".system.rewrite_data_files(table => '" + table
                    + "', options => map('rewrite-all', 'true'))").collectAsList();
        }
        assertThat(table(lake.lakehouse.emailSends()).currentSnapshot().operation()).isEqualTo("replace");
        assertThat(load(EmailLakehouseLoad.Read.CHANGES).sendsWhole()).isFalse();

        // customers/redact: PostgreSQL loses the customer's send and its events, the compliance job deletes the send
        // from silver (the events carry no customer id). The next load reads everything, and the events go too.
        try (Connection c = pg()) {
            c.createStatement().execute("DELETE FROM email_events WHERE send_id = " + redacted);
            c.createStatement().execute("DELETE FROM sends WHERE id = " + redacted);
        }
        lake.spark.sql("DELETE FROM " + lake.lakehouse.emailSends() + " WHERE customer_id = 2");
        EmailLakehouseLoad.Result afterRedaction = load(EmailLakehouseLoad.Read.CHANGES);
        assertThat(afterRedaction.sendsWhole()).isTrue();
        assertThat(afterRedaction.eventsWhole()).as("its own record is intact, but it goes with the sends").isTrue();
        assertThat(lake.spark.table(lake.lakehouse.emailEvents()).where("send_id = " + redacted).count()).isZero();
        assertSilverHoldsWhatPostgresHolds();
        assertThat(load(EmailLakehouseLoad.Read.CHANGES).sendsWhole()).as("and then changes again").isFalse();
    }

    private static EmailLakehouseLoad.Result load(EmailLakehouseLoad.Read read) {
        return EmailLakehouseLoad.run(lake.spark, lake.lakehouse, settings, read, record, Optional.empty());
    }

    private static Table table(String name) {
        return LakehouseTables.load(lake.spark, name);
    }

    private static long flowOf(Connection c, long send) throws SQLException {
        try (ResultSet r = c.createStatement().executeQuery("SELECT flow_id FROM sends WHERE id = " + send)) {
            r.next();
            return r.getLong(1);
        }
    }

    /** Every non-test send and its events, field by field, in PostgreSQL and in silver. */
    private static void assertSilverHoldsWhatPostgresHolds() throws SQLException {
        List<String> sends = new ArrayList<>();
        List<String> events = new ArrayList<>();
        try (Connection c = pg()) {
            try (ResultSet r = c.createStatement().executeQuery("SELECT shop_domain, id, status, customer_id,"
                    + " sent_at IS NOT NULL FROM sends WHERE NOT is_test ORDER BY id")) {
                while (r.next()) {
                    sends.add(r.getString(1) + " " + r.getLong(2) + " " + r.getString(3) + " " + r.getLong(4) + " "
                            + r.getBoolean(5));
                }
            }
            try (ResultSet r = c.createStatement().executeQuery("SELECT e.shop_domain, e.id, e.send_id, e.kind,"
                    + " e.machine FROM email_events e JOIN sends s ON s.id = e.send_id WHERE NOT s.is_test"
                    + " ORDER BY e.id")) {
                while (r.next()) {
                    events.add(r.getString(1) + " " + r.getLong(2) + " " + r.getLong(3) + " " + r.getString(4) + " "
                            + r.getBoolean(5));
                }
            }
        }
        assertThat(lake.spark.sql("SELECT concat_ws(' ', shop_id, send_id, status, customer_id,"
                        + " CAST(sent_at IS NOT NULL AS STRING)) FROM " + lake.lakehouse.emailSends()
                        + " ORDER BY send_id").collectAsList().stream().map(r -> r.getString(0)).toList())
                .containsExactlyElementsOf(sends);
        assertThat(lake.spark.sql("SELECT concat_ws(' ', shop_id, event_id, send_id, kind, CAST(machine AS STRING))"
                        + " FROM " + lake.lakehouse.emailEvents() + " ORDER BY event_id").collectAsList().stream()
                .map(r -> r.getString(0)).toList())
                .containsExactlyElementsOf(events);
    }

    private static Connection pg() throws SQLException {
        return postgres.connect();
    }
}
