package com.ecomcrm.pipelines.maintenance;

import com.ecomcrm.pipelines.Lakehouse;
import com.ecomcrm.schema.IcebergDefinitions;
import com.ecomcrm.schema.IcebergTable;
import org.apache.iceberg.Table;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Nightly upkeep of every Iceberg table: the MERGEs of each night leave small files and a snapshot per commit. Per
 * table, in this order: compact small data files, expire old snapshots (keeping the newest few for time travel and
 * for a reader still on one), remove orphan files older than a safety age (files of failed writes), rewrite the
 * manifests. Each table is independent: one failing is reported and the others still run.
 */
public final class MaintenanceJob {
    private static final Logger LOG = LoggerFactory.getLogger(MaintenanceJob.class);

    /**
     * @param olderThan   snapshots older than this are expired
     * @param retainLast  snapshots always kept, however old
     * @param orphanAge   files no snapshot references are deleted only once older than this: a write in progress
     *                    has such files, and no write of ours runs for days
     * @param targetBytes the compaction's target data file size
     */
    public record Options(Duration olderThan, int retainLast, Duration orphanAge, long targetBytes) {
        public static final long DEFAULT_TARGET_BYTES = 128L * 1024 * 1024;

        public Options {
            requireNonNull(olderThan, "olderThan is null");
            requireNonNull(orphanAge, "orphanAge is null");
            if (olderThan.isNegative() || orphanAge.isNegative()) {
                throw new IllegalArgumentException("Cannot maintain tables: ages must not be negative");
            }
            if (retainLast < 1) {
                throw new IllegalArgumentException("Cannot maintain tables: retain-last must be at least 1, was "
                        + retainLast);
            }
            if (targetBytes < 1) {
                throw new IllegalArgumentException("Cannot maintain tables: target size must be positive");
            }
        }

        public static Options defaults() {
            return new Options(Duration.ofDays(7), 5, Duration.ofDays(3), DEFAULT_TARGET_BYTES);
        }
    }

    /** What maintenance did to one table; {@code error} is null when it succeeded. */
    public record TableResult(String table, long rewritten, long added, long expired, long orphans,
                              long manifestsRewritten, double seconds, String error) {
        public TableResult {
            requireNonNull(table, "table is null");
        }

        public String line() {
            return "MAINTENANCE table=" + table + " rewritten=" + rewritten + " added=" + added + " expired="
                    + expired + " orphans=" + orphans + " manifests=" + manifestsRewritten
                    + " seconds=" + String.format(java.util.Locale.ROOT, "%.2f", seconds)
                    + (error == null ? "" : " error=" + error.replaceAll("\\s+", " "));
        }

        public boolean failed() {
            return error != null;
        }
    }

    private final SparkSession spark;
    private final Lakehouse lakehouse;
    private final Clock clock;

    public MaintenanceJob(SparkSession spark, Lakehouse lakehouse, Clock clock) {
        this.spark = requireNonNull(spark, "spark is null");
        this.lakehouse = requireNonNull(lakehouse, "lakehouse is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public List<TableResult> run(Options options) {
        requireNonNull(options, "options is null");
        TableMaintenance maintenance = new TableMaintenance(spark);
        List<TableResult> results = new ArrayList<>();
        for (IcebergTable definition : IcebergDefinitions.all()) {
            String name = lakehouse.table(definition.namespace(), definition.name());
            long started = System.nanoTime();
            try {
                Table table = maintenance.load(name);
                long[] compacted = maintenance.compact(table, options.targetBytes());
                table.refresh();
                Instant now = clock.instant();
                long expired = maintenance.expireSnapshots(table, now.minus(options.olderThan()),
                        options.retainLast());
                table.refresh();
                long orphans = maintenance.removeOrphanFiles(table, now.minus(options.orphanAge()));
                long[] manifests = maintenance.rewriteManifests(table);
                results.add(new TableResult(name, compacted[0], compacted[1], expired, orphans, manifests[0],
                        seconds(started), null));
            }
            catch (RuntimeException e) {
                LOG.error("Maintenance of {} failed", name, e);
                results.add(new TableResult(name, 0, 0, 0, 0, 0, seconds(started),
                        e.getClass().getSimpleName() + ": " + e.getMessage()));
            }
        }
        return results;
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }
}
