package com.ecomcrm.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every ClickHouse table is ordered by shop_id first (docs/warehouse-contract.md), except the migration ledger. */
class SortKeyTest {
    private static final Pattern CREATE_TABLE = Pattern.compile(
            "CREATE\\s+TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?`?(\\w+)`?", Pattern.CASE_INSENSITIVE);
    private static final Pattern ORDER_BY_TUPLE = Pattern.compile("ORDER\\s+BY\\s*\\(([^)]*)\\)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern ORDER_BY_ONE = Pattern.compile("ORDER\\s+BY\\s+(\\w+)", Pattern.CASE_INSENSITIVE);

    /** Without a server: every CREATE TABLE in the migration files has {@code ORDER BY (shop_id, ...)}. */
    @Test
    void everyTableInTheMigrationFilesIsOrderedByShopIdFirst() {
        Map<String, String> sortKeys = new LinkedHashMap<>();
        for (ClickHouseMigration migration : ClickHouseMigration.fromClasspath()) {
            for (String statement : migration.statements()) {
                Matcher create = CREATE_TABLE.matcher(statement);
                if (!create.find()) {
                    continue;
                }
                Matcher order = ORDER_BY_TUPLE.matcher(statement);
                assertThat(order.find())
                        .as("%s: table %s needs ORDER BY (shop_id, ...)", migration.fileName(), create.group(1))
                        .isTrue();
                sortKeys.put(create.group(1), order.group(1));
            }
        }

        assertThat(sortKeys).containsOnlyKeys("shop_publications", "customer_rfm", "segment_summary",
                "segment_transitions", "shop_daily_kpis", "customer_segment_history", "segment_history_dates",
                "customer_predictions", "shop_model_fits", "email_performance", "shop_insights", "customer_orders",
                "segment_overview", "customer_segment_timeline");
        assertThat(sortKeys).containsEntry("shop_publications", "shop_id, publish_id")
                .containsEntry("customer_rfm", "shop_id, publish_id, customer_id")
                .containsEntry("segment_summary", "shop_id, publish_id, segment")
                .containsEntry("segment_transitions", "shop_id, publish_id, from_segment, to_segment")
                .containsEntry("shop_daily_kpis", "shop_id, publish_id, kpi_date")
                .containsEntry("customer_segment_history", "shop_id, as_of_date, publish_id, customer_id")
                .containsEntry("segment_history_dates", "shop_id, as_of_date, publish_id")
                .containsEntry("customer_predictions", "shop_id, publish_id, customer_id")
                .containsEntry("shop_model_fits", "shop_id, publish_id")
                .containsEntry("email_performance", "shop_id, publish_id, send_date, flow_id, template_id")
                .containsEntry("shop_insights", "shop_id, publish_id, rank")
                .containsEntry("customer_orders", "shop_id, publish_id, customer_id, processed_at, order_id")
                .containsEntry("segment_overview", "shop_id, publish_id, segment")
                .containsEntry("customer_segment_timeline", "shop_id, customer_id, as_of_date, publish_id");
        sortKeys.forEach((table, key) -> assertThat(firstColumn(key)).as("sort key of %s", table)
                .isEqualTo("shop_id"));
    }

    /** On the server, after migrating: every table of the database but the ledger has a sort key starting shop_id. */
    @Test
    void everyTableOnTheServerIsOrderedByShopIdFirst() {
        ClickHouseTarget target = Servers.clickHouse();
        ClickHouseMigrator migrator = new ClickHouseMigrator(target);
        migrator.migrate();

        ClickHouseHttp http = new ClickHouseHttp(target);
        boolean hasSortingKey = !http.query("SELECT name FROM system.columns WHERE database = 'system' "
                + "AND table = 'tables' AND name = 'sorting_key'").isEmpty();
        String keyColumn = hasSortingKey ? "sorting_key" : "create_table_query";
        List<JsonNode> rows = http.query("SELECT name, " + keyColumn + " AS key FROM system.tables WHERE database = "
                + ClickHouseHttp.literal(target.database()) + " AND name != "
                + ClickHouseHttp.literal(ClickHouseMigrator.LEDGER_TABLE)
                // A materialized view stores nothing of its own: the table it writes to is checked.
                + " AND engine != 'MaterializedView' ORDER BY name");

        List<String> names = new ArrayList<>();
        for (JsonNode row : rows) {
            String name = row.get("name").asText();
            String key = hasSortingKey ? row.get("key").asText() : orderByOf(row.get("key").asText());
            names.add(name);
            assertThat(firstColumn(key)).as("sort key of %s.%s is '%s'", target.database(), name, key)
                    .isEqualTo("shop_id");
        }
        assertThat(names).contains("shop_publications", "customer_rfm", "segment_summary");
    }

    private static String orderByOf(String createTableQuery) {
        Matcher tuple = ORDER_BY_TUPLE.matcher(createTableQuery);
        if (tuple.find()) {
            return tuple.group(1);
        }
        Matcher one = ORDER_BY_ONE.matcher(createTableQuery);
        return one.find() ? one.group(1) : "";
    }

    private static String firstColumn(String sortKey) {
        return sortKey.split(",")[0].strip().replace("`", "");
    }
}
