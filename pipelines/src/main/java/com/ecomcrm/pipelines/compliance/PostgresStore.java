package com.ecomcrm.pipelines.compliance;

import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * The operational tables. Which tables hold a shop's or a customer's rows is read from the catalog at run time
 * (every table with {@code shop_domain}; of those, the ones with {@code customer_id}, {@code email} or
 * {@code order_id}, and the ones that name a {@code send_id} of the customer's sends), so a table added by a later
 * migration is covered without a change here. The compliance tables themselves are the job's business and are left
 * alone, as are the Iceberg catalog's and the migration tool's.
 */
final class PostgresStore implements CustomerDataStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> OWN_TABLES = Set.of("compliance_requests", "compliance_request_subjects",
            "compliance_audit", "compliance_exports", "flyway_schema_history");

    private final PgConnector postgres;

    PostgresStore(PgConnector postgres) {
        this.postgres = requireNonNull(postgres, "postgres is null");
    }

    @Override
    public String name() {
        return "postgres";
    }

    @Override
    public ObjectNode export(CustomerMatch match) {
        ObjectNode out = JSON.createObjectNode();
        try (Connection connection = postgres.open()) {
            for (Map.Entry<String, Set<String>> table : shopTables(connection).entrySet()) {
                String where = customerCondition(table.getKey(), table.getValue());
                if (where == null) {
                    continue;
                }
                ArrayNode rows = JSON.createArrayNode();
                try (PreparedStatement select = connection.prepareStatement("SELECT row_to_json(t)::text FROM "
                        + quote(table.getKey()) + " t WHERE shop_domain = ? AND (" + where + ")")) {
                    bind(select, match, table.getKey(), table.getValue(), connection);
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            rows.add(JSON.readTree(rs.getString(1)));
                        }
                    }
                }
                if (!rows.isEmpty()) {
                    out.set(table.getKey(), rows);
                }
            }
        }
        catch (SQLException e) {
            throw new IllegalStateException("Cannot read PostgreSQL rows: " + e.getMessage(), e);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    @Override
    public Map<String, Long> eraseCustomer(CustomerMatch match) {
        Map<String, Long> counts = new TreeMap<>();
        try (Connection connection = postgres.open()) {
            connection.setAutoCommit(false);
            Map<String, Set<String>> tables = shopTables(connection);
            // Rows that name a send (events of the customer's emails) go before the sends they name.
            List<String> order = new ArrayList<>();
            tables.forEach((name, columns) -> {
                if (columns.contains("send_id") && !columns.contains("customer_id")) {
                    order.add(name);
                }
            });
            tables.keySet().stream().filter(name -> !order.contains(name)).forEach(order::add);
            for (String table : order) {
                String where = customerCondition(table, tables.get(table));
                if (where == null) {
                    continue;
                }
                try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + quote(table)
                        + " WHERE shop_domain = ? AND (" + where + ")")) {
                    bind(delete, match, table, tables.get(table), connection);
                    long n = delete.executeUpdate();
                    if (n > 0) {
                        counts.put(table, n);
                    }
                }
            }
            connection.commit();
        }
        catch (SQLException e) {
            throw new IllegalStateException("Cannot erase the customer's PostgreSQL rows: " + e.getMessage(), e);
        }
        return counts;
    }

    @Override
    public Map<String, Long> eraseShop(ShopId shop) {
        Map<String, Long> counts = new TreeMap<>();
        try (Connection connection = postgres.open()) {
            connection.setAutoCommit(false);
            List<String> remaining = new ArrayList<>(shopTables(connection).keySet());
            // Foreign keys between the shop's tables (versions -> templates, sends -> flows): a table whose delete
            // is refused by a reference is retried after the others, until a pass makes no progress.
            while (!remaining.isEmpty()) {
                List<String> refused = new ArrayList<>();
                SQLException last = null;
                for (String table : remaining) {
                    Savepoint savepoint = connection.setSavepoint();
                    try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + quote(table)
                            + " WHERE shop_domain = ?")) {
                        delete.setString(1, shop.domain());
                        long n = delete.executeUpdate();
                        connection.releaseSavepoint(savepoint);
                        if (n > 0) {
                            counts.put(table, n);
                        }
                    }
                    catch (SQLException e) {
                        if (!"23503".equals(e.getSQLState())) {
                            throw e;
                        }
                        connection.rollback(savepoint);
                        refused.add(table);
                        last = e;
                    }
                }
                if (refused.size() == remaining.size()) {
                    throw last;
                }
                remaining = refused;
            }
            connection.commit();
        }
        catch (SQLException e) {
            throw new IllegalStateException("Cannot erase the shop's PostgreSQL rows: " + e.getMessage(), e);
        }
        return counts;
    }

    /** Base tables with a {@code shop_domain} column, with their columns, in name order. */
    private Map<String, Set<String>> shopTables(Connection connection) throws SQLException {
        Map<String, Set<String>> tables = new TreeMap<>();
        try (PreparedStatement columns = connection.prepareStatement("""
                SELECT c.table_name, c.column_name FROM information_schema.columns c
                JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
                WHERE c.table_schema = ? AND t.table_type = 'BASE TABLE'""")) {
            columns.setString(1, postgres.currentSchema(connection));
            try (ResultSet rs = columns.executeQuery()) {
                while (rs.next()) {
                    tables.computeIfAbsent(rs.getString(1), k -> new LinkedHashSet<>()).add(rs.getString(2));
                }
            }
        }
        Map<String, Set<String>> withShop = new LinkedHashMap<>();
        tables.forEach((name, cols) -> {
            if (cols.contains("shop_domain") && !OWN_TABLES.contains(name) && !name.startsWith("iceberg_")) {
                withShop.put(name, cols);
            }
        });
        return withShop;
    }

    /** The customer's rows of a table, as a condition with ? placeholders bound by {@link #bind}; null if none. */
    private static String customerCondition(String table, Set<String> columns) {
        List<String> any = new ArrayList<>();
        if (columns.contains("customer_id")) {
            any.add("customer_id = ?");
        }
        if (columns.contains("email")) {
            any.add("lower(email) = ?");
        }
        if (columns.contains("order_id")) {
            any.add("order_id = ANY (?)");
        }
        if (namesSends(table, columns)) {
            any.add("send_id IN (SELECT id FROM sends s WHERE s.shop_domain = ? AND (s.customer_id = ? "
                    + "OR lower(s.email) = ?))");
        }
        return any.isEmpty() ? null : String.join(" OR ", any);
    }

    /** A table whose rows belong to a send (email events), not directly to a customer. */
    private static boolean namesSends(String table, Set<String> columns) {
        return columns.contains("send_id") && !columns.contains("customer_id") && !table.equals("sends");
    }

    private static void bind(PreparedStatement statement, CustomerMatch match, String table, Set<String> columns,
                             Connection connection) throws SQLException {
        int i = 1;
        statement.setString(i++, match.shop().domain());
        // A customer known only by email never equals a real id: -1 is no Shopify id.
        long customer = match.customerId().orElse(-1L);
        String email = match.email().orElse("\u0000no email");
        if (columns.contains("customer_id")) {
            statement.setLong(i++, customer);
        }
        if (columns.contains("email")) {
            statement.setString(i++, email);
        }
        if (columns.contains("order_id")) {
            Array orders = connection.createArrayOf("bigint", match.orderIds().toArray());
            statement.setArray(i++, orders);
        }
        if (namesSends(table, columns)) {
            statement.setString(i++, match.shop().domain());
            statement.setLong(i++, customer);
            statement.setString(i, email);
        }
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
