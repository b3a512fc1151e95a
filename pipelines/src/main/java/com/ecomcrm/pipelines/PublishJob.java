package com.ecomcrm.pipelines;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ShopScope;
import com.ecomcrm.clickhouse.SqlTemplate;
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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * {@code gold.customer_rfm} of one date to ClickHouse's serving tables, one shop at a time, atomically per shop: all
 * rows go in under a new {@code publish_id}, then the {@code shop_publications} row is written last. Readers take
 * the shop's max publish_id from {@code shop_publications}, so until that last insert they keep reading the previous
 * publication, and a publish that dies half-way is never seen. Older publications are deleted afterwards.
 *
 * <p>Each shop's rows are collected to the driver and inserted through the gateway (which stamps and checks
 * {@code shop_id}). Fine for today's shops (thousands to a few hundred thousand customers); a very large shop would
 * want the rows streamed per partition instead.
 */
public final class PublishJob {
    private static final Logger LOG = LoggerFactory.getLogger(PublishJob.class);
    private static final int BATCH_ROWS = 50_000;
    private static final List<String> SERVING_TABLES = List.of("customer_rfm", "segment_summary", "shop_publications");

    private PublishJob() {
    }

    /** What was published: per shop, its new publish_id and how many customers it holds. */
    public record Result(LocalDate asOfDate, Map<String, Long> publishIds, Map<String, Long> customers) {
        public Result {
            publishIds = Collections.unmodifiableMap(new TreeMap<>(publishIds));
            customers = Collections.unmodifiableMap(new TreeMap<>(customers));
        }

        public String summary() {
            return "as of " + asOfDate + ": " + publishIds.size() + " shops, "
                    + customers.values().stream().mapToLong(Long::longValue).sum() + " customer rows";
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
        Map<String, Long> publishIds = new LinkedHashMap<>();
        Map<String, Long> customers = new LinkedHashMap<>();
        for (String shop : shops) {
            List<Row> rows = slice.where(col("shop_id").equalTo(lit(shop))).collectAsList();
            long publishId = publishShop(gateway.forShop(ShopId.of(shop)), asOfDate, rows, clock);
            publishIds.put(shop, publishId);
            customers.put(shop, (long) rows.size());
        }
        Result result = new Result(asOfDate, publishIds, customers);
        LOG.info("Published {}", result.summary());
        return result;
    }

    static long publishShop(ShopScope scope, LocalDate asOfDate, List<Row> gold, Clock clock) {
        // Larger than any publication before, even if the clock went back; epoch millis keep ids readable as times.
        long publishId = Math.max(scope.currentPublication() + 1, clock.millis());

        List<Map<String, Object>> customerRows = new ArrayList<>(gold.size());
        Map<String, long[]> perSegment = new TreeMap<>(); // segment -> {customers, revenue cents}
        for (Row row : gold) {
            Integer recency = row.getAs("recency_days");
            BigDecimal monetary = row.getAs("monetary");
            long cents = monetary == null ? 0 : monetary.movePointRight(2).longValueExact(); // decimal(18,2): exact
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
            long[] totals = perSegment.computeIfAbsent(segment, s -> new long[2]);
            totals[0]++;
            totals[1] += cents;
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

        // The switch: from this insert on, readers see the new publication.
        Map<String, Object> publication = new LinkedHashMap<>();
        publication.put("publish_id", publishId);
        publication.put("as_of_date", asOfDate);
        publication.put("published_at", clock.instant());
        publication.put("customers", (long) gold.size());
        scope.insertRows("shop_publications", List.of(publication));

        // Readers have moved on; drop what they no longer read. A failure here leaves only garbage, never a wrong
        // answer, and the next publish removes it.
        for (String table : SERVING_TABLES) {
            try {
                scope.execute(SqlTemplate.of("ALTER TABLE " + table
                                + " DELETE WHERE shop_id = {shop} AND publish_id < {keep}")
                        .bind("keep", publishId));
            }
            catch (RuntimeException e) {
                LOG.warn("Cannot delete old publications of {} from {}: {}", scope.shop(), table, e.getMessage());
            }
        }
        LOG.info("Published {} customers of {} as publication {}", gold.size(), scope.shop(), publishId);
        return publishId;
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }
}
