package com.ecomcrm.pipelines;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;

/**
 * Rows grouped by {@code shop_id}, read with {@code toLocalIterator()}, handed out one shop at a time in the order the
 * shops come. The publish reads every shop's rows in one pass this way instead of one filtered Spark job per shop,
 * which at 1,000 shops was most of its time; the driver holds a few partitions (the publish reads ahead, see
 * {@link ReadAhead}) and one shop's rows, never the whole table.
 *
 * <p>Two orders: ascending {@code shop_id} (a Spark {@code orderBy("shop_id")}, compared as Spark compares strings:
 * UTF-8 bytes, unsigned), or the cheaper {@link #byShop} layout, hash-partitioned by shop and sorted within each
 * partition, whose shop order {@link #shopOrder} computes. A range sort first samples its whole input (computing it
 * once more); hash partitioning does not. Shops must be asked for in the order; rows of shops never asked for are
 * skipped.
 */
final class ShopSortedRows {
    private final Iterator<Row> rows;
    private final Comparator<String> order;
    private Row next;

    /** Rows sorted by ascending {@code shop_id} (UTF-8 bytes, unsigned). */
    ShopSortedRows(Iterator<Row> rows) {
        this(rows, (a, b) -> compare(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Rows grouped by shop, the shops coming in the order of {@code shops}; rows of a shop not listed are skipped.
     */
    ShopSortedRows(Iterator<Row> rows, List<String> shops) {
        this(rows, rankOrder(shops));
    }

    private ShopSortedRows(Iterator<Row> rows, Comparator<String> order) {
        this.rows = requireNonNull(rows, "rows is null");
        this.order = order;
        this.next = rows.hasNext() ? rows.next() : null;
    }

    /**
     * {@code rows} hash-partitioned by {@code shop_id} into {@code partitions} and sorted by shop within each: every
     * shop's rows in one partition, next to each other. Read it with {@link #shopOrder} of the same partitions.
     */
    static Dataset<Row> byShop(Dataset<Row> rows, int partitions) {
        return rows.repartition(partitions, col("shop_id")).sortWithinPartitions("shop_id");
    }

    /**
     * The order in which {@link #byShop} delivers {@code shops}: by partition (Spark's own hash partitioning of the
     * shop, computed by Spark), then by shop as Spark sorts strings.
     */
    static List<String> shopOrder(SparkSession spark, List<String> shops, int partitions) {
        Dataset<Row> placed = spark.createDataset(shops, Encoders.STRING()).toDF("shop_id")
                .select(col("shop_id"), pmod(hash(col("shop_id")), lit(partitions)).as("partition"));
        List<Row> rows = new ArrayList<>(placed.collectAsList());
        rows.sort(Comparator.<Row>comparingInt(r -> r.getInt(1))
                .thenComparing((a, b) -> compare(a.getString(0).getBytes(StandardCharsets.UTF_8),
                        b.getString(0).getBytes(StandardCharsets.UTF_8))));
        return rows.stream().map(r -> r.getString(0)).toList();
    }

    /** Every row of {@code shop}; empty if it has none. */
    List<Row> take(String shop) {
        requireNonNull(shop, "shop is null");
        while (next != null && order.compare(shopOf(next), shop) < 0) {
            advance();
        }
        List<Row> taken = new ArrayList<>();
        while (next != null && shop.equals(shopOf(next))) {
            taken.add(next);
            advance();
        }
        return taken;
    }

    private void advance() {
        next = rows.hasNext() ? rows.next() : null;
    }

    private static String shopOf(Row row) {
        return row.getAs("shop_id");
    }

    /** Listed shops by their position; a shop not listed comes before any (so it is skipped). */
    private static Comparator<String> rankOrder(List<String> shops) {
        Map<String, Integer> rank = new HashMap<>();
        for (int i = 0; i < shops.size(); i++) {
            rank.put(shops.get(i), i);
        }
        return (a, b) -> Integer.compare(rank.getOrDefault(a, -1), rank.getOrDefault(b, -1));
    }

    static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }
}
