package com.ecomcrm.pipelines;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.StreamedInsert;
import com.ecomcrm.domain.ShopId;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * The publish's inserts into ClickHouse: one streamed INSERT per serving table for every shop of the run
 * ({@link ClickHouseGateway#insertStream}), opened when the table's first row is written, with that row's keys as the
 * columns. {@link #finish(String)} ends a table's insert and keeps its rows per shop, which the publish checks against
 * what ClickHouse holds before it switches any shop over.
 */
final class ServingInserts implements AutoCloseable {
    private final ClickHouseGateway gateway;
    private final Map<String, StreamedInsert> open = new LinkedHashMap<>();
    private final Map<String, Map<String, Long>> sent = new TreeMap<>();

    ServingInserts(ClickHouseGateway gateway) {
        this.gateway = requireNonNull(gateway, "gateway is null");
    }

    /** Writes one row of {@code shop} into {@code table}'s insert, starting it with this row's columns if needed. */
    void write(String table, ShopId shop, Map<String, ?> row) {
        StreamedInsert insert = open.get(table);
        if (insert == null) {
            if (sent.containsKey(table)) {
                throw new IllegalStateException("Cannot write to " + table + ": its insert is already finished");
            }
            insert = gateway.insertStream(table, List.copyOf(row.keySet()));
            open.put(table, insert);
        }
        insert.write(shop, row);
    }

    /** Writes every row of {@code shop} into {@code table}. */
    void writeAll(String table, ShopId shop, List<? extends Map<String, ?>> rows) {
        for (Map<String, ?> row : rows) {
            write(table, shop, row);
        }
    }

    /** Ends {@code table}'s insert (if it was started) and waits for ClickHouse to acknowledge it. */
    void finish(String table) {
        StreamedInsert insert = open.remove(table);
        Map<String, Long> perShop = new TreeMap<>();
        if (insert != null) {
            insert.finish();
            insert.rowsPerShop().forEach((shop, rows) -> perShop.put(shop.domain(), rows));
        }
        sent.put(table, perShop);
    }

    /** Rows sent into {@code table}, per shop domain (shops without rows absent); empty if nothing was sent. */
    Map<String, Long> sent(String table) {
        return Collections.unmodifiableMap(sent.getOrDefault(table, Map.of()));
    }

    /** Abandons every insert not finished (after a failure); rows already stored stay under an unread publication. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (StreamedInsert insert : open.values()) {
            try {
                insert.close();
            }
            catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        open.clear();
        if (first != null) {
            throw first;
        }
    }
}
