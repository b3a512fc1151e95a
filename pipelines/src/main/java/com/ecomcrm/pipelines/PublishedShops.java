package com.ecomcrm.pipelines;

import com.ecomcrm.clickhouse.AdminClickHouse;
import com.ecomcrm.clickhouse.SqlLiterals;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * The shops a publish run works on, read and changed in ClickHouse a few hundred shops per statement instead of a
 * statement per shop: what each has published so far, which of its rows a table holds under given publications, and
 * the conditions that name each shop with its own publication. Every statement lists its shops as escaped literals
 * ({@link SqlLiterals}), so it never reaches a shop outside the run. Per-shop publication ids go through
 * {@code transform(shop_id, [shops], [ids], 0)}: one hash lookup per row, where an {@code OR} per shop would be
 * evaluated shop by shop for every row of the table.
 */
final class PublishedShops {
    /** Shops per statement: bounds a statement's size (about 100 bytes per shop) whatever the number of shops. */
    static final int SHOPS_PER_STATEMENT = 500;

    /** A shop's publications so far: the newest, the newest history slice, and whether the date has a slice. */
    record State(long currentPublication, long lastHistorySlice, boolean dateHasSlice) {
    }

    private PublishedShops() {
    }

    /** Every shop's state (shops never published: zeros, no slice), in two queries per {@value #SHOPS_PER_STATEMENT} shops. */
    static Map<String, State> read(AdminClickHouse admin, List<String> shops, LocalDate asOfDate) {
        requireNonNull(asOfDate, "asOfDate is null");
        Map<String, Long> current = new TreeMap<>();
        Map<String, long[]> history = new TreeMap<>();
        for (List<String> chunk : chunks(shops)) {
            String listed = "shop_id IN (" + literals(chunk) + ")";
            for (JsonNode row : admin.query("SELECT shop_id, toString(max(publish_id)) AS p FROM shop_publications"
                    + " WHERE " + listed + " GROUP BY shop_id")) {
                current.put(row.get("shop_id").asText(), Long.parseLong(row.get("p").asText()));
            }
            for (JsonNode row : admin.query("SELECT shop_id, toString(max(publish_id)) AS p,"
                    + " toString(countIf(as_of_date = " + SqlLiterals.date(asOfDate) + ")) AS same_date"
                    + " FROM segment_history_dates WHERE " + listed + " GROUP BY shop_id")) {
                history.put(row.get("shop_id").asText(), new long[] {Long.parseLong(row.get("p").asText()),
                        Long.parseLong(row.get("same_date").asText())});
            }
        }
        Map<String, State> states = new TreeMap<>();
        for (String shop : shops) {
            long[] h = history.getOrDefault(shop, new long[2]);
            states.put(shop, new State(current.getOrDefault(shop, 0L), h[0], h[1] > 0));
        }
        return Collections.unmodifiableMap(states);
    }

    /**
     * Rows of {@code table} per shop under each shop's publication in {@code publishIds} (shops without rows absent).
     */
    static Map<String, Long> rowsUnder(AdminClickHouse admin, String table, Map<String, Long> publishIds) {
        SqlLiterals.identifier(table);
        Map<String, Long> rows = new TreeMap<>();
        for (Map<String, Long> chunk : chunks(publishIds)) {
            for (JsonNode row : admin.query("SELECT shop_id, toString(count()) AS n FROM " + table
                    + " WHERE " + eachShops(chunk, "=") + " GROUP BY shop_id")) {
                rows.put(row.get("shop_id").asText(), Long.parseLong(row.get("n").asText()));
            }
        }
        return rows;
    }

    /** Statements per chunk of shops, each given the condition that holds for a row of a shop under (or, with
     * {@code comparison} "&lt;", before) that shop's id. */
    static List<String> conditions(Map<String, Long> publishIds, String comparison) {
        List<String> out = new ArrayList<>();
        for (Map<String, Long> chunk : chunks(publishIds)) {
            out.add(eachShops(chunk, comparison));
        }
        return out;
    }

    /** {@code shop_id IN (...) AND publish_id <comparison> transform(shop_id, [...], [...], 0)}. */
    static String eachShops(Map<String, Long> publishIds, String comparison) {
        if (!comparison.equals("=") && !comparison.equals("<")) {
            throw new IllegalArgumentException("Cannot compare publications with '" + comparison + "'");
        }
        String shops = literals(publishIds.keySet());
        String ids = publishIds.values().stream().map(id -> "toUInt64(" + SqlLiterals.number(id) + ")")
                .collect(Collectors.joining(", "));
        return "shop_id IN (" + shops + ") AND publish_id " + comparison + " transform(shop_id, [" + shops + "], ["
                + ids + "], toUInt64(0))";
    }

    private static String literals(java.util.Collection<String> shops) {
        return shops.stream().map(shop -> SqlLiterals.string(ShopId.of(shop).domain()))
                .collect(Collectors.joining(", "));
    }

    private static List<List<String>> chunks(List<String> shops) {
        List<List<String>> out = new ArrayList<>();
        for (int from = 0; from < shops.size(); from += SHOPS_PER_STATEMENT) {
            out.add(shops.subList(from, Math.min(shops.size(), from + SHOPS_PER_STATEMENT)));
        }
        return out;
    }

    private static List<Map<String, Long>> chunks(Map<String, Long> publishIds) {
        List<Map<String, Long>> out = new ArrayList<>();
        Map<String, Long> chunk = new TreeMap<>();
        for (Map.Entry<String, Long> e : new TreeMap<>(publishIds).entrySet()) {
            chunk.put(e.getKey(), e.getValue());
            if (chunk.size() == SHOPS_PER_STATEMENT) {
                out.add(chunk);
                chunk = new TreeMap<>();
            }
        }
        if (!chunk.isEmpty()) {
            out.add(chunk);
        }
        return out;
    }
}
