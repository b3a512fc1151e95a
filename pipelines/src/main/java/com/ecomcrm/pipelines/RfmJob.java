package com.ecomcrm.pipelines;

import com.ecomcrm.domain.QuintileScore;
import com.ecomcrm.domain.RfmScores;
import com.ecomcrm.domain.Segment;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.types.DataTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.LocalDate;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Silver to {@code gold.customer_rfm}: recency, frequency and monetary value of every customer of every shop as of a
 * logical date, their 1-5 scores within their own shop, and their segment.
 *
 * <p>What counts as an order is {@link QualifyingOrders} (shared with the daily KPIs): processed before the end of
 * the as-of day (UTC), not a test order, not cancelled, and with something left after refunds. Orders without a
 * customer and customers deleted in Shopify are left out. A customer with no counted order is a prospect: scores 0,
 * recency null.
 *
 * <p>Scores are {@link QuintileScore#of} the number of the shop's buyers strictly worse: {@code rank() - 1} over the
 * "worse first" order, so ties share a score whatever order rows come in, and every window is partitioned by shop,
 * so one shop's customers never move another's scores. The score and the segment are computed by the domain classes
 * themselves (as UDFs), so the API, the tests and this job cannot disagree on the grid.
 *
 * <p>The (as_of_date) slice is replaced in one overwrite ({@link GoldSlice}, one Iceberg commit): readers see the old
 * slice or the new one, never a half-written one, and re-running a date gives the same rows.
 */
public final class RfmJob {
    private static final Logger LOG = LoggerFactory.getLogger(RfmJob.class);

    private RfmJob() {
    }

    /** @param buyers customers with at least one counted order; {@code prospects} the others */
    public record Result(LocalDate asOfDate, long shops, long buyers, long prospects) {
        public String summary() {
            return "as of " + asOfDate + ": " + shops + " shops, " + buyers + " buyers scored, " + prospects
                    + " prospects";
        }
    }

    public static Result run(SparkSession spark, LocalDate asOfDate) {
        return run(spark, Lakehouse.DEFAULT, asOfDate);
    }

    public static Result run(SparkSession spark, Lakehouse lakehouse, LocalDate asOfDate) {
        try (CustomerDays days = CustomerDays.of(spark, lakehouse, asOfDate)) {
            return run(spark, lakehouse, asOfDate, days);
        }
    }

    /** As {@link #run(SparkSession, Lakehouse, LocalDate)} from purchase days other stages may share. */
    static Result run(SparkSession spark, Lakehouse lakehouse, LocalDate asOfDate, CustomerDays customerDays) {
        requireNonNull(asOfDate, "asOfDate is null");
        registerFunctions(spark);
        requireNonNull(customerDays, "customerDays is null"); // read by its view, CustomerDays.VIEW
        // The buyers are read twice (scored, and left out of the prospects): cached, so the orders are aggregated
        // once (inlined, they were scanned and summed twice).
        Dataset<Row> buyers = spark.sql(buyersSql(asOfDate)).persist();
        buyers.createOrReplaceTempView("rfm_buyers");
        Dataset<Row> rfm = spark.sql(sql(lakehouse, asOfDate)).persist();
        try {
            rfm.createOrReplaceTempView("rfm_result");
            // Every customer of every shop is recomputed for the date: the date's slice is replaced whole by an
            // overwrite (GoldSlice), without re-reading or rewriting the other dates' files as a MERGE did.
            new GoldSlice(lakehouse.customerRfm(), "as_of_date", GoldSlice.Range.ON, asOfDate).replaceWith(spark,
                    "rfm_result", "t.shop_id = s.shop_id AND t.as_of_date = s.as_of_date"
                            + " AND t.customer_id = s.customer_id");
            List<Row> counts = spark.sql("SELECT count(DISTINCT shop_id), count_if(frequency > 0),"
                    + " count_if(frequency = 0) FROM rfm_result").collectAsList();
            Row c = counts.get(0);
            Result result = new Result(asOfDate, c.getLong(0), c.getLong(1), c.getLong(2));
            LOG.info("RFM {}", result.summary());
            return result;
        }
        finally {
            // Dropping a view of a cached plan uncaches it (Spark's Catalog.dropTempView): only once it is written.
            spark.catalog().dropTempView("rfm_result");
            spark.catalog().dropTempView("rfm_buyers");
            rfm.unpersist();
            buyers.unpersist();
        }
    }

    /**
     * From the customers' purchase days ({@link CustomerDays}): frequency is the sum of their orders, monetary the
     * sum of their net cents (exact), recency the days since the last of them.
     */
    private static String buyersSql(LocalDate asOfDate) {
        // Literal from a LocalDate, never from user input.
        return """
                SELECT c.shop_id, c.customer_id,
                       datediff(DATE '%1$s', max(c.day)) AS recency_days,
                       sum(c.orders) AS frequency,
                       %2$s AS monetary
                FROM customer_days c
                GROUP BY c.shop_id, c.customer_id
                """.formatted(asOfDate, CustomerDays.money("sum(c.net_cents)"));
    }

    private static String sql(Lakehouse lakehouse, LocalDate asOfDate) {
        // Literals from a LocalDate, never from user input; the session time zone is UTC (SparkSessions).
        String asOf = "DATE '" + asOfDate + "'";
        String endOfDay = "TIMESTAMP '" + asOfDate.plusDays(1) + " 00:00:00'";
        String sql = """
                WITH ranked AS (
                    SELECT *,
                           rank() OVER (PARTITION BY shop_id ORDER BY recency_days DESC) - 1 AS r_worse,
                           rank() OVER (PARTITION BY shop_id ORDER BY frequency ASC) - 1 AS f_worse,
                           rank() OVER (PARTITION BY shop_id ORDER BY monetary ASC) - 1 AS m_worse,
                           count(*) OVER (PARTITION BY shop_id) AS shop_buyers
                    FROM rfm_buyers
                ),
                scored AS (
                    SELECT shop_id, customer_id, recency_days, frequency, monetary,
                           ecomcrm_quintile(CAST(r_worse AS BIGINT), shop_buyers) AS r_score,
                           ecomcrm_quintile(CAST(f_worse AS BIGINT), shop_buyers) AS f_score,
                           ecomcrm_quintile(CAST(m_worse AS BIGINT), shop_buyers) AS m_score
                    FROM ranked
                ),
                prospects AS (
                    SELECT p.shop_id, p.customer_id
                    FROM %1$s p LEFT ANTI JOIN rfm_buyers b
                      ON p.shop_id = b.shop_id AND p.customer_id = b.customer_id
                    WHERE NOT coalesce(p.deleted, false)
                      AND (p.created_at IS NULL OR p.created_at < %4$s)
                )
                SELECT shop_id, %3$s AS as_of_date, customer_id,
                       CAST(recency_days AS INT) AS recency_days, CAST(frequency AS INT) AS frequency,
                       CAST(monetary AS DECIMAL(18,2)) AS monetary,
                       r_score, f_score, m_score,
                       ecomcrm_segment(r_score, f_score, m_score) AS segment
                FROM scored
                UNION ALL
                SELECT shop_id, %3$s, customer_id, CAST(NULL AS INT), 0, CAST(0 AS DECIMAL(18,2)), 0, 0, 0,
                       '%5$s'
                FROM prospects
                """.formatted(lakehouse.customers(), lakehouse.orders(), asOf, endOfDay, Segment.PROSPECTS.key());
        return sql;
    }

    private static void registerFunctions(SparkSession spark) {
        if (spark.catalog().functionExists("ecomcrm_segment")) {
            return; // registered by an earlier run in this session; re-registering only logs a warning
        }
        spark.udf().register("ecomcrm_quintile",
                (UDF2<Long, Long, Integer>) (worse, total) -> QuintileScore.of(worse, total),
                DataTypes.IntegerType);
        spark.udf().register("ecomcrm_segment",
                (UDF3<Integer, Integer, Integer, String>) (r, f, m) -> new RfmScores(r, f, m).segment().key(),
                DataTypes.StringType);
    }
}
