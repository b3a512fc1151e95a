package com.ecomcrm.pipelines;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.time.LocalDate;

import static java.util.Objects.requireNonNull;

/**
 * The counted orders ({@link QualifyingOrders}) of every shop summed per customer and UTC day: one row per customer
 * with a counted order that day, {@code shop_id, customer_id, day (date), orders (bigint), net_cents (bigint)}.
 *
 * <p>RFM, predictions and the daily KPIs all start from it (one definition of a purchase day), and each stage's later
 * work reads these narrow rows instead of every order. The job classes take it as an argument so that a runner holding
 * all three stages in one JVM could compute it once and share it; session 8 measured no gain from persisting it
 * between stages on the medium fraction (within the noise of a loaded machine), so {@code NightlyPipeline} does not.
 *
 * <p>Money is summed as whole cents in a {@code bigint}: exact, and unlike a sum of {@code decimal(19,2)} (whose
 * result is too wide for a long, so Spark keeps every aggregation buffer as a {@code BigInteger}) it costs an add per
 * row. {@code net} is {@code decimal(19,2)}, so {@code net * 100} is a whole number below 10^17, far inside a long;
 * {@link #money} turns a sum back into the {@code decimal(18,2)} the gold tables hold.
 */
final class CustomerDays {
    private final Dataset<Row> rows;

    private CustomerDays(Dataset<Row> rows) {
        this.rows = requireNonNull(rows, "rows is null");
    }

    /** The purchase days as of the end of {@code asOfDate} (UTC), computed when an action reads them. */
    static CustomerDays of(SparkSession spark, Lakehouse lakehouse, LocalDate asOfDate) {
        return new CustomerDays(compute(spark, lakehouse, asOfDate));
    }

    Dataset<Row> rows() {
        return rows;
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
