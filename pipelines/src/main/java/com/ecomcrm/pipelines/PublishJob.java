package com.ecomcrm.pipelines;

import com.ecomcrm.clickhouse.AdminClickHouse;
import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ShopScope;
import com.ecomcrm.clickhouse.SqlLiterals;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * The gold tables of one date to ClickHouse's serving tables, one shop at a time, atomically per shop:
 * {@code gold.customer_rfm} of the date (to {@code customer_rfm}, {@code segment_summary}, {@code segment_overview}
 * (the segment cards, with their customers' predicted value from {@code gold.customer_predictions}) and the date's
 * slice of {@code customer_segment_history}), {@code gold.segment_transitions} into the date ({@code segment_transitions}) and
 * {@code gold.shop_daily_kpis} up to the date ({@code shop_daily_kpis}), {@code gold.customer_predictions} and
 * {@code gold.shop_model_fits} of the date ({@code customer_predictions}, {@code shop_model_fits}),
 * {@code gold.email_performance} up to the date and {@code gold.shop_insights} of the date ({@code email_performance},
 * {@code shop_insights}; empty when those stages have not run), and every customer's orders up to the date straight
 * from {@code silver.orders} ({@code customer_orders}, the Customer screen's timeline; {@link CustomerOrderRows}). All
 * rows go in
 * under a new {@code publish_id}, then the {@code shop_publications} row is written last. Readers take
 * the shop's max publish_id from {@code shop_publications}, so until that last insert they keep reading the previous
 * publication, and a publish that dies half-way is never seen. Older publications are deleted once every shop is
 * published, one mutation per table for the run ({@link #dropSupersededPublications}).
 *
 * <p>Every shop's rows come to the driver in one pass sorted by shop ({@link ShopSortedRows}: one partition and one
 * shop at a time in memory) and are inserted through the gateway (which stamps and checks {@code shop_id}). Fine for
 * today's shops (thousands to a few hundred thousand customers); a very large shop would want its own rows streamed
 * too.
 */
public final class PublishJob {
    private static final Logger LOG = LoggerFactory.getLogger(PublishJob.class);
    private static final int BATCH_ROWS = 50_000;
    /** Tables holding one publication per shop: everything older than the new one is deleted after the switch. */
    private static final List<String> SERVING_TABLES = List.of("customer_rfm", "segment_summary", "segment_overview",
            "segment_transitions", "shop_daily_kpis", "customer_predictions", "shop_model_fits", "email_performance",
            "shop_insights", "customer_orders", "shop_publications");
    /** Shops per clean-up mutation: bounds the statement's size (about 80 bytes per shop) at 1,000 shops and more. */
    private static final int SHOPS_PER_MUTATION = 500;
    /**
     * The history slices survive later publications (one per date); only an older slice of the same date goes.
     * Copied server-side from the rows just written to customer_rfm, so the customers cross the network once.
     */
    private static final SqlTemplate COPY_HISTORY = SqlTemplate.of("INSERT INTO customer_segment_history"
            + " (shop_id, as_of_date, publish_id, customer_id, segment, monetary_cents)"
            + " SELECT shop_id, as_of_date, publish_id, customer_id, segment, monetary_cents FROM customer_rfm"
            + " WHERE shop_id = {shop} AND publish_id = {p}");
    private static final SqlTemplate HISTORY_STATE = SqlTemplate.of("SELECT toString(max(publish_id)) AS max_p,"
            + " toString(countIf(as_of_date = {d})) AS same_date FROM segment_history_dates WHERE shop_id = {shop}");

    /**
     * One shop's gold rows of the date: customer_rfm, segment_transitions (to the date), shop_daily_kpis (up to it),
     * customer_predictions and shop_model_fits (of the date; empty when the predictions stage has not run for it).
     */
    record ShopRows(List<Row> customers, List<Row> transitions, List<Row> kpis, List<Row> predictions,
                    List<Row> fits, List<Row> emailPerformance, List<Row> insights, List<Row> orders) {
        ShopRows {
            customers = List.copyOf(customers);
            transitions = List.copyOf(transitions);
            kpis = List.copyOf(kpis);
            predictions = List.copyOf(predictions);
            fits = List.copyOf(fits);
            emailPerformance = List.copyOf(emailPerformance);
            insights = List.copyOf(insights);
            orders = List.copyOf(orders);
        }

        ShopRows(List<Row> customers, List<Row> transitions, List<Row> kpis, List<Row> predictions,
                 List<Row> fits, List<Row> emailPerformance, List<Row> insights) {
            this(customers, transitions, kpis, predictions, fits, emailPerformance, insights, List.of());
        }

        ShopRows(List<Row> customers, List<Row> transitions, List<Row> kpis, List<Row> predictions,
                 List<Row> fits) {
            this(customers, transitions, kpis, predictions, fits, List.of(), List.of());
        }

        ShopRows(List<Row> customers, List<Row> transitions, List<Row> kpis) {
            this(customers, transitions, kpis, List.of(), List.of());
        }

        static ShopRows customersOnly(List<Row> customers) {
            return new ShopRows(customers, List.of(), List.of());
        }
    }

    private PublishJob() {
    }

    /** What was published: per shop, its new publish_id and how many customers it holds. */
    public record Result(LocalDate asOfDate, Map<String, Long> publishIds, Map<String, Long> customers,
                         long transitionRows, long kpiRows, long predictionRows, long fitRows,
                         long emailPerformanceRows, long insightRows, long orderRows) {
        public Result {
            publishIds = Collections.unmodifiableMap(new TreeMap<>(publishIds));
            customers = Collections.unmodifiableMap(new TreeMap<>(customers));
        }

        public long customerRows() {
            return customers.values().stream().mapToLong(Long::longValue).sum();
        }

        public String summary() {
            return "as of " + asOfDate + ": " + publishIds.size() + " shops, " + customerRows() + " customer rows, "
                    + transitionRows + " transition rows, " + kpiRows + " KPI days, " + predictionRows
                    + " prediction rows, " + fitRows + " model fits, " + emailPerformanceRows
                    + " email performance rows, " + insightRows + " insights, " + orderRows + " orders";
        }

        public Map<String, Object> metrics() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("shops", publishIds.size());
            m.put("customers", customerRows());
            m.put("transitions", transitionRows);
            m.put("kpi_days", kpiRows);
            m.put("predictions", predictionRows);
            m.put("model_fits", fitRows);
            m.put("email_performance", emailPerformanceRows);
            m.put("insights", insightRows);
            m.put("orders", orderRows);
            // customer_rfm + its history copy, and the rest
            m.put("rows_published", 2 * customerRows() + transitionRows + kpiRows + predictionRows + fitRows
                    + emailPerformanceRows + insightRows + orderRows);
            return m;
        }
    }

    public static Result run(SparkSession spark, ClickHouseGateway gateway, LocalDate asOfDate) {
        return run(spark, Lakehouse.DEFAULT, gateway, asOfDate, Clock.systemUTC());
    }

    public static Result run(SparkSession spark, Lakehouse lakehouse, ClickHouseGateway gateway, LocalDate asOfDate,
                             Clock clock) {
        requireNonNull(asOfDate, "asOfDate is null");
        Dataset<Row> slice = spark.table(lakehouse.customerRfm())
                .where(col("as_of_date").equalTo(lit(java.sql.Date.valueOf(asOfDate))));
        List<String> shops = slice.select("shop_id").distinct().orderBy("shop_id").collectAsList().stream()
                .map(r -> r.getString(0)).toList();
        java.sql.Date day = java.sql.Date.valueOf(asOfDate);
        // Both small (a few dozen transitions and one row per day of history per shop): read once, split per shop.
        Map<String, List<Row>> transitions = byShop(spark.table(lakehouse.segmentTransitions())
                .where(col("to_date").equalTo(lit(day))).collectAsList());
        Map<String, List<Row>> kpis = byShop(spark.table(lakehouse.shopDailyKpis())
                .where(col("kpi_date").leq(lit(day))).orderBy("shop_id", "kpi_date").collectAsList());
        Map<String, List<Row>> fits = byShop(spark.table(lakehouse.shopModelFits())
                .where(col("as_of_date").equalTo(lit(day))).collectAsList());
        // Email performance up to the date (one row per flow, template and send day) and the night's insights.
        Map<String, List<Row>> emailPerformance = byShop(spark.table(lakehouse.emailPerformance())
                .where(col("send_date").leq(lit(day))).collectAsList());
        Map<String, List<Row>> insights = byShop(spark.table(lakehouse.shopInsights())
                .where(col("as_of_date").equalTo(lit(day))).collectAsList());
        // Each customer's predictions ride along with its RFM row (one scan per shop, not two): prediction_status
        // is null when the predictions stage has not run for the date.
        Dataset<Row> withPredictions = slice.join(spark.table(lakehouse.customerPredictions())
                        .where(col("as_of_date").equalTo(lit(day))).drop("as_of_date"),
                new String[] {"shop_id", "customer_id"}, "left_outer");
        // Every customer's orders (the timeline): read per shop below, since a shop can have many.
        Dataset<Row> orders = spark.sql(CustomerOrderRows.select(lakehouse, asOfDate));
        Map<String, Long> publishIds = new LinkedHashMap<>();
        Map<String, Long> customers = new LinkedHashMap<>();
        long transitionRows = 0;
        long kpiRows = 0;
        long predictionRows = 0;
        long fitRows = 0;
        long emailPerformanceRows = 0;
        long insightRows = 0;
        long orderRows = 0;
        // One sorted pass over all shops (two Spark jobs per shop took most of the publish at 1,000 shops).
        ShopSortedRows customerRowsByShop = new ShopSortedRows(withPredictions.orderBy("shop_id").toLocalIterator());
        ShopSortedRows orderRowsByShop = new ShopSortedRows(orders.orderBy("shop_id").toLocalIterator());
        for (String shop : shops) {
            List<Row> rows = customerRowsByShop.take(shop);
            List<Row> predicted = rows.stream().filter(r -> r.getAs("prediction_status") != null).toList();
            ShopRows shopRows = new ShopRows(rows, transitions.getOrDefault(shop, List.of()),
                    kpis.getOrDefault(shop, List.of()), predicted, fits.getOrDefault(shop, List.of()),
                    emailPerformance.getOrDefault(shop, List.of()), insights.getOrDefault(shop, List.of()),
                    orderRowsByShop.take(shop));
            long publishId = publishShop(gateway.forShop(ShopId.of(shop)), asOfDate, shopRows, clock);
            publishIds.put(shop, publishId);
            customers.put(shop, (long) rows.size());
            transitionRows += shopRows.transitions().size();
            kpiRows += shopRows.kpis().size();
            predictionRows += shopRows.predictions().size();
            fitRows += shopRows.fits().size();
            emailPerformanceRows += shopRows.emailPerformance().size();
            insightRows += shopRows.insights().size();
            orderRows += shopRows.orders().size();
        }
        dropSupersededPublications(gateway.admin(), publishIds);
        Result result = new Result(asOfDate, publishIds, customers, transitionRows, kpiRows, predictionRows,
                fitRows, emailPerformanceRows, insightRows, orderRows);
        LOG.info("Published {}", result.summary());
        return result;
    }

    static long publishShop(ShopScope scope, LocalDate asOfDate, ShopRows shopRows, Clock clock) {
        List<Row> gold = shopRows.customers();
        JsonNode history = scope.select(HISTORY_STATE.bind("d", asOfDate)).get(0);
        long lastHistoryId = Long.parseLong(history.get("max_p").asText());
        boolean replacesHistory = Long.parseLong(history.get("same_date").asText()) > 0;
        // Larger than any publication before (and any history slice, even one of a publish that died before its
        // switch), even if the clock went back; epoch millis keep ids readable as times.
        long publishId = Math.max(Math.max(scope.currentPublication(), lastHistoryId) + 1, clock.millis());

        List<Map<String, Object>> customerRows = new ArrayList<>(gold.size());
        // segment -> {customers, revenue cents, customers with a CLV prediction, sum of their CLV cents}
        Map<String, long[]> perSegment = new TreeMap<>();
        boolean withPredictions = !gold.isEmpty() && hasPredictionColumns(gold.get(0));
        for (Row row : gold) {
            Integer recency = row.getAs("recency_days");
            BigDecimal monetary = row.getAs("monetary");
            long cents = cents(monetary);
            String segment = row.getAs("segment");
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("publish_id", publishId);
            out.put("as_of_date", asOfDate);
            out.put("customer_id", row.<Long>getAs("customer_id"));
            out.put("recency_days", recency == null ? -1 : recency); // -1 marks a prospect (no order yet)
            out.put("frequency", orZero(row.getAs("frequency")));
            out.put("monetary_cents", cents);
            out.put("r_score", orZero(row.getAs("r_score")));
            out.put("f_score", orZero(row.getAs("f_score")));
            out.put("m_score", orZero(row.getAs("m_score")));
            out.put("segment", segment);
            customerRows.add(out);
            long[] totals = perSegment.computeIfAbsent(segment, s -> new long[4]);
            totals[0]++;
            totals[1] += cents;
            Long clv = withPredictions ? predictedClvCents(row) : null;
            if (clv != null) {
                totals[2]++;
                totals[3] += clv;
            }
        }
        for (int from = 0; from < customerRows.size(); from += BATCH_ROWS) {
            scope.insertRows("customer_rfm", customerRows.subList(from, Math.min(customerRows.size(), from + BATCH_ROWS)));
        }

        // Only non-empty segments: the API lists every segment and fills the missing ones with zeros.
        List<Map<String, Object>> summaryRows = new ArrayList<>();
        perSegment.forEach((segment, totals) -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("publish_id", publishId);
            out.put("as_of_date", asOfDate);
            out.put("segment", segment);
            out.put("customers", totals[0]);
            out.put("revenue_cents", totals[1]);
            summaryRows.add(out);
        });
        scope.insertRows("segment_summary", summaryRows);
        // The Segments screen's cards, predicted value included: read as they are by GET /api/segments.
        List<Map<String, Object>> overviewRows = new ArrayList<>();
        perSegment.forEach((segment, totals) -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("publish_id", publishId);
            out.put("as_of_date", asOfDate);
            out.put("segment", segment);
            out.put("customers", totals[0]);
            out.put("revenue_cents", totals[1]);
            out.put("predicted_customers", totals[2]);
            out.put("clv_12m_sum_cents", totals[3]);
            overviewRows.add(out);
        });
        scope.insertRows("segment_overview", overviewRows);

        List<Map<String, Object>> transitionRows = new ArrayList<>();
        for (Row row : shopRows.transitions()) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("publish_id", publishId);
            out.put("from_date", row.<java.sql.Date>getAs("from_date").toLocalDate());
            out.put("to_date", row.<java.sql.Date>getAs("to_date").toLocalDate());
            out.put("from_segment", row.<String>getAs("from_segment"));
            out.put("to_segment", row.<String>getAs("to_segment"));
            out.put("customers", row.<Long>getAs("customers"));
            out.put("revenue_cents", cents(row.getAs("revenue")));
            transitionRows.add(out);
        }
        scope.insertRows("segment_transitions", transitionRows);

        List<Map<String, Object>> kpiRows = new ArrayList<>(shopRows.kpis().size());
        for (Row row : shopRows.kpis()) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("publish_id", publishId);
            out.put("kpi_date", row.<java.sql.Date>getAs("kpi_date").toLocalDate());
            out.put("orders", row.<Long>getAs("orders"));
            out.put("revenue_cents", cents(row.getAs("revenue")));
            out.put("aov_cents", cents(row.getAs("aov")));
            out.put("new_customer_orders", row.<Long>getAs("new_customer_orders"));
            out.put("returning_customer_orders", row.<Long>getAs("returning_customer_orders"));
            out.put("buyers", row.<Long>getAs("buyers"));
            out.put("customers", row.<Long>getAs("customers"));
            out.put("repeat_customers", row.<Long>getAs("repeat_customers"));
            BigDecimal rate = row.getAs("repeat_rate");
            out.put("repeat_rate", rate == null ? 0.0 : rate.doubleValue());
            kpiRows.add(out);
        }
        for (int from = 0; from < kpiRows.size(); from += BATCH_ROWS) {
            scope.insertRows("shop_daily_kpis", kpiRows.subList(from, Math.min(kpiRows.size(), from + BATCH_ROWS)));
        }

        List<Map<String, Object>> predictionRows = new ArrayList<>(shopRows.predictions().size());
        for (Row row : shopRows.predictions()) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("publish_id", publishId);
            out.put("as_of_date", asOfDate);
            out.put("customer_id", row.<Long>getAs("customer_id"));
            out.put("prediction_status", row.<String>getAs("prediction_status"));
            out.put("expected_orders_30d", row.<Double>getAs("expected_orders_30d"));
            out.put("expected_orders_90d", row.<Double>getAs("expected_orders_90d"));
            out.put("expected_orders_365d", row.<Double>getAs("expected_orders_365d"));
            out.put("probability_alive", row.<Double>getAs("probability_alive"));
            out.put("expected_order_value_cents", nullableCents(row.getAs("expected_order_value")));
            out.put("clv_12m_cents", nullableCents(row.getAs("clv_12m")));
            out.put("clv_low_cents", nullableCents(row.getAs("clv_12m_low")));
            out.put("clv_high_cents", nullableCents(row.getAs("clv_12m_high")));
            out.put("churn_risk", row.<String>getAs("churn_risk"));
            java.sql.Date next = row.getAs("next_order_date");
            out.put("next_order_date", next == null ? null : next.toLocalDate());
            predictionRows.add(out);
        }
        for (int from = 0; from < predictionRows.size(); from += BATCH_ROWS) {
            scope.insertRows("customer_predictions",
                    predictionRows.subList(from, Math.min(predictionRows.size(), from + BATCH_ROWS)));
        }

        List<Map<String, Object>> fitRows = new ArrayList<>();
        for (Row row : shopRows.fits()) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("publish_id", publishId);
            out.put("as_of_date", asOfDate);
            out.put("status", row.<String>getAs("status"));
            out.put("buyers", row.<Long>getAs("buyers"));
            out.put("repeat_buyers", row.<Long>getAs("repeat_buyers"));
            out.put("history_days", row.<Integer>getAs("history_days"));
            for (String column : List.of("r", "alpha", "a", "b", "bgnbd_log_likelihood", "p", "q", "v",
                    "gg_log_likelihood", "se_log_r", "se_log_alpha", "se_log_a", "se_log_b", "se_log_p", "se_log_q",
                    "se_log_v")) {
                out.put(column, row.<Double>getAs(column));
            }
            out.put("converged", Boolean.TRUE.equals(row.<Boolean>getAs("converged")) ? 1 : 0);
            fitRows.add(out);
        }
        scope.insertRows("shop_model_fits", fitRows);

        List<Map<String, Object>> performanceRows = InsightServingRows.emailPerformance(publishId,
                shopRows.emailPerformance());
        for (int from = 0; from < performanceRows.size(); from += BATCH_ROWS) {
            scope.insertRows("email_performance",
                    performanceRows.subList(from, Math.min(performanceRows.size(), from + BATCH_ROWS)));
        }
        scope.insertRows("shop_insights", InsightServingRows.insights(publishId, asOfDate, shopRows.insights()));
        List<Map<String, Object>> orderRows = CustomerOrderRows.servingRows(publishId, shopRows.orders());
        for (int from = 0; from < orderRows.size(); from += BATCH_ROWS) {
            scope.insertRows("customer_orders", orderRows.subList(from, Math.min(orderRows.size(), from + BATCH_ROWS)));
        }

        // This date's history slice, then its listing (written only once the slice is complete).
        scope.execute(COPY_HISTORY.bind("p", publishId));
        Map<String, Object> slice = new LinkedHashMap<>();
        slice.put("as_of_date", asOfDate);
        slice.put("publish_id", publishId);
        slice.put("customers", (long) gold.size());
        scope.insertRows("segment_history_dates", List.of(slice));

        // The switch: from this insert on, readers see the new publication.
        Map<String, Object> publication = new LinkedHashMap<>();
        publication.put("publish_id", publishId);
        publication.put("as_of_date", asOfDate);
        publication.put("published_at", clock.instant());
        publication.put("customers", (long) gold.size());
        scope.insertRows("shop_publications", List.of(publication));

        // The older publications are dropped once for all shops at the end of the run (dropSupersededPublications).
        if (replacesHistory) { // this date was published before: its older slice is no longer read
            for (String table : List.of("customer_segment_history", "segment_history_dates")) {
                try {
                    scope.execute(SqlTemplate.of("ALTER TABLE " + table
                                    + " DELETE WHERE shop_id = {shop} AND as_of_date = {d} AND publish_id < {keep}")
                            .bind("d", asOfDate).bind("keep", publishId));
                }
                catch (RuntimeException e) {
                    LOG.warn("Cannot delete older history of {} {} from {}: {}", scope.shop(), asOfDate, table,
                            e.getMessage());
                }
            }
        }
        LOG.info("Published {} customers of {} as publication {}", gold.size(), scope.shop(), publishId);
        return publishId;
    }

    /**
     * Readers have moved on to each shop's new publication; this drops what they no longer read, with one mutation per
     * serving table for the whole run. One per shop and table made about 12,000 mutations a night at 1,000 shops, which
     * ClickHouse applies one after another, each rewriting the parts it touches (most of publish's time at medium
     * scale). Each shop's condition names the shop (an escaped literal) and its own new publication, so no row of a
     * shop this run did not publish, and no row a reader reads, is touched: the one statement in the pipeline that
     * spans shops does so by listing them. A failure leaves only garbage, never a wrong answer (readers filter by the
     * latest publication), and the next run's clean-up removes it.
     */
    static void dropSupersededPublications(AdminClickHouse admin, Map<String, Long> publishIds) {
        List<Map.Entry<String, Long>> published = List.copyOf(publishIds.entrySet());
        for (int from = 0; from < published.size(); from += SHOPS_PER_MUTATION) {
            String superseded = published.subList(from, Math.min(published.size(), from + SHOPS_PER_MUTATION))
                    .stream()
                    .map(shop -> "(shop_id = " + SqlLiterals.string(ShopId.of(shop.getKey()).domain())
                            + " AND publish_id < " + SqlLiterals.number(shop.getValue()) + ")")
                    .collect(Collectors.joining(" OR "));
            for (String table : SERVING_TABLES) {
                try {
                    admin.execute("ALTER TABLE " + table + " DELETE WHERE " + superseded);
                }
                catch (RuntimeException e) {
                    LOG.warn("Cannot delete superseded publications from {}: {}", table, e.getMessage());
                }
            }
        }
    }

    /**
     * The customer's predicted 12-month CLV in cents when it counts towards its segment's average (status PREDICTED
     * and a value), else null: the same customers the API averaged before (customer_predictions rows with
     * {@code prediction_status = 'PREDICTED'} and a non-NULL {@code clv_12m_cents}).
     */
    private static Long predictedClvCents(Row row) {
        return "PREDICTED".equals(row.getAs("prediction_status")) ? nullableCents(row.getAs("clv_12m")) : null;
    }

    /** Whether the customers came with their predictions joined (not so for rows of the RFM alone). */
    private static boolean hasPredictionColumns(Row row) {
        List<String> columns = row.schema() == null ? List.of() : Arrays.asList(row.schema().fieldNames());
        return columns.contains("prediction_status") && columns.contains("clv_12m");
    }

    /** decimal(18,2) to integer cents, exactly; null as 0. */
    private static long cents(BigDecimal amount) {
        return amount == null ? 0 : amount.movePointRight(2).longValueExact();
    }

    /** decimal(18,2) to integer cents, exactly; null stays null. */
    private static Long nullableCents(BigDecimal amount) {
        return amount == null ? null : amount.movePointRight(2).longValueExact();
    }

    private static Map<String, List<Row>> byShop(List<Row> rows) {
        Map<String, List<Row>> byShop = new LinkedHashMap<>();
        for (Row row : rows) {
            byShop.computeIfAbsent(row.<String>getAs("shop_id"), s -> new ArrayList<>()).add(row);
        }
        return byShop;
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }
}
