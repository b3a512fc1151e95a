package com.ecomcrm.pipelines;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Silver to {@code gold.shop_daily_kpis}: for every shop, one row per UTC day from the day of its first counted order
 * to the logical date, so the series has no holes (a day without orders has zeros and carries the cumulative
 * figures forward). Orders count by {@link QualifyingOrders}, the definition RFM uses, so on the logical date
 * {@code customers} equals the shop's RFM buyers and {@code repeat_customers} its buyers with frequency of 2 or more.
 *
 * <p>New vs returning is decided per order: an order is a new-customer order when it is the customer's first counted
 * order (earliest {@code ordered_at}, ties by {@code order_id}), a returning-customer order otherwise (so a second
 * order on the day of the first is returning). {@code repeat_rate = repeat_customers / customers} as of the end of
 * the day.
 *
 * <p>Every run recomputes the whole history up to the logical date from silver, so an order that arrives late for a
 * past day is reflected on the next run. A day's figures depend only on orders up to that day, so one overwrite
 * ({@link GoldSlice}) replaces the days up to the logical date (one Iceberg commit; days no longer computed are deleted) and leaves later days of
 * a later run alone. Re-running a date gives the same rows. Every aggregate and window is per shop, so a shop's
 * figures never depend on another shop's data.
 */
public final class ShopKpisJob {
    private static final Logger LOG = LoggerFactory.getLogger(ShopKpisJob.class);

    private ShopKpisJob() {
    }

    /** @param days rows written (shop-days up to the logical date) */
    public record Result(LocalDate asOfDate, long shops, long days, long orders) {
        public String summary() {
            return "as of " + asOfDate + ": " + shops + " shops, " + days + " shop-days, " + orders + " orders";
        }

        public Map<String, Object> metrics() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("shops", shops);
            m.put("rows_out", days);
            m.put("orders", orders);
            return m;
        }
    }

    public static Result run(SparkSession spark, Lakehouse lakehouse, LocalDate asOfDate) {
        try (CustomerDays days = CustomerDays.of(spark, lakehouse, asOfDate)) {
            return run(spark, lakehouse, asOfDate, days);
        }
    }

    /** As {@link #run(SparkSession, Lakehouse, LocalDate)} from purchase days another stage may share. */
    static Result run(SparkSession spark, Lakehouse lakehouse, LocalDate asOfDate, CustomerDays customerDays) {
        requireNonNull(asOfDate, "asOfDate is null");
        String asOf = "DATE '" + asOfDate + "'"; // from a LocalDate, never from user input
        requireNonNull(customerDays, "customerDays is null"); // read by its view, CustomerDays.VIEW
        // The days with orders are read twice (each shop's first day, and the series): cached, so the orders are
        // aggregated once (inlined, they were scanned and summed twice).
        Dataset<Row> daily = spark.sql(DAILY).persist();
        daily.createOrReplaceTempView("kpi_daily");
        Dataset<Row> kpis = spark.sql(sql(asOf)).persist();
        try {
            kpis.createOrReplaceTempView("kpi_result");
            // Every day of every shop's history is recomputed (a late order or refund changes a past day), so the
            // days up to the logical date are replaced whole by an overwrite (GoldSlice); days after it are left
            // alone. Days no longer computed (e.g. every order of a shop cancelled) go with the old files.
            new GoldSlice(lakehouse.shopDailyKpis(), "kpi_date", GoldSlice.Range.UP_TO, asOfDate).replaceWith(spark,
                    "kpi_result", "t.shop_id = s.shop_id AND t.kpi_date = s.kpi_date");
            Row c = spark.sql("SELECT count(DISTINCT shop_id), count(*), coalesce(sum(orders), 0) FROM kpi_result")
                    .first();
            Result result = new Result(asOfDate, c.getLong(0), c.getLong(1), c.getLong(2));
            LOG.info("KPIs {}", result.summary());
            return result;
        }
        finally {
            // Dropping a view of a cached plan uncaches it (Spark's Catalog.dropTempView): only once it is written.
            spark.catalog().dropTempView("kpi_result");
            spark.catalog().dropTempView("kpi_daily");
            kpis.unpersist();
            daily.unpersist();
        }
    }

    /**
     * Each shop's days with orders, from the customers' purchase days ({@link CustomerDays}) numbered per customer: a
     * customer's first order is on its first day ({@code day_number = 1}), and its second order on the first day too
     * if that day had two orders or more, else on its second day. So the per-order numbering of the class comment
     * needs a window over purchase days only (narrow rows, no order ids), not over every order.
     */
    private static final String DAILY = """
            WITH numbered AS (
                SELECT shop_id, customer_id, day, orders, net_cents,
                       row_number() OVER (PARTITION BY shop_id, customer_id ORDER BY day) AS day_number,
                       lag(orders) OVER (PARTITION BY shop_id, customer_id ORDER BY day) AS previous_day_orders
                FROM customer_days
            )
            SELECT shop_id, day,
                   sum(orders) AS orders,
                   sum(net_cents) AS revenue_cents,
                   count_if(day_number = 1) AS new_customer_orders,
                   sum(orders) - count_if(day_number = 1) AS returning_customer_orders,
                   count(*) AS buyers,
                   count_if((day_number = 1 AND orders >= 2)
                            OR (day_number = 2 AND previous_day_orders = 1)) AS new_repeaters
            FROM numbered
            GROUP BY shop_id, day
            """;

    private static String sql(String asOf) {
        return """
                WITH days AS (
                    SELECT shop_id, explode(sequence(first_day, %1$s, INTERVAL 1 DAY)) AS day
                    FROM (SELECT shop_id, min(day) AS first_day FROM kpi_daily GROUP BY shop_id)
                ),
                series AS (
                    SELECT s.shop_id, s.day,
                           coalesce(d.orders, 0) AS orders,
                           %2$s AS revenue,
                           coalesce(d.new_customer_orders, 0) AS new_customer_orders,
                           coalesce(d.returning_customer_orders, 0) AS returning_customer_orders,
                           coalesce(d.buyers, 0) AS buyers,
                           sum(coalesce(d.new_customer_orders, 0)) OVER (PARTITION BY s.shop_id ORDER BY s.day
                               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS customers,
                           sum(coalesce(d.new_repeaters, 0)) OVER (PARTITION BY s.shop_id ORDER BY s.day
                               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS repeat_customers
                    FROM days s LEFT JOIN kpi_daily d ON s.shop_id = d.shop_id AND s.day = d.day
                )
                SELECT shop_id, day AS kpi_date,
                       CAST(orders AS BIGINT) AS orders,
                       revenue,
                       CAST(coalesce(round(revenue / nullif(orders, 0), 2), 0) AS DECIMAL(18,2)) AS aov,
                       CAST(new_customer_orders AS BIGINT) AS new_customer_orders,
                       CAST(returning_customer_orders AS BIGINT) AS returning_customer_orders,
                       CAST(buyers AS BIGINT) AS buyers,
                       CAST(customers AS BIGINT) AS customers,
                       CAST(repeat_customers AS BIGINT) AS repeat_customers,
                       CAST(coalesce(round(CAST(repeat_customers AS DECIMAL(20,0)) / nullif(customers, 0), 4), 0)
                           AS DECIMAL(9,4)) AS repeat_rate
                FROM series
                """.formatted(asOf, CustomerDays.money("coalesce(d.revenue_cents, 0)"));
    }
}
