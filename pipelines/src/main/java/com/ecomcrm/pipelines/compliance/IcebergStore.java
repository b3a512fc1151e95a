package com.ecomcrm.pipelines.compliance;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.pipelines.Lakehouse;
import com.ecomcrm.pipelines.maintenance.TableMaintenance;
import com.ecomcrm.schema.IcebergDefinitions;
import com.ecomcrm.schema.IcebergTable;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.iceberg.Table;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * The lakehouse. Rows are erased with a row-level {@code DELETE} (copy-on-write tables, so the data files are
 * rewritten without them), then every snapshot but the current one is expired and files no snapshot references are
 * removed at once (zero age), so the rows are gone from table history and from every file under the warehouse, not
 * only from the current state. Which tables hold a customer is read from each table's columns ({@code customer_id},
 * {@code email}, {@code order_id}), so tables added later are covered.
 *
 * <p>Run it when no other job writes the lakehouse (the compliance DAG runs after the nightly one): the zero-age
 * orphan removal would delete the files of a write in progress.
 */
final class IcebergStore implements CustomerDataStore {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SparkSession spark;
    private final Lakehouse lakehouse;
    private final Clock clock;

    IcebergStore(SparkSession spark, Lakehouse lakehouse, Clock clock) {
        this.spark = requireNonNull(spark, "spark is null");
        this.lakehouse = requireNonNull(lakehouse, "lakehouse is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public String name() {
        return "iceberg";
    }

    @Override
    public void discoverOrders(CustomerMatch match) {
        if (match.customerId().isEmpty()) {
            return;
        }
        List<Long> orders = spark.table(lakehouse.orders())
                .where("shop_id = " + literal(match.shop().domain()) + " AND customer_id = "
                        + match.customerId().get())
                .select("order_id").collectAsList().stream().map(row -> row.getLong(0)).toList();
        match.addOrders(orders);
    }

    @Override
    public ObjectNode export(CustomerMatch match) {
        ObjectNode out = JSON.createObjectNode();
        for (String table : tables()) {
            String where = customerCondition(table, match);
            if (where == null) {
                continue;
            }
            ArrayNode rows = JSON.createArrayNode();
            for (String json : spark.table(table).where(where).toJSON().collectAsList()) {
                try {
                    rows.add(JSON.readTree(json));
                }
                catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            if (!rows.isEmpty()) {
                out.set(table, rows);
            }
        }
        return out;
    }

    @Override
    public Map<String, Long> eraseCustomer(CustomerMatch match) {
        Map<String, Long> counts = new TreeMap<>();
        List<String> holding = new ArrayList<>();
        for (String table : tables()) {
            String where = customerCondition(table, match);
            if (where == null) {
                continue;
            }
            holding.add(table);
            long rows = spark.table(table).where(where).count();
            if (rows > 0) {
                spark.sql("DELETE FROM " + table + " WHERE " + where);
                counts.put(table, rows);
            }
        }
        // Also on a rerun that deleted nothing: a run that died after its DELETEs left the history to clean.
        counts.putAll(purgeHistory(holding));
        return counts;
    }

    @Override
    public Map<String, Long> eraseShop(ShopId shop) {
        Map<String, Long> counts = new TreeMap<>();
        List<String> tables = tables();
        String where = "shop_id = " + literal(shop.domain());
        for (String table : tables) {
            long rows = spark.table(table).where(where).count();
            if (rows > 0) {
                spark.sql("DELETE FROM " + table + " WHERE " + where);
                counts.put(table, rows);
            }
        }
        counts.putAll(purgeHistory(tables));
        return counts;
    }

    /** Expires every snapshot but the current one and removes unreferenced files, now. */
    private Map<String, Long> purgeHistory(List<String> tables) {
        TableMaintenance maintenance = new TableMaintenance(spark);
        long expired = 0;
        long orphans = 0;
        for (String name : tables) {
            Table table = maintenance.load(name);
            table.refresh();
            // A copy-on-write DELETE leaves the removed files' entries (with their column bounds, which can hold
            // the erased values) in the current manifests as DELETED; rewriting the manifests keeps live entries only.
            maintenance.rewriteManifests(table);
            table.refresh();
            // One millisecond ahead, so the snapshot of the DELETE just committed is older than the cut-off too.
            expired += maintenance.expireSnapshots(table, clock.instant().plusMillis(1), 1);
            table.refresh();
            orphans += maintenance.removeOrphanFiles(table, clock.instant().plusMillis(1));
        }
        return Map.of("files_expired", expired, "orphan_files", orphans);
    }

    private List<String> tables() {
        List<String> names = new ArrayList<>();
        for (IcebergTable definition : IcebergDefinitions.all()) {
            names.add(lakehouse.table(definition.namespace(), definition.name()));
        }
        return names;
    }

    /** The customer's rows of the table as a Spark SQL condition; null if the table holds no customer rows. */
    private String customerCondition(String table, CustomerMatch match) {
        Set<String> columns = Set.copyOf(Arrays.asList(spark.table(table).schema().fieldNames()));
        if (!columns.contains("shop_id")) {
            return null;
        }
        List<String> any = new ArrayList<>();
        if (columns.contains("customer_id") && match.customerId().isPresent()) {
            any.add("customer_id = " + match.customerId().get());
        }
        if (columns.contains("email") && match.email().isPresent()) {
            any.add("lower(email) = " + literal(match.email().get()));
        }
        if (columns.contains("order_id") && !match.orderIds().isEmpty()) {
            any.add("order_id IN (" + match.orderIds().stream().sorted().map(String::valueOf)
                    .collect(Collectors.joining(", ")) + ")");
        }
        if (any.isEmpty()) {
            return null;
        }
        return "shop_id = " + literal(match.shop().domain()) + " AND (" + String.join(" OR ", any) + ")";
    }

    /** A Spark SQL string literal: backslashes and quotes escaped, so an email cannot end the string. */
    static String literal(String value) {
        StringBuilder out = new StringBuilder("'");
        for (char c : value.toCharArray()) {
            if (c == '\\' || c == '\'') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.append('\'').toString();
    }
}
