package com.ecomcrm.pipelines;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.when;

/**
 * {@code gold.customer_rfm} snapshots to {@code gold.segment_transitions}: for every shop with a snapshot on the
 * logical date D, how its customers moved between segments since an earlier snapshot, as
 * (from_segment, to_segment, customers, revenue at D).
 *
 * <p>The earlier snapshot is, per shop, the latest one before D ({@link #run(SparkSession, Lakehouse, LocalDate)}),
 * or a given from-date for every shop that has a snapshot on it. A shop without one gets no rows (its first night
 * has nothing to move from). Customers are matched by id across the two snapshots (a full outer join):
 * <ul>
 *   <li>in D only (became a customer since): from_segment {@value #NONE};</li>
 *   <li>in the earlier snapshot only (deleted in Shopify since): to_segment {@value #NONE}, revenue 0;</li>
 *   <li>revenue is the customers' monetary value at D (net lifetime spend as of D), as in segment_summary.</li>
 * </ul>
 * Prospects are customers too (segment PROSPECTS), so a prospect's first order shows as PROSPECTS to NEW etc.
 *
 * <p>The to_date = D slice is replaced in one overwrite ({@link GoldSlice}), so a re-run gives the same rows and never leaves a mix.
 */
public final class SegmentTransitionsJob {
    /** The pseudo segment of a customer missing from one of the two snapshots. */
    public static final String NONE = "NONE";
    private static final Logger LOG = LoggerFactory.getLogger(SegmentTransitionsJob.class);
    /** How far before the date a shop's previous snapshot is looked for first (nightly runs: the day before). */
    static final int LOOK_BACK_DAYS = 7;
    private static final StructType SHOP_FROM_DATE = new StructType()
            .add("shop_id", DataTypes.StringType, false)
            .add("from_date", DataTypes.DateType, false);

    private SegmentTransitionsJob() {
    }

    /** @param shops shops with both snapshots; {@code rows} (from, to) pairs written; {@code moved} customers whose segment changed */
    public record Result(LocalDate toDate, long shops, long rows, long customers, long moved) {
        public String summary() {
            return "to " + toDate + ": " + shops + " shops, " + rows + " transitions, " + moved + " of " + customers
                    + " customers moved";
        }

        public Map<String, Object> metrics() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("shops", shops);
            m.put("rows_out", rows);
            m.put("customers", customers);
            m.put("moved", moved);
            return m;
        }
    }

    /** Transitions into D from each shop's latest snapshot before D. */
    public static Result run(SparkSession spark, Lakehouse lakehouse, LocalDate toDate) {
        return run(spark, lakehouse, Optional.empty(), toDate);
    }

    /** Transitions into {@code toDate} from {@code fromDate} (must be earlier), or from each shop's previous snapshot. */
    public static Result run(SparkSession spark, Lakehouse lakehouse, Optional<LocalDate> fromDate, LocalDate toDate) {
        requireNonNull(toDate, "toDate is null");
        requireNonNull(fromDate, "fromDate is null");
        if (fromDate.isPresent() && !fromDate.get().isBefore(toDate)) {
            throw new IllegalArgumentException("Cannot compute transitions from " + fromDate.get() + " to " + toDate
                    + ": the from-date must be before the to-date");
        }
        Dataset<Row> transitions = compute(spark, lakehouse, fromDate, toDate).persist();
        try {
            transitions.createOrReplaceTempView("transitions_result");
            // Every shop's moves into the date are recomputed from the RFM snapshots: the to_date slice is replaced
            // whole by an overwrite (GoldSlice); other dates' rows are neither read nor rewritten.
            new GoldSlice(lakehouse.segmentTransitions(), "to_date", GoldSlice.Range.ON, toDate).replaceWith(spark,
                    "transitions_result", "t.shop_id = s.shop_id AND t.to_date = s.to_date"
                            + " AND t.from_segment = s.from_segment AND t.to_segment = s.to_segment");
            Row c = spark.sql("SELECT count(DISTINCT shop_id), count(*), coalesce(sum(customers), 0),"
                    + " coalesce(sum(CASE WHEN from_segment <> to_segment THEN customers ELSE 0 END), 0)"
                    + " FROM transitions_result").first();
            Result result = new Result(toDate, c.getLong(0), c.getLong(1), c.getLong(2), c.getLong(3));
            LOG.info("Segment transitions {}", result.summary());
            return result;
        }
        finally {
            spark.catalog().dropTempView("transitions_result");
            transitions.unpersist();
        }
    }

    /** The rows of {@code gold.segment_transitions} for {@code toDate}, in the table's column order. */
    static Dataset<Row> compute(SparkSession spark, Lakehouse lakehouse, Optional<LocalDate> fromDate,
                                LocalDate toDate) {
        Map<String, LocalDate> from = fromDates(spark, lakehouse, fromDate, toDate);
        List<Row> pairs = from.entrySet().stream()
                .map(e -> RowFactory.create(e.getKey(), java.sql.Date.valueOf(e.getValue()))).toList();
        // The view lives only while the statement is analysed: spark.sql analyses at once and inlines a view of a
        // DataFrame (its rows) into the plan, so the Dataset returned no longer needs the view.
        spark.createDataFrame(pairs, SHOP_FROM_DATE).createOrReplaceTempView("transition_shops");
        // Literals from LocalDates, never from user input. The dates are spelled out (not only joined) so that each
        // snapshot is read by its own files (one date per file, GoldSlice), not all of the table's history.
        String to = "DATE '" + toDate + "'";
        String fromDays = from.values().stream().distinct().sorted().map(d -> "DATE '" + d + "'")
                .collect(Collectors.joining(", "));
        String sql = """
                WITH cur AS (
                    SELECT c.shop_id, c.customer_id, c.segment, c.monetary
                    FROM %1$s c LEFT SEMI JOIN transition_shops s ON c.shop_id = s.shop_id
                    WHERE c.as_of_date = %2$s
                ),
                old AS (
                    SELECT r.shop_id, r.customer_id, r.segment
                    FROM %1$s r JOIN transition_shops s ON r.shop_id = s.shop_id AND r.as_of_date = s.from_date
                    WHERE %4$s
                ),
                moves AS (
                    SELECT coalesce(c.shop_id, o.shop_id) AS shop_id,
                           coalesce(o.segment, '%3$s') AS from_segment,
                           coalesce(c.segment, '%3$s') AS to_segment,
                           coalesce(c.monetary, 0) AS revenue
                    FROM cur c FULL OUTER JOIN old o ON c.shop_id = o.shop_id AND c.customer_id = o.customer_id
                )
                SELECT m.shop_id, %2$s AS to_date, s.from_date, m.from_segment, m.to_segment,
                       count(*) AS customers, CAST(sum(m.revenue) AS DECIMAL(18,2)) AS revenue
                FROM moves m JOIN transition_shops s ON m.shop_id = s.shop_id
                GROUP BY m.shop_id, s.from_date, m.from_segment, m.to_segment
                """.formatted(lakehouse.customerRfm(), to, NONE,
                fromDays.isEmpty() ? "false" : "r.as_of_date IN (" + fromDays + ")");
        try {
            return spark.sql(sql);
        }
        finally {
            spark.catalog().dropTempView("transition_shops");
        }
    }

    /**
     * Every shop with a snapshot on {@code toDate} and one to move from: on {@code fromDate} when given, otherwise
     * its latest before {@code toDate}. That one is looked for in the week before first, by one read of two narrow
     * columns of those days' snapshots; only shops without one there (a shop's first night, or nights skipped) are
     * looked up further back, in their own partitions. So a night reads a week of history, not all of it, however
     * long the table's history grows.
     */
    static Map<String, LocalDate> fromDates(SparkSession spark, Lakehouse lakehouse, Optional<LocalDate> fromDate,
                                            LocalDate toDate) {
        Dataset<Row> snapshots = spark.table(lakehouse.customerRfm());
        java.sql.Date to = java.sql.Date.valueOf(toDate);
        java.sql.Date earliest = java.sql.Date.valueOf(fromDate.orElse(toDate.minusDays(LOOK_BACK_DAYS)));
        Dataset<Row> near = fromDate.isPresent()
                ? snapshots.where(col("as_of_date").isin(to, earliest))
                : snapshots.where(col("as_of_date").geq(earliest).and(col("as_of_date").leq(to)));
        Map<String, LocalDate> from = new TreeMap<>();
        List<String> without = new ArrayList<>();
        for (Row r : near.groupBy("shop_id")
                .agg(max(when(col("as_of_date").equalTo(to), true).otherwise(false)).as("on_date"),
                        max(when(col("as_of_date").lt(to), col("as_of_date"))).as("before"))
                .collectAsList()) {
            if (!r.getBoolean(1)) {
                continue;
            }
            if (r.isNullAt(2)) {
                without.add(r.getString(0));
            }
            else {
                from.put(r.getString(0), r.getDate(2).toLocalDate());
            }
        }
        if (fromDate.isEmpty() && !without.isEmpty()) {
            for (Row r : snapshots.where(col("shop_id").isin(without.toArray()).and(col("as_of_date").lt(earliest)))
                    .groupBy("shop_id").agg(max("as_of_date")).collectAsList()) {
                from.put(r.getString(0), r.getDate(1).toLocalDate());
            }
        }
        return from;
    }
}
