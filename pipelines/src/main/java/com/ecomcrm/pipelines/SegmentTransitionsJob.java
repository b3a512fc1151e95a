package com.ecomcrm.pipelines;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

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
        // Literals from LocalDates, never from user input.
        String to = "DATE '" + toDate + "'";
        String previous = fromDate
                .map(f -> "SELECT DISTINCT shop_id, DATE '" + f + "' AS from_date FROM %1$s WHERE as_of_date = DATE '"
                        + f + "'")
                .orElse("SELECT shop_id, max(as_of_date) AS from_date FROM %1$s WHERE as_of_date < %2$s"
                        + " GROUP BY shop_id");
        String sql = ("""
                WITH cur AS (
                    SELECT shop_id, customer_id, segment, monetary FROM %1$s WHERE as_of_date = %2$s
                ),
                prev AS (
                """ + previous + """

                ),
                shops AS (
                    SELECT p.shop_id, p.from_date FROM prev p LEFT SEMI JOIN cur c ON p.shop_id = c.shop_id
                ),
                old AS (
                    SELECT r.shop_id, r.customer_id, r.segment
                    FROM %1$s r JOIN shops s ON r.shop_id = s.shop_id AND r.as_of_date = s.from_date
                ),
                moves AS (
                    SELECT coalesce(c.shop_id, o.shop_id) AS shop_id,
                           coalesce(o.segment, '%3$s') AS from_segment,
                           coalesce(c.segment, '%3$s') AS to_segment,
                           coalesce(c.monetary, 0) AS revenue
                    FROM (SELECT c.* FROM cur c LEFT SEMI JOIN shops s ON c.shop_id = s.shop_id) c
                    FULL OUTER JOIN old o ON c.shop_id = o.shop_id AND c.customer_id = o.customer_id
                )
                SELECT m.shop_id, %2$s AS to_date, s.from_date, m.from_segment, m.to_segment,
                       count(*) AS customers, CAST(sum(m.revenue) AS DECIMAL(18,2)) AS revenue
                FROM moves m JOIN shops s ON m.shop_id = s.shop_id
                GROUP BY m.shop_id, s.from_date, m.from_segment, m.to_segment
                """).formatted(lakehouse.customerRfm(), to, NONE);
        return spark.sql(sql);
    }
}
