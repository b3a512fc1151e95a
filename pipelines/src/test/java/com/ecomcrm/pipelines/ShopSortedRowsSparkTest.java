package com.ecomcrm.pipelines;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The publish's hash-partitioned pass: Spark delivers the shops in the order {@code shopOrder} predicts. */
class ShopSortedRowsSparkTest {
    @TempDir
    static Path temp;
    static TestLakehouse lake;

    @BeforeAll
    static void start() {
        lake = TestLakehouse.start(temp.resolve("warehouse"));
    }

    @AfterAll
    static void stop() {
        if (lake != null) {
            lake.close();
        }
    }

    @Test
    void hashPartitionedRowsComeShopByShopInThePredictedOrder() {
        StructType schema = new StructType().add("shop_id", DataTypes.StringType).add("customer_id",
                DataTypes.LongType);
        List<String> shops = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        for (int s = 0; s < 60; s++) {
            String shop = "shop-" + s + (s % 7 == 0 ? "-é" : "") + ".myshopify.com";
            shops.add(shop);
            for (long c = 0; c < 3; c++) {
                rows.add(RowFactory.create(shop, s * 10 + c));
            }
        }
        java.util.Collections.shuffle(rows, new java.util.Random(3));
        Dataset<Row> data = lake.spark.createDataFrame(rows, schema);

        List<String> order = ShopSortedRows.shopOrder(lake.spark, shops, 7);
        List<String> delivered = new ArrayList<>();
        Iterator<Row> it = ShopSortedRows.byShop(data, 7).toLocalIterator();
        while (it.hasNext()) {
            String shop = it.next().getString(0);
            if (delivered.isEmpty() || !delivered.get(delivered.size() - 1).equals(shop)) {
                delivered.add(shop);
            }
        }

        assertThat(delivered).as("each shop once, contiguous, in the predicted order").containsExactlyElementsOf(order);
        assertThat(order).containsExactlyInAnyOrderElementsOf(shops);
        ShopSortedRows byShop = new ShopSortedRows(ShopSortedRows.byShop(data, 7).toLocalIterator(), order);
        for (String shop : order) {
            assertThat(byShop.take(shop)).hasSize(3).allSatisfy(r -> assertThat(r.getString(0)).isEqualTo(shop));
        }
    }
}
