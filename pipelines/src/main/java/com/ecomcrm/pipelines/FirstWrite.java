package com.ecomcrm.pipelines;

import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.spark.sql.DataFrameWriterV2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.Optional;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.lit;

/**
 * Writes a job's rows into an Iceberg table that holds no row yet, instead of a MERGE. A MERGE into an empty table
 * inserts every source row, whatever its conditions say, so the result is the same rows; but the MERGE joins the
 * source with the (empty) table and shuffles it once more before the write, which on the first night of a large
 * shop was a good part of the ingest's CPU.
 *
 * <p>Safe against a concurrent writer (the hourly ingest beside the nightly one): the rows go in as an overwrite of
 * "every row" with serializable isolation from the empty state seen, so if anyone committed rows in between, the
 * commit fails (as a conflicting MERGE would) instead of adding the rows twice; the retry then finds rows and MERGEs.
 */
final class FirstWrite {
    private FirstWrite() {
    }

    /**
     * If {@code table} holds no row, writes {@code rows} into it and returns how many were written; otherwise writes
     * nothing and returns empty (the caller MERGEs).
     *
     * @param clusteredByShop the rows are already clustered by shop_id within each Spark partition (hash-partitioned
     *                        by it), so the table's hash distribution would only shuffle them again
     */
    static Optional<Long> ifEmpty(SparkSession spark, Dataset<Row> rows, String table, boolean clusteredByShop) {
        requireNonNull(rows, "rows is null");
        Table iceberg = LakehouseTables.load(spark, table);
        Snapshot before = iceberg.currentSnapshot();
        if (before != null && !"0".equals(before.summary().get("total-records"))) {
            return Optional.empty();
        }
        DataFrameWriterV2<Row> writer = rows.writeTo(table).option("isolation-level", "serializable");
        if (before != null) {
            writer = writer.option("validate-from-snapshot-id", String.valueOf(before.snapshotId()));
        }
        if (clusteredByShop) {
            // Iceberg still asks for the rows sorted by partition within each task; the window that picked the
            // newest row per key has sorted them by shop_id already, so Spark drops that sort as redundant.
            writer = writer.option("distribution-mode", "none");
        }
        try {
            writer.overwrite(lit(true));
        }
        catch (Exception e) { // Spark's checked NoSuchTableException, thrown from Scala
            throw new IllegalStateException("Cannot write the first rows of " + table + ": " + e.getMessage(), e);
        }
        iceberg.refresh();
        Snapshot after = iceberg.currentSnapshot();
        if (after == null || (before != null && after.snapshotId() == before.snapshotId())) {
            return Optional.of(0L);
        }
        return Optional.of(Long.parseLong(after.summary().getOrDefault("added-records", "0")));
    }

}
