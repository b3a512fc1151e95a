package com.ecomcrm.pipelines;

import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.spark.sql.DataFrameWriterV2;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.LocalDate;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.expr;

/**
 * A gold table's slice of a night (every shop's rows of one date, or of every day up to it) replaced by the rows the
 * night computed, in one Iceberg commit: an overwrite by filter, not a MERGE.
 *
 * <p>Why: every gold job recomputes its whole slice for every shop from silver, so the rows already in the table are
 * never needed. A copy-on-write MERGE with {@code WHEN NOT MATCHED BY SOURCE ... DELETE} still joins the new rows
 * with the whole table and rewrites every file it touches (every file of the table, partitioned by shop only:
 * 45-54 CPU s per 1M orders for the predictions alone at medium). The overwrite reads nothing: files whose rows all
 * lie in the slice are dropped from the table by their metadata (the date's min and max in the file's column
 * statistics), and the new files are added, in the same commit. The result is the rows the MERGE would leave (same
 * slice condition, all shops): a shop or customer no longer computed loses its rows of the slice, rows outside it are
 * left alone, re-running a night gives the same rows, and readers see the old slice or the new one, never half.
 *
 * <p>Every file this class writes holds rows of the slice only, so the next night's slice (a new date) or the same
 * night re-run can always drop whole files. A file that holds rows on both sides of the condition (written by an
 * older MERGE, or compacted across dates) cannot be dropped whole: Iceberg refuses the commit, and that night falls
 * back to the MERGE. The MERGE's files may still mix dates, so re-running an old date can fall back again; a new night
 * (a date after every file's range) never does.
 *
 * <p>Isolation: the commit is validated from the table's snapshot read just before the write (serializable), so a
 * concurrent writer of the same slice makes this commit fail rather than both sets of rows survive.
 */
final class GoldSlice {
    private static final Logger LOG = LoggerFactory.getLogger(GoldSlice.class);

    /** How the slice's date column compares with the night's date. */
    enum Range {
        /** Only rows of that date (a daily snapshot: as_of_date, to_date). */
        ON("="),
        /** Rows of that date and every earlier one (a history recomputed whole: kpi_date, send_date). */
        UP_TO("<=");

        private final String operator;

        Range(String operator) {
            this.operator = operator;
        }
    }

    private final String table;
    private final String dateColumn;
    private final Range range;
    private final LocalDate date;

    GoldSlice(String table, String dateColumn, Range range, LocalDate date) {
        this.table = requireNonNull(table, "table is null");
        this.dateColumn = requireNonNull(dateColumn, "dateColumn is null");
        this.range = requireNonNull(range, "range is null");
        this.date = requireNonNull(date, "date is null");
        if (!dateColumn.matches("[a-z_]+")) {
            throw new IllegalArgumentException("Not a column name: " + dateColumn);
        }
    }

    /** The slice's condition on the table's columns, qualified by {@code alias} when it is not empty. */
    String condition(String alias) {
        // The date comes from a LocalDate, never from user input.
        return (alias.isEmpty() ? "" : alias + ".") + dateColumn + " " + range.operator + " DATE '" + date + "'";
    }

    /**
     * Replaces the slice by the rows of temporary view {@code view} (the table's columns, in its order; every row in
     * the slice). {@code mergeKey} is the rows' key as a MERGE condition between {@code t} (table) and {@code s}
     * (view), used only when the table still holds files spanning the slice's edge.
     */
    void replaceWith(SparkSession spark, String view, String mergeKey) {
        requireNonNull(view, "view is null");
        requireNonNull(mergeKey, "mergeKey is null");
        Table iceberg = LakehouseTables.load(spark, table);
        Snapshot before = iceberg.currentSnapshot();
        DataFrameWriterV2<Row> writer = spark.table(view).writeTo(table).option("isolation-level", "serializable");
        if (before != null) {
            writer = writer.option("validate-from-snapshot-id", String.valueOf(before.snapshotId()));
        }
        try {
            writer.overwrite(expr(condition("")));
        }
        catch (Exception e) { // Spark's checked NoSuchTableException, thrown from Scala; Iceberg's validation
            if (!spansSliceEdge(e)) {
                throw new IllegalStateException("Cannot replace " + condition("") + " of " + table + ": "
                        + e.getMessage(), e);
            }
            LOG.info("{} holds files with rows on both sides of {}: replaced by a MERGE this time", table,
                    condition(""));
            merge(spark, view, mergeKey);
        }
    }

    private void merge(SparkSession spark, String view, String mergeKey) {
        spark.sql("MERGE INTO " + table + " t USING " + view + " s ON " + mergeKey
                + " WHEN MATCHED THEN UPDATE SET *"
                + " WHEN NOT MATCHED THEN INSERT *"
                + " WHEN NOT MATCHED BY SOURCE AND " + condition("t") + " THEN DELETE");
    }

    /** Iceberg's refusal to drop a file of which only some rows match the overwrite's filter. */
    static boolean spansSliceEdge(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ValidationException && t.getMessage() != null
                    && t.getMessage().contains("some, but not all, rows match")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

}
