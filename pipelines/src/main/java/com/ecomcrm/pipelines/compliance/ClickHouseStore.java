package com.ecomcrm.pipelines.compliance;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ShopScope;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * The serving tables. Rows go with {@code ALTER TABLE ... DELETE} mutations through the shop's scope (so the shop
 * predicate is always there), and the job waits until ClickHouse reports every mutation done
 * ({@code system.mutations.is_done}): only then are the parts rewritten without the rows. Which tables hold shops and
 * customers is read from {@code system.columns} ({@code shop_id}; {@code customer_id} or {@code email}).
 */
final class ClickHouseStore implements CustomerDataStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration MUTATION_WAIT = Duration.ofMinutes(10);

    private final ClickHouseGateway gateway;

    ClickHouseStore(ClickHouseGateway gateway) {
        this.gateway = requireNonNull(gateway, "gateway is null");
    }

    @Override
    public String name() {
        return "clickhouse";
    }

    @Override
    public ObjectNode export(CustomerMatch match) {
        ObjectNode out = JSON.createObjectNode();
        ShopScope scope = gateway.forShop(match.shop());
        for (Map.Entry<String, Set<String>> table : shopTables().entrySet()) {
            SqlTemplate where = customerCondition(table.getKey(), table.getValue(), match, "SELECT *");
            if (where == null) {
                continue;
            }
            ArrayNode rows = JSON.createArrayNode();
            scope.select(where).forEach(rows::add);
            if (!rows.isEmpty()) {
                out.set(table.getKey(), rows);
            }
        }
        return out;
    }

    @Override
    public Map<String, Long> eraseCustomer(CustomerMatch match) {
        Map<String, Long> counts = new TreeMap<>();
        ShopScope scope = gateway.forShop(match.shop());
        for (Map.Entry<String, Set<String>> table : shopTables().entrySet()) {
            SqlTemplate count = customerCondition(table.getKey(), table.getValue(), match, "SELECT count() AS n");
            if (count == null) {
                continue;
            }
            long rows = scope.select(count).get(0).get("n").asLong();
            if (rows > 0) {
                scope.execute(customerCondition(table.getKey(), table.getValue(), match, "ALTER TABLE {t} DELETE"));
                counts.put(table.getKey(), rows);
            }
        }
        awaitMutations();
        return counts;
    }

    @Override
    public Map<String, Long> eraseShop(ShopId shop) {
        Map<String, Long> counts = new TreeMap<>();
        ShopScope scope = gateway.forShop(shop);
        for (String table : shopTables().keySet()) {
            long rows = scope.select(SqlTemplate.of("SELECT count() AS n FROM {t} WHERE shop_id = {shop}")
                    .bindIdentifier("t", table)).get(0).get("n").asLong();
            if (rows > 0) {
                scope.execute(SqlTemplate.of("ALTER TABLE {t} DELETE WHERE shop_id = {shop}")
                        .bindIdentifier("t", table));
                counts.put(table, rows);
            }
        }
        awaitMutations();
        return counts;
    }

    /** Tables of the current database with a {@code shop_id} column, with their columns. */
    private Map<String, Set<String>> shopTables() {
        Map<String, Set<String>> tables = new TreeMap<>();
        for (JsonNode row : gateway.admin().query("SELECT table, name FROM system.columns "
                + "WHERE database = currentDatabase()")) {
            tables.computeIfAbsent(row.get("table").asText(), k -> new LinkedHashSet<>())
                    .add(row.get("name").asText());
        }
        tables.values().removeIf(columns -> !columns.contains(ShopScope.SHOP_COLUMN));
        // Views have no parts to mutate; only MergeTree tables are served from.
        Set<String> mergeTrees = new LinkedHashSet<>();
        for (JsonNode row : gateway.admin().query("SELECT name FROM system.tables "
                + "WHERE database = currentDatabase() AND engine LIKE '%MergeTree'")) {
            mergeTrees.add(row.get("name").asText());
        }
        tables.keySet().retainAll(mergeTrees);
        return tables;
    }

    private static SqlTemplate customerCondition(String table, Set<String> columns, CustomerMatch match,
                                                 String head) {
        List<String> any = new ArrayList<>();
        if (columns.contains("customer_id") && match.customerId().isPresent()) {
            any.add("customer_id = {c}");
        }
        if (columns.contains("email") && match.email().isPresent()) {
            any.add("lower(email) = {e}");
        }
        if (any.isEmpty()) {
            return null;
        }
        String from = head.startsWith("ALTER") ? "" : " FROM {t}";
        SqlTemplate template = SqlTemplate.of(head + from + " WHERE shop_id = {shop} AND ("
                + String.join(" OR ", any) + ")").bindIdentifier("t", table);
        if (match.customerId().isPresent() && columns.contains("customer_id")) {
            template = template.bind("c", match.customerId().get());
        }
        if (match.email().isPresent() && columns.contains("email")) {
            template = template.bind("e", match.email().get());
        }
        return template;
    }

    /** Waits until ClickHouse has applied every mutation of this database (18.16 has no mutations_sync). */
    private void awaitMutations() {
        long deadline = System.nanoTime() + MUTATION_WAIT.toNanos();
        while (true) {
            JsonNode pending = gateway.admin().query("SELECT count() AS n FROM system.mutations "
                    + "WHERE database = currentDatabase() AND is_done = 0").get(0);
            if (pending.get("n").asLong() == 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("ClickHouse mutations still running after " + MUTATION_WAIT
                        + "; the erasure is retried on the next run");
            }
            try {
                Thread.sleep(200);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for ClickHouse mutations", e);
            }
        }
    }
}
