package com.ecomcrm.pipelines;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import static java.util.Objects.requireNonNull;

/**
 * Gives every refund the customer of its order. A refunds/create payload names the order but not the customer, and
 * the order may land before or after the refund; and a merchant can move an order to another customer. So after each
 * ingest, every refund whose customer differs from its order's in silver.orders takes the order's. Refunds of orders
 * not (yet) in silver.orders keep what they have. Idempotent: a second run finds nothing to change and commits
 * nothing.
 */
final class RefundCustomers {
    private RefundCustomers() {
    }

    /** Updates the refunds whose customer is not their order's; returns how many. */
    static long follow(SparkSession spark, Lakehouse lakehouse) {
        requireNonNull(spark, "spark is null");
        requireNonNull(lakehouse, "lakehouse is null");
        Dataset<Row> changed = spark.sql("""
                SELECT r.shop_id, r.refund_id, o.customer_id
                FROM %1$s r JOIN %2$s o ON r.shop_id = o.shop_id AND r.order_id = o.order_id
                WHERE NOT (r.customer_id <=> o.customer_id)
                """.formatted(lakehouse.refunds(), lakehouse.orders()));
        // Materialised first (on the executors): the MERGE rewrites the table this set was read from.
        Dataset<Row> source = changed.localCheckpoint(true);
        long count = source.count();
        if (count == 0) {
            return 0;
        }
        String view = "refund_customers_" + lakehouse.catalog();
        source.createOrReplaceTempView(view);
        spark.sql("MERGE INTO " + lakehouse.refunds() + " t USING " + view + " s"
                + " ON t.shop_id = s.shop_id AND t.refund_id = s.refund_id"
                + " WHEN MATCHED THEN UPDATE SET t.customer_id = s.customer_id");
        spark.catalog().dropTempView(view);
        return count;
    }
}
