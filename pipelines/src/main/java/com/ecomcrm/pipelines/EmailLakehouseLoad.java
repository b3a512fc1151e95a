package com.ecomcrm.pipelines;

import org.apache.iceberg.DataOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The email engine's sends and tracking events, from PostgreSQL into {@code silver.email_sends} and
 * {@code silver.email_events}. Test sends are left out. Only ids, statuses, kinds and times are copied: the
 * recipient's address, the ip, the user agent and the clicked URL stay in PostgreSQL.
 *
 * <p>Each night reads only what changed ({@link Read#CHANGES}): the sends updated and the events recorded since the
 * last load's read started ({@link EmailLoadRecord}), minus {@link #MARGIN}, which covers transactions still open at
 * that moment and the click-burst re-flags ({@code BurstFlags}, seconds after a click is recorded). Rows already in
 * silver as they are are dropped before the MERGE, so it appends the new rows and rewrites only the files of rows that
 * changed (a send's status, an event's machine flag), not every file each night.
 *
 * <p>A table is read whole instead, and MERGEd with {@code WHEN NOT MATCHED BY SOURCE THEN DELETE} so that rows
 * deleted in PostgreSQL (a redaction) leave silver too, when nothing is on record for it, when it is another table
 * than the one on record (recreated), when a snapshot since the last load did more than rewrite files (the
 * compliance job's DELETE, a rollback: anything but compaction), or when asked ({@link Read#EVERYTHING},
 * {@code NightlyPipeline --full-ingest}); the events are read whole whenever the sends are. Either way a re-run
 * changes nothing.
 */
final class EmailLakehouseLoad {
    private static final Logger LOG = LoggerFactory.getLogger(EmailLakehouseLoad.class);
    /** Rows changed this long before the last read started are read again. */
    static final Duration MARGIN = Duration.ofDays(1);
    private static final String SENDS = """
            SELECT s.shop_domain AS shop_id, s.id AS send_id, s.flow_id, f.kind AS flow_kind, s.template_id,
                   s.template_version, s.customer_id, s.status, s.sent_at, s.created_at, s.updated_at
            FROM sends s LEFT JOIN flows f ON f.shop_domain = s.shop_domain AND f.id = s.flow_id
            WHERE NOT s.is_test""";
    private static final String EVENTS = """
            SELECT e.shop_domain AS shop_id, e.id AS event_id, e.send_id, e.kind, e.machine, e.machine_reason,
                   e.occurred_at
            FROM email_events e JOIN sends s ON s.shop_domain = e.shop_domain AND s.id = e.send_id
            WHERE NOT s.is_test""";

    /** What a load reads. */
    enum Read {
        /** The rows changed since the last load, when the table is as that load left it (every night). */
        CHANGES,
        /** Every row ({@code --full-ingest}: a rebuild). */
        EVERYTHING
    }

    private EmailLakehouseLoad() {
    }

    /**
     * @param sends  send rows read from PostgreSQL
     * @param events event rows read from PostgreSQL
     * @param sendsWhole   whether the sends were read whole (else only the changed ones)
     * @param eventsWhole  whether the events were read whole
     * @param written rows inserted or updated in the two tables (read rows that silver already held as they are
     *                are not written)
     */
    record Result(long sends, long events, boolean sendsWhole, boolean eventsWhole, long written) {
    }

    static Result run(SparkSession spark, Lakehouse lakehouse, PipelineSettings settings) {
        return run(spark, lakehouse, settings, Read.CHANGES, new EmailLoadRecord(settings, Clock.systemUTC()),
                Optional.empty());
    }

    static Result run(SparkSession spark, Lakehouse lakehouse, PipelineSettings settings, Read read,
                      EmailLoadRecord record, Optional<Long> run) {
        requireNonNull(settings, "settings is null");
        requireNonNull(read, "read is null");
        TableLoad sends = load(spark, settings, record, read, run, lakehouse.emailSends(), "send_id", SENDS,
                "s.updated_at");
        // Events belong to sends: when the sends are read whole (a redaction deleted some), so are the events, whose
        // rows carry no customer id for the compliance job to delete them by.
        TableLoad events = load(spark, settings, record, sends.whole() ? Read.EVERYTHING : read, run,
                lakehouse.emailEvents(), "event_id", EVENTS, "e.recorded_at");
        Result result = new Result(sends.read(), events.read(), sends.whole(), events.whole(),
                sends.written() + events.written());
        LOG.info("Email sends {} ({}) and events {} ({}) read from PostgreSQL, {} rows written to the lakehouse",
                result.sends(), sends.whole() ? "all" : "changed", result.events(),
                events.whole() ? "all" : "changed", result.written());
        return result;
    }

    private record TableLoad(long read, boolean whole, long written) {
    }

    private static TableLoad load(SparkSession spark, PipelineSettings settings, EmailLoadRecord record, Read read,
                                  Optional<Long> run, String table, String key, String query, String changedAt) {
        Table iceberg = LakehouseTables.load(spark, table);
        String uuid = LakehouseTables.uuid(iceberg);
        Optional<Instant> since = read == Read.EVERYTHING ? Optional.empty()
                : record.last(table).flatMap(mark -> continuing(iceberg, uuid, mark) ? Optional.of(mark.readFrom())
                        : Optional.empty());
        Instant readFrom = record.databaseNow();
        String sql = since.map(from -> query + " AND " + changedAt + " >= " + timestamptz(from.minus(MARGIN)))
                .orElse(query);
        long written;
        long rows;
        Dataset<Row> source = read(spark, settings, sql);
        Dataset<Row> target = spark.table(table);
        // Cast to the table's own column types (JDBC gives integer/decimal variants), in its column order.
        Dataset<Row> typed = source.select(Arrays.stream(target.schema().fields())
                .map(f -> source.col(f.name()).cast(f.dataType()).as(f.name()))
                .toArray(Column[]::new)).persist();
        long started = System.nanoTime();
        long merged;
        try {
            rows = typed.count();
            merged = System.nanoTime();
            if (since.isPresent()) {
                written = mergeChanged(spark, typed, table, key);
            }
            else {
                mergeWhole(spark, typed, table, key);
                written = rows;
            }
        }
        finally {
            typed.unpersist();
        }
        LOG.info("{}: {} rows read ({}) in {} ms, {} written in {} ms", table, rows,
                since.isPresent() ? "changed since " + since.get().minus(MARGIN) : "all",
                (merged - started) / 1_000_000, written, (System.nanoTime() - merged) / 1_000_000);
        iceberg.refresh();
        Snapshot after = iceberg.currentSnapshot();
        if (after != null) {
            record.record(table, new EmailLoadRecord.Mark(uuid, after.snapshotId(), readFrom), run);
        }
        return new TableLoad(rows, since.isEmpty(), written);
    }

    /**
     * Whether the table is the one on record and every snapshot after the recorded one only rewrote files: then
     * silver holds every row the last load wrote and nothing it did not.
     */
    static boolean continuing(Table table, String uuid, EmailLoadRecord.Mark mark) {
        if (!uuid.equals(mark.tableUuid())) {
            LOG.info("{} is not the table of the last load: reading it whole", table.name());
            return false;
        }
        Snapshot current = table.currentSnapshot();
        if (current == null) {
            return false;
        }
        for (Snapshot s = current; s != null; s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
            if (s.snapshotId() == mark.snapshotId()) {
                return true;
            }
            if (!DataOperations.REPLACE.equals(s.operation())) {
                LOG.info("{} was changed since the last load (snapshot {}, {}): reading it whole", table.name(),
                        s.snapshotId(), s.operation());
                return false;
            }
        }
        LOG.info("The snapshot of the last load of {} is not in its history: reading it whole", table.name());
        return false;
    }

    /** A PostgreSQL timestamptz literal of an instant (from a clock, never from input). */
    private static String timestamptz(Instant instant) {
        return "TIMESTAMPTZ '" + instant + "'";
    }

    private static Dataset<Row> read(SparkSession spark, PipelineSettings settings, String query) {
        return spark.read().format("jdbc")
                .option("url", settings.pgUrl())
                .option("user", settings.pgUser())
                .option("password", settings.pgPassword())
                .option("driver", "org.postgresql.Driver")
                .option("query", query)
                .load();
    }

    /** Every row: the table becomes what PostgreSQL holds (every row read is written). */
    private static void mergeWhole(SparkSession spark, Dataset<Row> typed, String table, String key) {
        String view = "email_load_" + key;
        try {
            typed.createOrReplaceTempView(view);
            spark.sql("MERGE INTO " + table + " t USING " + view + " s"
                    + " ON t.shop_id = s.shop_id AND t." + key + " = s." + key
                    + " WHEN MATCHED THEN UPDATE SET *"
                    + " WHEN NOT MATCHED THEN INSERT *"
                    + " WHEN NOT MATCHED BY SOURCE THEN DELETE");
        }
        finally {
            spark.catalog().dropTempView(view);
        }
    }

    /**
     * The changed rows only: rows silver already holds with the same values are dropped first, because a
     * copy-on-write MERGE rewrites every file holding a matched row, changed or not. Rows whose key silver does not
     * hold yet (most: new sends, new events) are appended, which joins nothing; the rest are MERGEd. Returns the rows
     * written.
     */
    private static long mergeChanged(SparkSession spark, Dataset<Row> typed, String table, String key) {
        Row bounds = typed.agg(functions.min(key)).first();
        if (bounds.isNullAt(0)) {
            return 0;
        }
        long lowest = bounds.getLong(0);
        // Keys grow with time (PostgreSQL sequences), so the files' key bounds keep the silver side to recent files.
        Dataset<Row> held = spark.table(table).where(functions.col(key).geq(lowest));
        Column same = null;
        for (String column : typed.columns()) {
            Column equal = typed.col(column).eqNullSafe(held.col(column));
            same = same == null ? equal : same.and(equal);
        }
        Dataset<Row> changed = typed.join(held, same, "left_anti").persist();
        try {
            Dataset<Row> heldKeys = held.select(held.col("shop_id").as("held_shop"), held.col(key).as("held_key"));
            Column sameKey = changed.col("shop_id").equalTo(heldKeys.col("held_shop"))
                    .and(changed.col(key).equalTo(heldKeys.col("held_key")));
            Dataset<Row> updated = changed.join(heldKeys, sameKey, "left_semi").persist();
            try {
                long updates = updated.count();
                long inserts = changed.count() - updates;
                if (inserts > 0) {
                    changed.join(heldKeys, sameKey, "left_anti").writeTo(table).append();
                }
                if (updates > 0) {
                    String view = "email_load_" + key;
                    updated.createOrReplaceTempView(view);
                    try {
                        spark.sql("MERGE INTO " + table + " t USING " + view + " s"
                                + " ON t.shop_id = s.shop_id AND t." + key + " = s." + key + " AND t." + key + " >= "
                                + lowest + " WHEN MATCHED THEN UPDATE SET *");
                    }
                    finally {
                        spark.catalog().dropTempView(view);
                    }
                }
                return inserts + updates;
            }
            finally {
                updated.unpersist();
            }
        }
        catch (org.apache.spark.sql.catalyst.analysis.NoSuchTableException e) {
            throw new IllegalStateException("Cannot append to " + table + ": " + e.getMessage(), e);
        }
        finally {
            changed.unpersist();
        }
    }
}
