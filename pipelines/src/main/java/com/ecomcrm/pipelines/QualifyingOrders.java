package com.ecomcrm.pipelines;

import java.time.LocalDate;

import static java.util.Objects.requireNonNull;

/**
 * The one definition of which orders count, shared by RFM ({@link RfmJob}) and the daily KPIs ({@link ShopKpisJob}),
 * so a shop's "orders" and "revenue" mean the same thing on every screen.
 *
 * <p>An order counts when it was processed ({@code coalesce(processed_at, created_at)}) before the end of the as-of
 * day (UTC), is not a test order, is not cancelled, has a positive total and something left after refunds
 * ({@code total_price - total_refunded > 0}, which also drops zero-value and fully refunded orders), has a customer,
 * and that customer is not deleted in Shopify. Its value is the net amount, {@code total_price - total_refunded}.
 */
final class QualifyingOrders {
    private QualifyingOrders() {
    }

    /**
     * A Spark SQL query (usable as a CTE body or a subquery) with one row per counted order of every shop:
     * {@code shop_id, customer_id, order_id, ordered_at (timestamp), net (decimal)}.
     */
    static String select(Lakehouse lakehouse, LocalDate asOfDate) {
        requireNonNull(lakehouse, "lakehouse is null");
        requireNonNull(asOfDate, "asOfDate is null");
        // Literal from a LocalDate, never from user input; the session time zone is UTC (SparkSessions).
        String endOfDay = "TIMESTAMP '" + asOfDate.plusDays(1) + " 00:00:00'";
        return """
                SELECT o.shop_id, o.customer_id, o.order_id, coalesce(o.processed_at, o.created_at) AS ordered_at,
                       o.total_price - coalesce(o.total_refunded, 0) AS net
                FROM %2$s o LEFT ANTI JOIN (SELECT shop_id, customer_id FROM %1$s WHERE deleted) d
                  ON o.shop_id = d.shop_id AND o.customer_id = d.customer_id
                WHERE o.customer_id IS NOT NULL
                  AND NOT coalesce(o.test, false)
                  AND o.cancelled_at IS NULL
                  AND coalesce(o.processed_at, o.created_at) < %3$s
                  AND o.total_price > 0
                  AND o.total_price - coalesce(o.total_refunded, 0) > 0
                """.formatted(lakehouse.customers(), lakehouse.orders(), endOfDay);
    }
}
