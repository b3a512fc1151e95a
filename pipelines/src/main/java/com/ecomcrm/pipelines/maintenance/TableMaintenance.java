package com.ecomcrm.pipelines.maintenance;

import org.apache.iceberg.Table;
import org.apache.iceberg.actions.DeleteOrphanFiles;
import org.apache.iceberg.actions.ExpireSnapshots;
import org.apache.iceberg.actions.RewriteDataFiles;
import org.apache.iceberg.actions.RewriteManifests;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.iceberg.spark.actions.SparkActions;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * The four Iceberg maintenance actions on one table, each a thin call of {@link SparkActions}, shared by the nightly
 * {@link MaintenanceJob} and the compliance redaction (which expires and removes orphans with a zero age, so erased
 * rows leave table history and the disk at once).
 *
 * <p>Table properties relied on (set by warehouse-schema's Iceberg definitions): {@code format-version = 2};
 * {@code write.delete.mode}/{@code write.update.mode}/{@code write.merge.mode = copy-on-write}, so a DELETE rewrites
 * the data files without the rows instead of writing delete files that would leave the rows in place on disk;
 * {@code write.metadata.delete-after-commit.enabled = true} with {@code write.metadata.previous-versions-max = 50},
 * so old metadata JSON files do not pile up. {@code write.target-file-size-bytes} (Iceberg's default 512 MB) is the
 * compaction target unless the job passes one.
 */
public final class TableMaintenance {
    private final SparkSession spark;

    public TableMaintenance(SparkSession spark) {
        this.spark = requireNonNull(spark, "spark is null");
    }

    public Table load(String tableName) {
        try {
            return Spark3Util.loadIcebergTable(spark, tableName);
        }
        catch (Exception e) {
            throw new IllegalStateException("Cannot load Iceberg table " + tableName + ": " + e.getMessage(), e);
        }
    }

    /** Rewrites small data files into files of about {@code targetBytes}; returns {rewritten, added}. */
    public long[] compact(Table table, long targetBytes) {
        if (table.currentSnapshot() == null) {
            return new long[] {0, 0};
        }
        RewriteDataFiles.Result result = SparkActions.get(spark).rewriteDataFiles(table)
                .option(RewriteDataFiles.TARGET_FILE_SIZE_BYTES, Long.toString(targetBytes))
                // Two small files of a partition are already worth merging (the default waits for five).
                .option("min-input-files", "2")
                .execute();
        return new long[] {result.rewrittenDataFilesCount(), result.addedDataFilesCount()};
    }

    /**
     * Expires snapshots older than {@code olderThan}, always keeping the newest {@code retainLast}, and deletes the
     * data, manifest and manifest-list files only they referenced. Returns the number of files deleted.
     */
    public long expireSnapshots(Table table, Instant olderThan, int retainLast) {
        if (retainLast < 1) {
            throw new IllegalArgumentException("Cannot expire snapshots: retainLast must be at least 1, was "
                    + retainLast);
        }
        if (table.currentSnapshot() == null) {
            return 0;
        }
        ExpireSnapshots.Result result = SparkActions.get(spark).expireSnapshots(table)
                .expireOlderThan(olderThan.toEpochMilli())
                .retainLast(retainLast)
                .execute();
        return result.deletedDataFilesCount() + result.deletedPositionDeleteFilesCount()
                + result.deletedEqualityDeleteFilesCount() + result.deletedManifestsCount()
                + result.deletedManifestListsCount();
    }

    /**
     * Deletes files under the table's location that no snapshot references and that are older than
     * {@code olderThan} (a write in progress has files no snapshot references yet: the nightly job keeps a safety
     * age of days; the redaction uses now and must not run alongside a write to the same table). Also removes the
     * directories left empty, so not even a partition folder name remains. Returns the number of files deleted.
     */
    public long removeOrphanFiles(Table table, Instant olderThan) {
        DeleteOrphanFiles.Result result = SparkActions.get(spark).deleteOrphanFiles(table)
                .olderThan(olderThan.toEpochMilli())
                // On object storage (s3://) the table's own FileIO lists the location: Hadoop has no FileSystem for
                // s3 on our classpath, and S3FileIO lists a prefix in one paged call instead of walking "folders".
                .usePrefixListing(onObjectStorage(table))
                .execute();
        long deleted = 0;
        for (String ignored : result.orphanFileLocations()) {
            deleted++;
        }
        removeEmptyDirectories(table.location());
        return deleted;
    }

    /** Rewrites the manifests so that each covers a compact range of partitions; returns {rewritten, added}. */
    public long[] rewriteManifests(Table table) {
        if (table.currentSnapshot() == null) {
            return new long[] {0, 0};
        }
        RewriteManifests.Result result = SparkActions.get(spark).rewriteManifests(table).execute();
        long rewritten = 0;
        for (Object ignored : result.rewrittenManifests()) {
            rewritten++;
        }
        long added = 0;
        for (Object ignored : result.addedManifests()) {
            added++;
        }
        return new long[] {rewritten, added};
    }

    /** A table whose files are not on a Hadoop file system and whose FileIO can list by prefix (S3FileIO). */
    private static boolean onObjectStorage(Table table) {
        String scheme = URI.create(table.location()).getScheme();
        return scheme != null && !"file".equals(scheme) && !"hdfs".equals(scheme)
                && table.io() instanceof SupportsPrefixOperations;
    }

    /** Data folders left empty (a redacted shop's partition); only for a warehouse on the local file system. */
    private static void removeEmptyDirectories(String location) {
        URI uri = URI.create(location);
        if (uri.getScheme() != null && !"file".equals(uri.getScheme())) {
            return;
        }
        Path data = Path.of(uri.getScheme() == null ? location : uri.getPath()).resolve("data");
        if (!Files.isDirectory(data)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(data)) {
            for (Path dir : paths.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
                if (!dir.equals(data)) {
                    try (Stream<Path> children = Files.list(dir)) {
                        if (children.findAny().isEmpty()) {
                            Files.delete(dir);
                        }
                    }
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot remove empty folders under " + data + ": " + e.getMessage(), e);
        }
    }
}
