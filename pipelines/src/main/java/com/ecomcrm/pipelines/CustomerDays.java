package com.ecomcrm.pipelines;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

import java.time.LocalDate;

import static java.util.Objects.requireNonNull;

/**
 * The counted orders ({@link QualifyingOrders}) of every shop summed per customer and UTC day: one row per customer
 * with a counted order that day, {@code shop_id, customer_id, day (date), orders (bigint), net_cents (bigint)}.
 *
 * <p>RFM, predictions and the daily KPIs all start from it (one definition of a purchase day), and each stage's later
 * work reads these narrow rows instead of every order, by the view {@value #VIEW}. An instance owns that view from
 * its creation to {@link #close()}: the stages read it and never drop it, because dropping a view of a cached plan
 * uncaches the plan (Spark's {@code Catalog.dropTempView}). {@link #cached} computes the days once for several stages
 * ({@code NightlyPipeline} when it runs more than one of them); {@link #of} lets each read recompute them (one stage on
 * its own, where a cache would only cost memory).
 *
 * <p>Money is summed as whole cents in a {@code bigint}: exact, and unlike a sum of {@code decimal(19,2)} (whose
 * result is too wide for a long, so Spark keeps every aggregation buffer as a {@code BigInteger}) it costs an add per
 * row. {@code net} is {@code decimal(19,2)}, so {@code net * 100} is a whole number below 10^17, far inside a long;
 * {@link #money} turns a sum back into the {@code decimal(18,2)} the gold tables hold.
 */
final class CustomerDays implements AutoCloseable {
    /** The temp view the stages read the purchase days by, for as long as an instance is open. */
    static final String VIEW = "customer_days";

    private final SparkSession spark;
    private final Dataset<Row> rows;
    private final boolean cached;

    private CustomerDays(SparkSession spark, Dataset<Row> rows, boolean cached) {
        this.spark = spark;
        this.rows = rows;
        this.cached = cached;
        rows.createOrReplaceTempView(VIEW);
    }

    /** The purchase days as of the end of {@code asOfDate} (UTC), computed again by every action that reads them. */
    static CustomerDays of(SparkSession spark, Lakehouse lakehouse, LocalDate asOfDate) {
        return new CustomerDays(spark, compute(spark, lakehouse, asOfDate), false);
    }

    /**
     * The purchase days as of the end of {@code asOfDate}, computed by the first action that reads them and kept (in
     * memory, spilling to disk) until {@link #close()}, for stages that each read them.
     */
    static CustomerDays cached(SparkSession spark, Lakehouse lakehouse, LocalDate asOfDate) {
        return new CustomerDays(spark, compute(spark, lakehouse, asOfDate).persist(StorageLevel.MEMORY_AND_DISK()),
                true);
    }

    Dataset<Row> rows() {
        return rows;
    }

    /** Drops the view and, when cached, the kept rows. */
    @Override
    public void close() {
        spark.catalog().dropTempView(VIEW);
        if (cached) {
            rows.unpersist();
        }
    }

    /** A Spark SQL expression turning a {@code bigint} sum of cents into {@code decimal(18,2)}, exactly. */
    static String money(String cents) {
        // decimal(20,0) / 100 has scale 6 in Spark, so the division is exact before the cast to two places.
        return "CAST(CAST(" + cents + " AS DECIMAL(20,0)) / 100 AS DECIMAL(18,2))";
    }

    private static Dataset<Row> compute(SparkSession spark, Lakehouse lakehouse, LocalDate asOfDate) {
        requireNonNull(spark, "spark is null");
        return spark.sql("""
                WITH counted AS (
                %s
                )
                SELECT shop_id, customer_id, to_date(ordered_at) AS day, count(*) AS orders,
                       sum(CAST(net * 100 AS BIGINT)) AS net_cents
                FROM counted
                GROUP BY shop_id, customer_id, to_date(ordered_at)
                """.formatted(QualifyingOrders.select(lakehouse, asOfDate)));
    }
}
