package com.ecomcrm.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class IcebergDefinitionsTest {
    private static final Pattern COLUMN = Pattern.compile("^\\s*([a-z_][a-z0-9_]*)\\s+([A-Z_]+(?:\\(\\d+,\\s*\\d+\\))?)(.*)$");

    /** The contract's columns per table (docs/warehouse-contract.md), in order. */
    private static final Map<String, List<String>> CONTRACT = Map.ofEntries(
            Map.entry("silver.customers", List.of("shop_id", "customer_id", "email", "first_name", "last_name", "state",
                    "email_marketing_state", "created_at", "updated_at", "deleted", "source_topic", "landed_at")),
            Map.entry("silver.orders", List.of("shop_id", "order_id", "customer_id", "name", "created_at", "processed_at",
                    "updated_at", "cancelled_at", "financial_status", "currency", "total_price", "total_refunded",
                    "test", "source_topic", "landed_at")),
            Map.entry("silver.order_lines", List.of("shop_id", "order_id", "line_id", "product_id", "variant_id", "sku",
                    "title", "quantity", "unit_price", "updated_at")),
            Map.entry("silver.checkouts", List.of("shop_id", "checkout_token", "customer_id", "email", "created_at",
                    "updated_at", "completed_at", "total_price", "currency")),
            Map.entry("silver.refunds", List.of("shop_id", "refund_id", "order_id", "customer_id", "created_at",
                    "processed_at", "amount", "currency", "updated_at", "source_topic", "landed_at")),
            Map.entry("silver.refund_lines", List.of("shop_id", "refund_id", "line_item_id", "order_id",
                    "refund_line_id", "quantity", "subtotal", "updated_at")),
            Map.entry("gold.customer_rfm", List.of("shop_id", "as_of_date", "customer_id", "recency_days", "frequency",
                    "monetary", "r_score", "f_score", "m_score", "segment")),
            Map.entry("gold.segment_transitions", List.of("shop_id", "to_date", "from_date", "from_segment", "to_segment",
                    "customers", "revenue")),
            Map.entry("gold.shop_daily_kpis", List.of("shop_id", "kpi_date", "orders", "revenue", "aov", "new_customer_orders",
                    "returning_customer_orders", "buyers", "customers", "repeat_customers", "repeat_rate")),
            Map.entry("gold.customer_predictions", List.of("shop_id", "as_of_date", "customer_id", "prediction_status",
                    "repeat_purchases", "recency_weeks", "age_weeks", "mean_repeat_value", "expected_orders_30d",
                    "expected_orders_90d", "expected_orders_365d", "probability_alive", "expected_order_value",
                    "clv_12m", "clv_12m_low", "clv_12m_high", "churn_risk", "next_order_date")),
            Map.entry("gold.shop_model_fits", List.of("shop_id", "as_of_date", "status", "buyers", "repeat_buyers",
                    "history_days", "r", "alpha", "a", "b", "bgnbd_log_likelihood", "p", "q", "v",
                    "gg_log_likelihood", "converged", "se_log_r", "se_log_alpha", "se_log_a", "se_log_b", "se_log_p",
                    "se_log_q", "se_log_v")),
            Map.entry("silver.email_sends", List.of("shop_id", "send_id", "flow_id", "flow_kind", "template_id",
                    "template_version", "customer_id", "status", "sent_at", "created_at", "updated_at")),
            Map.entry("silver.email_events", List.of("shop_id", "event_id", "send_id", "kind", "machine", "machine_reason",
                    "occurred_at")),
            Map.entry("gold.email_performance", List.of("shop_id", "send_date", "flow_id", "flow_kind", "template_id", "sent",
                    "delivered", "bounced", "unique_opens", "machine_opens", "unique_clicks", "unsubscribes",
                    "orders", "revenue", "open_rate", "click_rate")),
            Map.entry("gold.shop_insights", List.of("shop_id", "as_of_date", "insight_key", "kind", "subject", "severity",
                    "rank", "title", "body", "numbers", "action_label", "action_path")));

    @Test
    void allContractTablesAreDefined() {
        assertThat(IcebergDefinitions.all()).extracting(t -> t.namespace() + "." + t.name())
                .containsExactlyInAnyOrderElementsOf(CONTRACT.keySet());
        assertThat(IcebergDefinitions.get("silver.orders").qualifiedName()).isEqualTo("lakehouse.silver.orders");
        assertThat(IcebergDefinitions.createNamespaceSql()).containsExactly(
                "CREATE NAMESPACE IF NOT EXISTS lakehouse.silver", "CREATE NAMESPACE IF NOT EXISTS lakehouse.gold");
    }

    @Test
    void everyTableIsPartitionedByShopIdWithShopIdFirst() {
        for (IcebergTable table : IcebergDefinitions.all()) {
            String sql = table.createSql();
            assertThat(sql).as(table.qualifiedName())
                    .startsWith("CREATE TABLE IF NOT EXISTS " + table.qualifiedName() + " (")
                    .contains("USING iceberg")
                    .containsPattern("PARTITIONED BY \\(shop_id\\)\\s")
                    .contains("'format-version' = '2'", "'write.merge.mode' = 'copy-on-write'",
                            "'write.distribution-mode' = 'hash'")
                    .doesNotContain("--")
                    .doesNotEndWith(";");
            assertThat(columnNames(table)).as(table.qualifiedName()).first().isEqualTo("shop_id");
        }
    }

    @Test
    void columnsFollowTheContractAndEachHasAComment() {
        for (IcebergTable table : IcebergDefinitions.all()) {
            assertThat(columnNames(table)).as(table.qualifiedName())
                    .containsExactlyElementsOf(CONTRACT.get(table.namespace() + "." + table.name()));
            for (String line : columnLines(table)) {
                assertThat(line).as(table.qualifiedName()).containsPattern("COMMENT '[^']+'");
            }
        }
    }

    @Test
    void moneyIsDecimal18x2AndIdsAreBigint() {
        for (IcebergTable table : IcebergDefinitions.all()) {
            for (String line : columnLines(table)) {
                Matcher m = COLUMN.matcher(line);
                assertThat(m.matches()).as(line).isTrue();
                String name = m.group(1);
                String type = m.group(2);
                if (name.endsWith("_price") || name.equals("total_refunded") || name.equals("monetary")
                        || name.equals("amount") || name.equals("subtotal")) {
                    assertThat(type).as(table.qualifiedName() + "." + name).isEqualTo("DECIMAL(18,2)");
                }
                if (name.endsWith("_id") && !name.equals("shop_id")) {
                    assertThat(type).as(table.qualifiedName() + "." + name).isEqualTo("BIGINT");
                }
                if (name.endsWith("_at")) {
                    assertThat(type).as(table.qualifiedName() + "." + name).isEqualTo("TIMESTAMP");
                }
            }
        }
    }

    private static List<String> columnNames(IcebergTable table) {
        List<String> names = new ArrayList<>();
        for (String line : columnLines(table)) {
            Matcher m = COLUMN.matcher(line);
            assertThat(m.matches()).as(line).isTrue();
            names.add(m.group(1));
        }
        return names;
    }

    /** The lines between the opening parenthesis after the table name and the closing one before USING. */
    private static List<String> columnLines(IcebergTable table) {
        String sql = table.createSql();
        String body = sql.substring(sql.indexOf('(') + 1, sql.indexOf("\n)\nUSING"));
        List<String> lines = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (!line.isBlank()) {
                lines.add(line.strip());
            }
        }
        return lines;
    }
}
