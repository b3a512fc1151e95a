package com.ecomcrm.pipelines;

import org.apache.spark.sql.Row;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * The orders timeline of ClickHouse's {@code customer_orders}, published straight from silver (no gold table: nothing
 * is computed, only copied and converted to cents). Unlike {@link QualifyingOrders}, which decides what counts as
 * revenue, the timeline shows every order the customer placed by the end of the as-of day (UTC), cancelled and
 * refunded ones included (the merchant sees them as such); only test orders and orders without a customer are left
 * out.
 */
final class CustomerOrderRows {
    private CustomerOrderRows() {
    }

    /**
     * A Spark SQL query over every shop: {@code shop_id, customer_id, order_id, name, ordered_at, financial_status,
     * total_price, total_refunded, cancelled, line_count}.
     */
    static String select(Lakehouse lakehouse, LocalDate asOfDate) {
        requireNonNull(lakehouse, "lakehouse is null");
        requireNonNull(asOfDate, "asOfDate is null");
        // Literal from a LocalDate, never from user input; the session time zone is UTC (SparkSessions).
        String endOfDay = "TIMESTAMP '" + asOfDate.plusDays(1) + " 00:00:00'";
        return """
                SELECT o.shop_id, o.customer_id, o.order_id, o.name,
                       coalesce(o.processed_at, o.created_at) AS ordered_at, o.financial_status, o.total_price,
                       o.total_refunded, o.cancelled_at IS NOT NULL AS cancelled,
                       coalesce(l.line_count, 0) AS line_count
                FROM %1$s o LEFT JOIN (
                    SELECT shop_id, order_id, count(*) AS line_count FROM %2$s GROUP BY shop_id, order_id
                ) l ON o.shop_id = l.shop_id AND o.order_id = l.order_id
                WHERE o.customer_id IS NOT NULL
                  AND NOT coalesce(o.test, false)
                  AND coalesce(o.processed_at, o.created_at) < %3$s
                """.formatted(lakehouse.orders(), lakehouse.orderLines(), endOfDay);
    }

    /** One shop's rows of {@link #select} as {@code customer_orders} rows of the publication. */
    static List<Map<String, Object>> servingRows(long publishId, List<Row> silver) {
        List<Map<String, Object>> out = new ArrayList<>(silver.size());
        for (Row row : silver) {
            long total = cents(row.getAs("total_price"));
            long refunded = cents(row.getAs("total_refunded"));
            String name = row.getAs("name");
            String status = row.getAs("financial_status");
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("publish_id", publishId);
            r.put("customer_id", row.<Long>getAs("customer_id"));
            r.put("order_id", row.<Long>getAs("order_id"));
            r.put("order_name", name == null ? "" : name);
            r.put("processed_at", row.<Timestamp>getAs("ordered_at").toInstant());
            r.put("financial_status", status == null ? "" : status);
            r.put("total_cents", total);
            r.put("refunded_cents", refunded);
            r.put("net_cents", total - refunded);
            r.put("line_count", row.<Long>getAs("line_count"));
            r.put("cancelled", Boolean.TRUE.equals(row.<Boolean>getAs("cancelled")) ? 1 : 0);
            out.add(r);
        }
        return out;
    }

    /** decimal(18,2) to integer cents, exactly; null as 0. */
    private static long cents(BigDecimal amount) {
        return amount == null ? 0 : amount.movePointRight(2).longValueExact();
    }
}
