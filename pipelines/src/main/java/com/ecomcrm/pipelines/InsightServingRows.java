package com.ecomcrm.pipelines;

import org.apache.spark.sql.Row;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code gold.email_performance} and {@code gold.shop_insights} rows as ClickHouse's {@code email_performance} and
 * {@code shop_insights} rows of one publication (money in integer cents; rates are left to readers, which recompute
 * them from the summed counts of whatever range they show).
 */
final class InsightServingRows {
    private InsightServingRows() {
    }

    static List<Map<String, Object>> emailPerformance(long publishId, List<Row> gold) {
        List<Map<String, Object>> out = new ArrayList<>(gold.size());
        for (Row row : gold) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("publish_id", publishId);
            r.put("send_date", row.<java.sql.Date>getAs("send_date").toLocalDate());
            r.put("flow_id", row.<Long>getAs("flow_id"));
            String kind = row.getAs("flow_kind");
            r.put("flow_kind", kind == null ? "" : kind);
            r.put("template_id", row.<Long>getAs("template_id"));
            for (String count : List.of("sent", "delivered", "bounced", "unique_opens", "machine_opens",
                    "unique_clicks", "unsubscribes", "orders")) {
                Long value = row.getAs(count);
                r.put(count, value == null ? 0L : value);
            }
            BigDecimal revenue = row.getAs("revenue");
            r.put("revenue_cents", revenue == null ? 0L : revenue.movePointRight(2).longValueExact());
            out.add(r);
        }
        return out;
    }

    static List<Map<String, Object>> insights(long publishId, LocalDate asOfDate, List<Row> gold) {
        List<Map<String, Object>> out = new ArrayList<>(gold.size());
        for (Row row : gold) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("publish_id", publishId);
            r.put("as_of_date", asOfDate);
            r.put("insight_id", row.<String>getAs("insight_key"));
            for (String column : List.of("kind", "subject", "severity", "title", "body", "numbers", "action_label",
                    "action_path")) {
                r.put(column, row.<String>getAs(column));
            }
            r.put("rank", row.<Integer>getAs("rank"));
            out.add(r);
        }
        return out;
    }
}
