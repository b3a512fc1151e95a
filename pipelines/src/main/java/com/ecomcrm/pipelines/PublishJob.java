package com.ecomcrm.pipelines;

import com.ecomcrm.clickhouse.AdminClickHouse;
import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.SqlLiterals;
import com.ecomcrm.domain.ShopId;
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

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * The gold tables of one date to ClickHouse's serving tables, atomically per shop:
 * {@code gold.customer_rfm} of the date (to {@code customer_rfm}, {@code segment_summary}, {@code segment_overview}
 * (the segment cards, with their customers' predicted value from {@code gold.customer_predictions}) and the date's
 * slice of {@code customer_segment_history}), {@code gold.segment_transitions} into the date ({@code segment_transitions}) and
 * {@code gold.shop_daily_kpis} up to the date ({@code shop_daily_kpis}), {@code gold.customer_predictions} and
 * {@code gold.shop_model_fits} of the date ({@code customer_predictions}, {@code shop_model_fits}),
 * {@code gold.email_performance} up to the date and {@code gold.shop_insights} of the date ({@code email_performance},
 * {@code shop_insights}; empty when those stages have not run), and every customer's orders up to the date straight
 * from {@code silver.orders} ({@code customer_orders}, the Customer screen's timeline; {@link CustomerOrderRows}).
 *
 * <p><b>Atomic per shop.</b> Every shop's rows go in under a new {@code publish_id} of its own (larger than any it had),
 * then its {@code shop_publications} row is written last. Readers take the shop's max publish_id from
 * {@code shop_publications}, so until that row exists they keep reading the previous publication, and a publish that
 * dies half-way is never seen. Before any publication row is written, the rows ClickHouse holds under each shop's new
 * id are counted, table by table, and must equal the rows sent: an insert cut short never becomes visible. Older
 * publications are deleted once every shop is published, one mutation per table for the run
 * ({@link #dropSupersededPublications}).
 *
 * <p><b>One insert per table per run.</b> Every shop's rows come to the driver in one pass grouped by shop
 * ({@link ShopSortedRows}: hash-partitioned by shop, one partition and one shop at a time in memory) and are streamed into one INSERT per serving
 * table for all shops ({@link ServingInserts}; the gateway stamps and checks each row's {@code shop_id}), instead of
 * about a dozen inserts and queries per shop, which at 1,000 shops was nearly all of the publish's time and left
 * ClickHouse a dozen new parts per shop to merge. The publication rows of all shops go in one insert at the end, so a
 * failure anywhere leaves every shop on its previous publication. The driver holds one shop's rows at a time (a very
 * large shop would want its own rows streamed too) and the small per-shop tables.
 */
public final class PublishJob {
    private static final Logger LOG = LoggerFactory.getLogger(PublishJob.class);
    /** Tables holding one publication per shop: everything older than the new one is deleted after the switch. */
    private static final List<String> SERVING_TABLES = ServingTables.CURRENT_ONLY;
    /** Tables whose rows under the new publications are counted before the switch (history: see below). */
    private static final List<String> CHECKED_TABLES = List.of("customer_rfm", "segment_summary", "segment_overview",
            "segment_transitions", "shop_daily_kpis", "customer_predictions", "shop_model_fits", "email_performance",
            "shop_insights", "customer_orders", "segment_history_dates");
    /** The history slices keep one publication per date: tables cleaned only where the date was published before. */
    private static final List<String> HISTORY_TABLES = ServingTables.HISTORY;

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
        Timings timings = new Timings();
        Dataset<Row> slice = spark.table(lakehouse.customerRfm())
                .where(col("as_of_date").equalTo(lit(java.sql.Date.valueOf(asOfDate))));
        List<String> shops = slice.select("shop_id").distinct().orderBy("shop_id").collectAsList().stream()
                .map(r -> r.getString(0)).toList();
        java.sql.Date day = java.sql.Date.valueOf(asOfDate);
        // Small (a few dozen transitions, one row per day of history, a fit, some flows per shop): read once.
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
        // Each customer's predictions ride along with its RFM row (one scan, not two): prediction_status is null when
        // the predictions stage has not run for the date.
        Dataset<Row> withPredictions = slice.join(spark.table(lakehouse.customerPredictions())
                        .where(col("as_of_date").equalTo(lit(day))).drop("as_of_date"),
                new String[] {"shop_id", "customer_id"}, "left_outer");
        // Every customer's orders (the timeline).
        Dataset<Row> orders = spark.sql(CustomerOrderRows.select(lakehouse, asOfDate));

        timings.lap("small tables read");
        AdminClickHouse admin = gateway.admin();
        Map<String, PublishedShops.State> states = PublishedShops.read(admin, shops, asOfDate);
        // Larger than any publication before (and any history slice, even one of a publish that died before its
        // switch), even if the clock went back; epoch millis keep ids readable as times.
        long now = clock.millis();
        Map<String, Long> publishIds = new LinkedHashMap<>();
        Map<String, Long> replacingHistory = new TreeMap<>();
        for (String shop : shops) {
            PublishedShops.State state = states.get(shop);
            long publishId = Math.max(Math.max(state.currentPublication(), state.lastHistorySlice()) + 1, now);
            publishIds.put(shop, publishId);
            if (state.dateHasSlice()) {
                replacingHistory.put(shop, publishId);
            }
        }

        Map<String, Long> customers = new LinkedHashMap<>();
        Counts counts = new Counts();
        try (ServingInserts inserts = new ServingInserts(gateway)) {
            // The customers (with their predictions) and their orders in one pass grouped by shop: both hash-
            // partitioned the same way, so the shops come in the same order in both (about 25 shops a partition).
            int partitions = Math.max(spark.sparkContext().defaultParallelism(), (shops.size() + 24) / 25);
            List<String> order = ShopSortedRows.shopOrder(spark, shops, partitions);
            timings.lap("publications read and shops ordered");
            Map<String, Map<String, long[]>> segments = new LinkedHashMap<>();
            // Each read ahead by a thread of its own, so that Spark computes the next partitions while this thread
            // writes to ClickHouse (they took turns before: ~40% of the stage's wall time on the medium fraction).
            try (ReadAhead<Row> customerRows = readAhead(ShopSortedRows.byShop(withPredictions, partitions),
                    "publish-customers");
                 ReadAhead<Row> orderRows = readAhead(ShopSortedRows.byShop(orders, partitions), "publish-orders")) {
                ShopSortedRows customerRowsByShop = new ShopSortedRows(customerRows, order);
                ShopSortedRows orderRowsByShop = new ShopSortedRows(orderRows, order);
                for (String shop : order) {
                    ShopId id = ShopId.of(shop);
                    long publishId = publishIds.get(shop);
                    long started = System.nanoTime();
                    List<Row> rows = customerRowsByShop.take(shop);
                    long taken = System.nanoTime();
                    segments.put(shop, writeCustomers(inserts, id, publishId, asOfDate, rows, counts));
                    customers.put(shop, (long) rows.size());
                    long written = System.nanoTime();
                    List<Row> shopOrders = orderRowsByShop.take(shop);
                    long ordersTaken = System.nanoTime();
                    inserts.writeAll("customer_orders", id, CustomerOrderRows.servingRows(publishId, shopOrders));
                    counts.orders += shopOrders.size();
                    timings.customersAwaited += taken - started;
                    timings.customersWritten += written - taken;
                    timings.ordersAwaited += ordersTaken - written;
                    timings.ordersWritten += System.nanoTime() - ordersTaken;
                }
            }
            timings.lap("customers and orders streamed");
            for (String table : List.of("customer_rfm", "customer_predictions", "customer_orders")) {
                inserts.finish(table);
            }
            timings.lap("their inserts finished");
            writeSegments(inserts, publishIds, asOfDate, segments);
            for (String shop : shops) {
                ShopId id = ShopId.of(shop);
                long publishId = publishIds.get(shop);
                List<Row> shopTransitions = transitions.getOrDefault(shop, List.of());
                inserts.writeAll("segment_transitions", id, transitionRows(publishId, shopTransitions));
                counts.transitions += shopTransitions.size();
            }
            inserts.finish("segment_transitions");
            for (String shop : shops) {
                List<Row> shopKpis = kpis.getOrDefault(shop, List.of());
                inserts.writeAll("shop_daily_kpis", ShopId.of(shop), kpiRows(publishIds.get(shop), shopKpis));
                counts.kpis += shopKpis.size();
            }
            inserts.finish("shop_daily_kpis");
            for (String shop : shops) {
                List<Row> shopFits = fits.getOrDefault(shop, List.of());
                inserts.writeAll("shop_model_fits", ShopId.of(shop), fitRows(publishIds.get(shop), asOfDate,
                        shopFits));
                counts.fits += shopFits.size();
            }
            inserts.finish("shop_model_fits");
            for (String shop : shops) {
                List<Row> performance = emailPerformance.getOrDefault(shop, List.of());
                inserts.writeAll("email_performance", ShopId.of(shop),
                        InsightServingRows.emailPerformance(publishIds.get(shop), performance));
                counts.emailPerformance += performance.size();
            }
            inserts.finish("email_performance");
            for (String shop : shops) {
                List<Row> shopInsights = insights.getOrDefault(shop, List.of());
                inserts.writeAll("shop_insights", ShopId.of(shop),
                        InsightServingRows.insights(publishIds.get(shop), asOfDate, shopInsights));
                counts.insights += shopInsights.size();
            }
            inserts.finish("shop_insights");
            timings.lap("segments, transitions, KPIs, fits, email performance and insights written");

            // This date's history slices, copied server-side from the rows just written to customer_rfm (the
            // customers cross the network once), then their listing, written only once the slices are complete.
            Map<String, Long> history = copyHistory(admin, publishIds, inserts.sent("customer_rfm"));
            for (String shop : shops) {
                Map<String, Object> listing = new LinkedHashMap<>();
                listing.put("as_of_date", asOfDate);
                listing.put("publish_id", publishIds.get(shop));
                listing.put("customers", customers.get(shop));
                inserts.write("segment_history_dates", ShopId.of(shop), listing);
            }
            inserts.finish("segment_history_dates");
            for (String table : CHECKED_TABLES) {
                requireAllStored(admin, table, publishIds, inserts.sent(table));
            }
            timings.lap("history copied and every table's rows checked");
            LOG.info("Publish: every row of {} shops is stored ({} history rows); switching", shops.size(),
                    history.values().stream().mapToLong(Long::longValue).sum());

            // The switch: from this insert on, readers see each shop's new publication.
            java.time.Instant publishedAt = clock.instant();
            for (String shop : shops) {
                Map<String, Object> publication = new LinkedHashMap<>();
                publication.put("publish_id", publishIds.get(shop));
                publication.put("as_of_date", asOfDate);
                publication.put("published_at", publishedAt);
                publication.put("customers", customers.get(shop));
                inserts.write("shop_publications", ShopId.of(shop), publication);
            }
            inserts.finish("shop_publications");
            timings.lap("switched");
        }
        dropSupersededPublications(admin, publishIds);
        dropReplacedHistory(admin, asOfDate, replacingHistory);
        timings.lap("superseded rows' deletions issued");
        LOG.info("Publish timings: {}", timings);
        Result result = new Result(asOfDate, publishIds, customers, counts.transitions, counts.kpis,
                counts.predictions, counts.fits, counts.emailPerformance, counts.insights, counts.orders);
        LOG.info("Published {}", result.summary());
        return result;
    }

    /**
     * {@code toLocalIterator()} read ahead by up to 64K rows (about two partitions of 25 shops at 1,000 customers
     * each): the driver holds the partition being written, the next one and the one Spark is sending.
     */
    private static ReadAhead<Row> readAhead(Dataset<Row> rows, String name) {
        return new ReadAhead<>(rows.toLocalIterator(), name, 64, 1024);
    }

    /**
     * Where the publish's time goes, logged at its end: its phases one after another, and within the streaming of
     * customers and orders the time spent waiting for Spark's rows against the time spent writing them to ClickHouse.
     */
    private static final class Timings {
        private final Map<String, Long> phases = new LinkedHashMap<>();
        private long lapStarted = System.nanoTime();
        long customersAwaited;
        long customersWritten;
        long ordersAwaited;
        long ordersWritten;

        void lap(String phase) {
            long now = System.nanoTime();
            phases.put(phase, now - lapStarted);
            lapStarted = now;
        }

        @Override
        public String toString() {
            StringBuilder out = new StringBuilder();
            phases.forEach((phase, nanos) -> out.append(out.isEmpty() ? "" : "; ").append(phase).append(' ')
                    .append(nanos / 1_000_000).append(" ms"));
            return out + " (of the streaming: customers awaited " + customersAwaited / 1_000_000 + " ms, written "
                    + customersWritten / 1_000_000 + " ms; orders awaited " + ordersAwaited / 1_000_000
                    + " ms, written " + ordersWritten / 1_000_000 + " ms)";
        }
    }

    /** Rows sent per table, for the result. */
    private static final class Counts {
        long transitions;
        long kpis;
        long predictions;
        long fits;
        long emailPerformance;
        long insights;
        long orders;
    }

    /**
     * One shop's customers into customer_rfm and, for those with a prediction, customer_predictions; returns per
     * segment {customers, revenue cents, customers with a CLV prediction, sum of their CLV cents}.
     */
    private static Map<String, long[]> writeCustomers(ServingInserts inserts, ShopId shop, long publishId,
                                                      LocalDate asOfDate, List<Row> gold, Counts counts) {
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
            inserts.write("customer_rfm", shop, out);
            long[] totals = perSegment.computeIfAbsent(segment, s -> new long[4]);
            totals[0]++;
            totals[1] += cents;
            Long clv = withPredictions ? predictedClvCents(row) : null;
            if (clv != null) {
                totals[2]++;
                totals[3] += clv;
            }
            if (withPredictions && row.getAs("prediction_status") != null) {
                inserts.write("customer_predictions", shop, predictionRow(publishId, asOfDate, row));
                counts.predictions++;
            }
        }
        return perSegment;
    }

    private static Map<String, Object> predictionRow(long publishId, LocalDate asOfDate, Row row) {
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
        return out;
    }

    /** segment_summary and segment_overview (the Segments screen's cards, read as they are by GET /api/segments). */
    private static void writeSegments(ServingInserts inserts, Map<String, Long> publishIds, LocalDate asOfDate,
                                      Map<String, Map<String, long[]>> segments) {
        // Only non-empty segments: the API lists every segment and fills the missing ones with zeros.
        segments.forEach((shop, perSegment) -> perSegment.forEach((segment, totals) -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("publish_id", publishIds.get(shop));
            out.put("as_of_date", asOfDate);
            out.put("segment", segment);
            out.put("customers", totals[0]);
            out.put("revenue_cents", totals[1]);
            inserts.write("segment_summary", ShopId.of(shop), out);
        }));
        inserts.finish("segment_summary");
        segments.forEach((shop, perSegment) -> perSegment.forEach((segment, totals) -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("publish_id", publishIds.get(shop));
            out.put("as_of_date", asOfDate);
            out.put("segment", segment);
            out.put("customers", totals[0]);
            out.put("revenue_cents", totals[1]);
            out.put("predicted_customers", totals[2]);
            out.put("clv_12m_sum_cents", totals[3]);
            inserts.write("segment_overview", ShopId.of(shop), out);
        }));
        inserts.finish("segment_overview");
    }

    private static List<Map<String, Object>> transitionRows(long publishId, List<Row> gold) {
        List<Map<String, Object>> rows = new ArrayList<>(gold.size());
        for (Row row : gold) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("publish_id", publishId);
            out.put("from_date", row.<java.sql.Date>getAs("from_date").toLocalDate());
            out.put("to_date", row.<java.sql.Date>getAs("to_date").toLocalDate());
            out.put("from_segment", row.<String>getAs("from_segment"));
            out.put("to_segment", row.<String>getAs("to_segment"));
            out.put("customers", row.<Long>getAs("customers"));
            out.put("revenue_cents", cents(row.getAs("revenue")));
            rows.add(out);
        }
        return rows;
    }

    private static List<Map<String, Object>> kpiRows(long publishId, List<Row> gold) {
        List<Map<String, Object>> rows = new ArrayList<>(gold.size());
        for (Row row : gold) {
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
            rows.add(out);
        }
        return rows;
    }

    private static List<Map<String, Object>> fitRows(long publishId, LocalDate asOfDate, List<Row> gold) {
        List<Map<String, Object>> rows = new ArrayList<>(gold.size());
        for (Row row : gold) {
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
            rows.add(out);
        }
        return rows;
    }

    /**
     * Copies each shop's rows under its new publication from customer_rfm to customer_segment_history (one statement
     * per {@value PublishedShops#SHOPS_PER_STATEMENT} shops) and checks that every customer sent arrived there.
     *
     * @return history rows per shop
     */
    private static Map<String, Long> copyHistory(AdminClickHouse admin, Map<String, Long> publishIds,
                                                 Map<String, Long> customersSent) {
        for (String condition : PublishedShops.conditions(publishIds, "=")) {
            admin.execute("INSERT INTO customer_segment_history"
                    + " (shop_id, as_of_date, publish_id, customer_id, segment, monetary_cents)"
                    + " SELECT shop_id, as_of_date, publish_id, customer_id, segment, monetary_cents FROM customer_rfm"
                    + " WHERE " + condition);
        }
        return requireAllStored(admin, "customer_segment_history", publishIds, customersSent);
    }

    /**
     * The rows {@code table} holds under each shop's new publication, which must be exactly the rows sent; otherwise
     * the publish stops before any shop is switched (a partial insert is never published).
     */
    private static Map<String, Long> requireAllStored(AdminClickHouse admin, String table,
                                                      Map<String, Long> publishIds, Map<String, Long> sent) {
        Map<String, Long> stored = PublishedShops.rowsUnder(admin, table, publishIds);
        for (String shop : publishIds.keySet()) {
            long expected = sent.getOrDefault(shop, 0L);
            long found = stored.getOrDefault(shop, 0L);
            if (expected != found) {
                throw new IllegalStateException("Cannot publish: " + table + " holds " + found + " rows of " + shop
                        + " under publication " + publishIds.get(shop) + " but " + expected
                        + " were sent; no shop was switched");
            }
        }
        return stored;
    }

    /**
     * Readers have moved on to each shop's new publication; this drops what they no longer read, with one mutation per
     * serving table for the whole run (per {@value PublishedShops#SHOPS_PER_STATEMENT} shops). One per shop and table
     * made about 12,000 mutations a night at 1,000 shops, which ClickHouse applies one after another, each rewriting
     * the parts it touches. Each shop's condition names the shop (an escaped literal) and its own new publication
     * ({@link PublishedShops#eachShops}), so no row of a shop this run did not publish, and no row a reader reads, is
     * touched: the one statement in the pipeline that spans shops does so by listing them. A failure leaves only
     * garbage, never a wrong answer (readers filter by the latest publication), and the next run's clean-up removes it.
     */
    static void dropSupersededPublications(AdminClickHouse admin, Map<String, Long> publishIds) {
        for (String superseded : PublishedShops.conditions(publishIds, "<")) {
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
     * The history keeps one slice per date: where this date was published before, the older slice of the date (and
     * its listing) is no longer read and goes, one mutation per table for the run.
     */
    static void dropReplacedHistory(AdminClickHouse admin, LocalDate asOfDate, Map<String, Long> publishIds) {
        for (String older : PublishedShops.conditions(publishIds, "<")) {
            for (String table : HISTORY_TABLES) {
                try {
                    admin.execute("ALTER TABLE " + table + " DELETE WHERE as_of_date = "
                            + SqlLiterals.date(asOfDate) + " AND " + older);
                }
                catch (RuntimeException e) {
                    LOG.warn("Cannot delete the older history of {} from {}: {}", asOfDate, table, e.getMessage());
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
