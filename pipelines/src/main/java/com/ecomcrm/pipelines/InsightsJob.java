package com.ecomcrm.pipelines;

import com.ecomcrm.pipelines.insights.ChatNarrator;
import com.ecomcrm.pipelines.insights.FlowReach;
import com.ecomcrm.pipelines.insights.Insight;
import com.ecomcrm.pipelines.insights.InsightNarrator;
import com.ecomcrm.pipelines.insights.InsightRules;
import com.ecomcrm.pipelines.insights.ShopFacts;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * The night's insights of every shop into {@code gold.shop_insights}: the aggregates of each shop (segment history,
 * predicted value per segment, valuable customers slipping, flow click rates, template results, flows switched off
 * and their reach) gathered with Spark and PostgreSQL, judged by {@link InsightRules}, optionally rephrased by the
 * configured {@link InsightNarrator} (templates unless {@code ECOMCRM_NARRATOR_URL} is set), and written as one
 * slice per date: a re-run replaces the date's findings and nothing else.
 *
 * <p>Shops are those with RFM on the date. Everything collected to the driver is an aggregate (a few rows per segment,
 * flow and template per shop), never a customer.
 */
public final class InsightsJob {
    private static final Logger LOG = LoggerFactory.getLogger(InsightsJob.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Snapshots looked at for a segment's normal variation. */
    static final int HISTORY_DAYS = 29;
    private static final StructType SCHEMA = new StructType()
            .add("shop_id", DataTypes.StringType, false)
            .add("as_of_date", DataTypes.DateType, false)
            .add("insight_key", DataTypes.StringType, false)
            .add("kind", DataTypes.StringType, false)
            .add("subject", DataTypes.StringType, false)
            .add("severity", DataTypes.StringType, false)
            .add("rank", DataTypes.IntegerType, false)
            .add("title", DataTypes.StringType, false)
            .add("body", DataTypes.StringType, false)
            .add("numbers", DataTypes.StringType, false)
            .add("action_label", DataTypes.StringType, false)
            .add("action_path", DataTypes.StringType, false);

    private InsightsJob() {
    }

    public record Result(LocalDate asOfDate, long shops, long shopsWithFindings, long insights) {
        public String summary() {
            return "as of " + asOfDate + ": " + insights + " insights for " + shopsWithFindings + " of " + shops
                    + " shops";
        }

        public Map<String, Object> metrics() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("shops", shops);
            m.put("shops_with_insights", shopsWithFindings);
            m.put("rows_out", insights);
            return m;
        }
    }

    public static Result run(SparkSession spark, Lakehouse lakehouse, PipelineSettings settings, LocalDate asOfDate) {
        return run(spark, lakehouse, settings, asOfDate, ChatNarrator.fromEnvironment(System.getenv()));
    }

    public static Result run(SparkSession spark, Lakehouse lakehouse, PipelineSettings settings, LocalDate asOfDate,
                             InsightNarrator narrator) {
        requireNonNull(asOfDate, "asOfDate is null");
        requireNonNull(narrator, "narrator is null");
        List<ShopFacts> facts = gather(spark, lakehouse, settings, asOfDate);
        InsightRules rules = new InsightRules();
        java.sql.Date day = java.sql.Date.valueOf(asOfDate);
        List<Row> rows = new ArrayList<>();
        long withFindings = 0;
        for (ShopFacts shop : facts) {
            List<InsightRules.Ranked> findings = rules.findings(shop);
            if (!findings.isEmpty()) {
                withFindings++;
            }
            for (InsightRules.Ranked ranked : findings) {
                Insight insight = narrator.narrate(ranked.insight());
                rows.add(RowFactory.create(shop.shop(), day, insight.id(), insight.kind().name(), insight.subject(),
                        insight.severity().name(), ranked.rank(), insight.title(), insight.body(),
                        json(insight.numbers()), insight.actionLabel(), insight.actionPath()));
            }
        }
        spark.createDataFrame(rows, SCHEMA).createOrReplaceTempView("insights_result");
        try {
            // Every shop's findings of the night are recomputed: the as_of_date slice is replaced whole by an
            // overwrite (GoldSlice); a shop without findings tonight loses the ones of an earlier run of the date.
            new GoldSlice(lakehouse.shopInsights(), "as_of_date", GoldSlice.Range.ON, asOfDate).replaceWith(spark,
                    "insights_result", "t.shop_id = s.shop_id AND t.as_of_date = s.as_of_date"
                            + " AND t.insight_key = s.insight_key");
        }
        finally {
            spark.catalog().dropTempView("insights_result");
        }
        Result result = new Result(asOfDate, facts.size(), withFindings, rows.size());
        LOG.info("Insights {}", result.summary());
        return result;
    }

    /** Every shop's facts for the night, in shop order. */
    static List<ShopFacts> gather(SparkSession spark, Lakehouse lakehouse, PipelineSettings settings,
                                  LocalDate asOfDate) {
        String asOf = "DATE '" + asOfDate + "'"; // from a LocalDate, never from input
        Map<String, TreeMap<LocalDate, Map<String, Long>>> history = new TreeMap<>();
        for (Row r : spark.sql("""
                SELECT shop_id, as_of_date, segment, count(*) AS customers FROM %1$s
                WHERE as_of_date <= %2$s AND as_of_date > date_sub(%2$s, %3$d)
                GROUP BY shop_id, as_of_date, segment
                """.formatted(lakehouse.customerRfm(), asOf, HISTORY_DAYS)).collectAsList()) {
            history.computeIfAbsent(r.getString(0), s -> new TreeMap<>())
                    .computeIfAbsent(r.getDate(1).toLocalDate(), d -> new HashMap<>())
                    .put(r.getString(2), r.getLong(3));
        }
        Map<String, Map<String, ShopFacts.SegmentValue>> value = new HashMap<>();
        for (Row r : spark.sql("""
                SELECT c.shop_id, c.segment, count(*), coalesce(sum(p.clv_12m), 0)
                FROM %1$s c LEFT JOIN %2$s p
                  ON p.shop_id = c.shop_id AND p.customer_id = c.customer_id AND p.as_of_date = c.as_of_date
                WHERE c.as_of_date = %3$s
                GROUP BY c.shop_id, c.segment
                """.formatted(lakehouse.customerRfm(), lakehouse.customerPredictions(), asOf)).collectAsList()) {
            value.computeIfAbsent(r.getString(0), s -> new HashMap<>()).put(r.getString(1),
                    new ShopFacts.SegmentValue(r.getLong(2), cents(r.getDecimal(3))));
        }
        Map<String, ShopFacts.Slipping> slipping = new HashMap<>();
        for (Row r : spark.sql("""
                WITH previous_date AS (
                    SELECT shop_id, max(as_of_date) AS d FROM %1$s
                    WHERE as_of_date < %2$s AND as_of_date >= date_sub(%2$s, 7) GROUP BY shop_id
                ),
                previous AS (
                    SELECT p.shop_id, p.customer_id, p.as_of_date, CAST(p.clv_12m AS DOUBLE) AS clv, p.clv_12m,
                           p.probability_alive
                    FROM %1$s p JOIN previous_date x ON p.shop_id = x.shop_id AND p.as_of_date = x.d
                    WHERE p.prediction_status = 'PREDICTED'
                ),
                top_decile AS (
                    SELECT shop_id, percentile_approx(clv, 0.9) AS threshold FROM previous GROUP BY shop_id
                )
                SELECT b.shop_id, min(b.as_of_date), count(*), sum(b.clv_12m),
                       avg(b.probability_alive - n.probability_alive)
                FROM previous b JOIN top_decile t ON t.shop_id = b.shop_id
                JOIN %1$s n ON n.shop_id = b.shop_id AND n.customer_id = b.customer_id AND n.as_of_date = %2$s
                WHERE b.clv > 0 AND b.clv >= t.threshold AND n.prediction_status = 'PREDICTED'
                  AND b.probability_alive - n.probability_alive >= 0.2
                GROUP BY b.shop_id
                """.formatted(lakehouse.customerPredictions(), asOf)).collectAsList()) {
            slipping.put(r.getString(0), new ShopFacts.Slipping(r.getDate(1).toLocalDate(), r.getLong(2),
                    cents(r.getDecimal(3)), r.getDouble(4)));
        }
        Map<String, List<ShopFacts.FlowClicks>> flows = new HashMap<>();
        for (Row r : spark.sql("""
                SELECT shop_id, flow_id, max(flow_kind),
                       sum(CASE WHEN send_date > date_sub(%2$s, 7) THEN delivered ELSE 0 END),
                       sum(CASE WHEN send_date > date_sub(%2$s, 7) THEN unique_clicks ELSE 0 END),
                       sum(CASE WHEN send_date <= date_sub(%2$s, 7) THEN delivered ELSE 0 END),
                       sum(CASE WHEN send_date <= date_sub(%2$s, 7) THEN unique_clicks ELSE 0 END)
                FROM %1$s WHERE send_date <= %2$s AND send_date > date_sub(%2$s, 35)
                GROUP BY shop_id, flow_id
                """.formatted(lakehouse.emailPerformance(), asOf)).collectAsList()) {
            flows.computeIfAbsent(r.getString(0), s -> new ArrayList<>()).add(new ShopFacts.FlowClicks(
                    r.getLong(1), r.getString(2), r.getLong(3), r.getLong(4), r.getLong(5), r.getLong(6)));
        }
        Map<String, Map<Long, String>> templateNames = new HashMap<>();
        Map<String, Map<Long, String>> flowsSwitchedOff = new HashMap<>(); // flow id -> kind, per shop
        readPostgres(settings, templateNames, flowsSwitchedOff);
        Map<String, List<ShopFacts.TemplateResults>> templates = new HashMap<>();
        for (Row r : spark.sql("""
                SELECT shop_id, template_id, sum(delivered), sum(unique_clicks), sum(orders), sum(revenue)
                FROM %1$s WHERE send_date <= %2$s AND send_date > date_sub(%2$s, 30) AND template_id > 0
                GROUP BY shop_id, template_id
                """.formatted(lakehouse.emailPerformance(), asOf)).collectAsList()) {
            String shop = r.getString(0);
            long id = r.getLong(1);
            String name = templateNames.getOrDefault(shop, Map.of()).getOrDefault(id, "Template " + id);
            templates.computeIfAbsent(shop, s -> new ArrayList<>()).add(new ShopFacts.TemplateResults(id, name,
                    r.getLong(2), r.getLong(3), r.getLong(4), cents(r.getDecimal(5))));
        }
        Map<String, Long> abandoned = counts(spark.sql("""
                SELECT shop_id, count(*) FROM %1$s
                WHERE completed_at IS NULL AND created_at < date_add(%2$s, 1) AND created_at >= date_sub(%2$s, 29)
                GROUP BY shop_id
                """.formatted(lakehouse.checkouts(), asOf)).collectAsList());
        Map<String, Long> recentOrders = counts(spark.sql("""
                SELECT shop_id, CAST(sum(orders) AS BIGINT) FROM %1$s
                WHERE kpi_date <= %2$s AND kpi_date > date_sub(%2$s, 30) GROUP BY shop_id
                """.formatted(lakehouse.shopDailyKpis(), asOf)).collectAsList());

        List<ShopFacts> all = new ArrayList<>();
        for (String shop : history.keySet()) {
            TreeMap<LocalDate, Map<String, Long>> shopHistory = history.get(shop);
            if (!shopHistory.containsKey(asOfDate)) {
                continue; // no RFM tonight: nothing current to say
            }
            Map<String, Long> tonight = shopHistory.get(asOfDate);
            List<ShopFacts.FlowAudience> off = new ArrayList<>();
            flowsSwitchedOff.getOrDefault(shop, Map.of()).forEach((id, kind) -> off.add(new ShopFacts.FlowAudience(
                    id, kind, FlowReach.of(kind, tonight, abandoned.getOrDefault(shop, 0L),
                            recentOrders.getOrDefault(shop, 0L)))));
            all.add(new ShopFacts(shop, asOfDate, shopHistory, value.getOrDefault(shop, Map.of()),
                    Optional.ofNullable(slipping.get(shop)), flows.getOrDefault(shop, List.of()),
                    templates.getOrDefault(shop, List.of()), off));
        }
        return all;
    }

    private static void readPostgres(PipelineSettings settings, Map<String, Map<Long, String>> templateNames,
                                     Map<String, Map<Long, String>> flowsOff) {
        try (Connection c = DriverManager.getConnection(settings.pgUrl(), settings.pgUser(), settings.pgPassword())) {
            try (PreparedStatement s = c.prepareStatement("SELECT shop_domain, id, name FROM templates");
                 ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    templateNames.computeIfAbsent(r.getString(1), x -> new HashMap<>()).put(r.getLong(2),
                            r.getString(3));
                }
            }
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT shop_domain, id, kind FROM flows WHERE NOT enabled ORDER BY shop_domain, id");
                 ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    flowsOff.computeIfAbsent(r.getString(1), x -> new TreeMap<>()).put(r.getLong(2), r.getString(3));
                }
            }
        }
        catch (SQLException e) {
            throw new IllegalStateException("Cannot read flows and templates from PostgreSQL: " + e.getMessage(), e);
        }
    }

    private static Map<String, Long> counts(List<Row> rows) {
        Map<String, Long> out = new HashMap<>();
        rows.forEach(r -> out.put(r.getString(0), r.isNullAt(1) ? 0L : r.getLong(1)));
        return out;
    }

    private static long cents(BigDecimal amount) {
        return amount == null ? 0 : amount.setScale(2, java.math.RoundingMode.HALF_UP).movePointRight(2)
                .longValueExact();
    }

    private static String json(Map<String, Object> numbers) {
        try {
            return JSON.writeValueAsString(numbers);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write insight numbers as JSON", e);
        }
    }
}
