package com.ecomcrm.pipelines;

import org.apache.spark.sql.Row;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Rows sorted by {@code shop_id} (a Spark {@code orderBy("shop_id")} read with {@code toLocalIterator()}), handed out
 * one shop at a time in the same order. The publish reads every shop's rows in one sorted pass this way instead of
 * one filtered Spark job per shop, which at 1,000 shops was most of its time; the driver holds one partition and one
 * shop's rows, never the whole table.
 *
 * <p>Shops must be asked for in ascending order, compared as Spark compares strings (UTF-8 bytes, unsigned). Rows of
 * shops never asked for (sorted before the one asked) are skipped.
 */
final class ShopSortedRows {
    private final Iterator<Row> rows;
    private Row next;

    ShopSortedRows(Iterator<Row> rows) {
        this.rows = requireNonNull(rows, "rows is null");
        this.next = rows.hasNext() ? rows.next() : null;
    }

    /** Every row of {@code shop}; empty if it has none. */
    List<Row> take(String shop) {
        requireNonNull(shop, "shop is null");
        byte[] wanted = shop.getBytes(StandardCharsets.UTF_8);
        while (next != null && compare(shopOf(next), wanted) < 0) {
            advance();
        }
        List<Row> taken = new ArrayList<>();
        while (next != null && compare(shopOf(next), wanted) == 0) {
            taken.add(next);
            advance();
        }
        return taken;
    }

    private void advance() {
        next = rows.hasNext() ? rows.next() : null;
    }

    private static byte[] shopOf(Row row) {
        return row.<String>getAs("shop_id").getBytes(StandardCharsets.UTF_8);
    }

    static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }
}
