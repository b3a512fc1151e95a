package com.ecomcrm.pipelines;

import com.ecomcrm.pipelines.email.AttributableOrder;
import com.ecomcrm.pipelines.email.Attribution;
import com.ecomcrm.pipelines.email.LastTouchAttribution;
import com.ecomcrm.pipelines.email.Touch;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * PostgreSQL's sends and tracking events into the lakehouse ({@link EmailLakehouseLoad}: those changed since the
 * last load), then
 * {@code gold.email_performance}: per shop, flow, template and send day, what became of the emails sent that day, up
 * to the end of the logical date.
 *
 * <p>Definitions (every count is of sends, so a burst of opens of one email counts once):
 * <ul>
 *   <li>sent: status SENT with a send time (test sends never reach the lakehouse); the row's day is the send's UTC
 *       day, so a row is a cohort of emails and all its rates are about the same emails;</li>
 *   <li>bounced: a bounce event; delivered = sent - bounced;</li>
 *   <li>unique opens: a human open, or a human click (a click proves the email was opened even when images were
 *       blocked); machine opens: an open flagged machine (privacy proxy), reported apart and never in the rates;</li>
 *   <li>unique clicks: a human click; unsubscribes: the unsubscribe link was used;</li>
 *   <li>orders, revenue: counted orders ({@link QualifyingOrders}: net of refunds, not cancelled, not test) credited by
 *       {@link LastTouchAttribution} with the shop's windows ({@link ShopAttributionWindows}), each order once;</li>
 *   <li>open_rate = unique_opens / delivered and click_rate = unique_clicks / delivered, half-up to 4 decimals.</li>
 * </ul>
 *
 * <p>The touches and the orders of touched customers are collected to the driver and credited per shop by the plain
 * rule class (tested without Spark). That is one row per human open or click and per order of an emailed customer:
 * fine for today's shops; a very large one would want the rule run per customer group on the executors.
 *
 * <p>Every run recomputes all days up to the logical date and replaces them in one overwrite ({@link GoldSlice}; days
 * no longer computed are deleted);
 * later days of a later run are left alone. Re-running a date gives the same rows.
 */
public final class EmailPerformanceJob {
    private static final Logger LOG = LoggerFactory.getLogger(EmailPerformanceJob.class);
    private static final StructType CREDITED = new StructType()
            .add("shop_id", DataTypes.StringType, false)
            .add("send_id", DataTypes.LongType, false)
            .add("order_id", DataTypes.LongType, false)
            .add("revenue", DataTypes.createDecimalType(18, 2), false);

    private EmailPerformanceJob() {
    }

    /**
     * @param sendsLoaded  sends read from PostgreSQL (all of them, or those changed since the last load)
     * @param eventsLoaded events read from PostgreSQL
     * @param loadedWhole  whether both were read whole ({@link EmailLakehouseLoad})
     * @param rows         rows written (shop, flow, template, day up to the logical date)
     */
    public record Result(LocalDate asOfDate, long sendsLoaded, long eventsLoaded, boolean loadedWhole, long shops,
                         long rows, long sent, long attributedOrders) {
        public String summary() {
            return "as of " + asOfDate + ": " + sendsLoaded + " sends and " + eventsLoaded + " events loaded ("
                    + (loadedWhole ? "all" : "changed") + "), " + shops + " shops, " + rows + " rows, " + sent
                    + " emails sent, " + attributedOrders + " attributed orders";
        }

        public Map<String, Object> metrics() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("sends_in", sendsLoaded);
            m.put("events_in", eventsLoaded);
            m.put("read", loadedWhole ? "all" : "changed");
            m.put("shops", shops);
            m.put("rows_out", rows);
            m.put("sent", sent);
            m.put("attributed_orders", attributedOrders);
            return m;
        }
    }

    /**
     * @param settings where PostgreSQL is (the sends, events and settings are read from it); the Spark session's
     *                 catalog is the one it was created with
     */
    public static Result run(SparkSession spark, Lakehouse lakehouse, PipelineSettings settings, LocalDate asOfDate) {
        return run(spark, lakehouse, settings, asOfDate, false, Optional.empty());
    }

    /**
     * @param readAll read every send and event from PostgreSQL, not only those changed since the last load
     *                ({@code --full-ingest})
     * @param run     the pipeline_runs row of the night, recorded with the load
     */
    public static Result run(SparkSession spark, Lakehouse lakehouse, PipelineSettings settings, LocalDate asOfDate,
                             boolean readAll, Optional<Long> run) {
        requireNonNull(asOfDate, "asOfDate is null");
        EmailLakehouseLoad.Result loaded = EmailLakehouseLoad.run(spark, lakehouse, settings,
                readAll ? EmailLakehouseLoad.Read.EVERYTHING : EmailLakehouseLoad.Read.CHANGES,
                new EmailLoadRecord(settings, Clock.systemUTC()), run);
        ShopAttributionWindows windows = ShopAttributionWindows.read(settings);
        credit(spark, lakehouse, asOfDate, windows).createOrReplaceTempView("email_credited");
        Dataset<Row> performance = compute(spark, lakehouse, asOfDate).persist();
        try {
            long computing = System.nanoTime();
            performance.createOrReplaceTempView("email_performance_result");
            // Every send-day cohort up to the logical date is recomputed (a late open, click or order changes an old
            // cohort), so those days are replaced whole by an overwrite (GoldSlice); later days are left alone.
            new GoldSlice(lakehouse.emailPerformance(), "send_date", GoldSlice.Range.UP_TO, asOfDate).replaceWith(
                    spark, "email_performance_result", "t.shop_id = s.shop_id AND t.send_date = s.send_date"
                            + " AND t.flow_id = s.flow_id AND t.template_id = s.template_id");
            LOG.info("Email performance cohorts computed and written in {} ms",
                    (System.nanoTime() - computing) / 1_000_000);
            Row c = spark.sql("SELECT count(DISTINCT shop_id), count(*), coalesce(sum(sent), 0),"
                    + " coalesce(sum(orders), 0) FROM email_performance_result").first();
            Result result = new Result(asOfDate, loaded.sends(), loaded.events(),
                    loaded.sendsWhole() && loaded.eventsWhole(), c.getLong(0), c.getLong(1), c.getLong(2),
                    c.getLong(3));
            LOG.info("Email performance {}", result.summary());
            return result;
        }
        finally {
            spark.catalog().dropTempView("email_performance_result");
            spark.catalog().dropTempView("email_credited");
            performance.unpersist();
        }
    }

    /** {@code shop_id, send_id, order_id, revenue}: one row per credited order. */
    static Dataset<Row> credit(SparkSession spark, Lakehouse lakehouse, LocalDate asOfDate,
                               ShopAttributionWindows windows) {
        String end = endOf(asOfDate);
        Dataset<Row> touches = spark.sql("""
                SELECT s.shop_id, s.send_id, s.customer_id, e.kind, e.occurred_at
                FROM %1$s s JOIN %2$s e ON e.shop_id = s.shop_id AND e.send_id = s.send_id
                WHERE s.status = 'SENT' AND s.sent_at < %3$s AND s.flow_id IS NOT NULL AND s.customer_id IS NOT NULL
                  AND NOT e.machine AND e.kind IN ('open', 'click') AND e.occurred_at < %3$s
                """.formatted(lakehouse.emailSends(), lakehouse.emailEvents(), end)).persist();
        try {
            long started = System.nanoTime();
            touches.createOrReplaceTempView("email_touches");
            // Every counted order of a touched customer, whatever its distance from the touches: bounding it by the
            // windows (a range semi-join) collected 121,190 orders instead of 432,138 on the medium fraction but cost
            // more than it saved (bench/results-medium.md, session 12).
            List<Row> orders = spark.sql("""
                    SELECT o.shop_id, o.customer_id, o.order_id, o.ordered_at, o.net
                    FROM (%1$s) o LEFT SEMI JOIN email_touches t
                      ON o.shop_id = t.shop_id AND o.customer_id = t.customer_id
                    """.formatted(QualifyingOrders.select(lakehouse, asOfDate))).collectAsList();
            long ordersCollected = System.nanoTime();
            List<Row> touchRows = touches.collectAsList();
            long touchesCollected = System.nanoTime();
            Map<String, List<Touch>> touchesByShop = new TreeMap<>();
            for (Row row : touchRows) {
                Touch.Kind kind = "click".equals(row.getString(3)) ? Touch.Kind.CLICK : Touch.Kind.OPEN;
                touchesByShop.computeIfAbsent(row.getString(0), s -> new ArrayList<>())
                        .add(new Touch(row.getLong(1), row.getLong(2), kind, row.getTimestamp(4).toInstant()));
            }
            Map<String, List<AttributableOrder>> ordersByShop = new TreeMap<>();
            for (Row row : orders) {
                ordersByShop.computeIfAbsent(row.getString(0), s -> new ArrayList<>())
                        .add(new AttributableOrder(row.getLong(2), row.getLong(1), row.getTimestamp(3).toInstant(),
                                row.getDecimal(4), BigDecimal.ZERO)); // net already has the refunds deducted
            }
            List<Row> credited = new ArrayList<>();
            touchesByShop.forEach((shop, shopTouches) -> {
                LastTouchAttribution rule = new LastTouchAttribution(windows.of(shop));
                for (Attribution a : rule.attribute(shopTouches, ordersByShop.getOrDefault(shop, List.of()))) {
                    credited.add(RowFactory.create(shop, a.sendId(), a.orderId(), a.revenue().setScale(2)));
                }
            });
            LOG.info("Attribution: {} orders of touched customers collected in {} ms, {} touches in {} ms,"
                            + " {} orders credited in {} ms", orders.size(), (ordersCollected - started) / 1_000_000,
                    touchRows.size(), (touchesCollected - ordersCollected) / 1_000_000, credited.size(),
                    (System.nanoTime() - touchesCollected) / 1_000_000);
            return spark.createDataFrame(credited, CREDITED);
        }
        finally {
            spark.catalog().dropTempView("email_touches");
            touches.unpersist();
        }
    }

    /** The rows of {@code gold.email_performance} up to {@code asOfDate}; needs the {@code email_credited} view. */
    static Dataset<Row> compute(SparkSession spark, Lakehouse lakehouse, LocalDate asOfDate) {
        String sql = """
                WITH sends AS (
                    SELECT shop_id, send_id, flow_id, flow_kind, coalesce(template_id, 0) AS template_id,
                           to_date(sent_at) AS send_date
                    FROM %1$s
                    WHERE status = 'SENT' AND sent_at IS NOT NULL AND sent_at < %3$s AND flow_id IS NOT NULL
                ),
                flags AS (
                    SELECT shop_id, send_id,
                           max(CASE WHEN kind = 'bounce' THEN 1 ELSE 0 END) AS bounced,
                           max(CASE WHEN kind IN ('open', 'click') AND NOT machine THEN 1 ELSE 0 END) AS opened,
                           max(CASE WHEN kind = 'open' AND machine THEN 1 ELSE 0 END) AS machine_opened,
                           max(CASE WHEN kind = 'click' AND NOT machine THEN 1 ELSE 0 END) AS clicked,
                           max(CASE WHEN kind = 'unsubscribe' THEN 1 ELSE 0 END) AS unsubscribed
                    FROM %2$s
                    WHERE occurred_at < %3$s
                    GROUP BY shop_id, send_id
                ),
                credited AS (
                    SELECT shop_id, send_id, count(*) AS orders, sum(revenue) AS revenue
                    FROM email_credited
                    GROUP BY shop_id, send_id
                ),
                daily AS (
                    SELECT s.shop_id, s.send_date, s.flow_id, max(s.flow_kind) AS flow_kind, s.template_id,
                           count(*) AS sent,
                           sum(coalesce(f.bounced, 0)) AS bounced,
                           sum(coalesce(f.opened, 0)) AS unique_opens,
                           sum(coalesce(f.machine_opened, 0)) AS machine_opens,
                           sum(coalesce(f.clicked, 0)) AS unique_clicks,
                           sum(coalesce(f.unsubscribed, 0)) AS unsubscribes,
                           sum(coalesce(c.orders, 0)) AS orders,
                           sum(coalesce(c.revenue, 0)) AS revenue
                    FROM sends s
                    LEFT JOIN flags f ON f.shop_id = s.shop_id AND f.send_id = s.send_id
                    LEFT JOIN credited c ON c.shop_id = s.shop_id AND c.send_id = s.send_id
                    GROUP BY s.shop_id, s.send_date, s.flow_id, s.template_id
                )
                SELECT shop_id, send_date, flow_id, flow_kind, template_id,
                       CAST(sent AS BIGINT) AS sent,
                       CAST(sent - bounced AS BIGINT) AS delivered,
                       CAST(bounced AS BIGINT) AS bounced,
                       CAST(unique_opens AS BIGINT) AS unique_opens,
                       CAST(machine_opens AS BIGINT) AS machine_opens,
                       CAST(unique_clicks AS BIGINT) AS unique_clicks,
                       CAST(unsubscribes AS BIGINT) AS unsubscribes,
                       CAST(orders AS BIGINT) AS orders,
                       CAST(revenue AS DECIMAL(18,2)) AS revenue,
                       CAST(coalesce(round(CAST(unique_opens AS DECIMAL(20,0)) / nullif(sent - bounced, 0), 4), 0)
                           AS DECIMAL(9,4)) AS open_rate,
                       CAST(coalesce(round(CAST(unique_clicks AS DECIMAL(20,0)) / nullif(sent - bounced, 0), 4), 0)
                           AS DECIMAL(9,4)) AS click_rate
                FROM daily
                """.formatted(lakehouse.emailSends(), lakehouse.emailEvents(), endOf(asOfDate));
        return spark.sql(sql);
    }

    /** The first instant after the logical date, as a Spark SQL literal (from a LocalDate, never from input). */
    private static String endOf(LocalDate asOfDate) {
        return "TIMESTAMP '" + asOfDate.plusDays(1) + " 00:00:00'";
    }
}
