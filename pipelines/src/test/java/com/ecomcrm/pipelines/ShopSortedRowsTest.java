package com.ecomcrm.pipelines;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The publish's one sorted pass hands each shop exactly its own rows, without Spark. */
class ShopSortedRowsTest {
    private static final StructType SCHEMA = new StructType().add("shop_id", DataTypes.StringType)
            .add("customer_id", DataTypes.LongType);

    private static Row row(String shop, long customer) {
        return new GenericRowWithSchema(new Object[] {shop, customer}, SCHEMA);
    }

    private static List<Long> customers(List<Row> rows) {
        return rows.stream().map(r -> r.<Long>getAs("customer_id")).toList();
    }

    @Test
    void eachShopGetsOnlyItsOwnRowsInOnePass() {
        ShopSortedRows rows = new ShopSortedRows(List.of(row("a.myshopify.com", 1), row("a.myshopify.com", 2),
                row("b.myshopify.com", 3), row("c.myshopify.com", 4), row("c.myshopify.com", 5)).iterator());

        assertThat(customers(rows.take("a.myshopify.com"))).containsExactly(1L, 2L);
        assertThat(customers(rows.take("b.myshopify.com"))).containsExactly(3L);
        assertThat(customers(rows.take("c.myshopify.com"))).containsExactly(4L, 5L);
    }

    @Test
    void aShopWithoutRowsGetsNoneAndShopsNeverAskedForAreSkipped() {
        ShopSortedRows rows = new ShopSortedRows(List.of(row("a.myshopify.com", 1), row("b.myshopify.com", 2),
                row("d.myshopify.com", 3)).iterator());

        assertThat(rows.take("b.myshopify.com")).extracting(r -> r.<Long>getAs("customer_id")).containsExactly(2L);
        assertThat(rows.take("c.myshopify.com")).isEmpty();
        assertThat(customers(rows.take("d.myshopify.com"))).containsExactly(3L);
        assertThat(rows.take("e.myshopify.com")).isEmpty();
    }

    @Test
    void shopsCompareAsSparkSortsStringsByTheirUtf8Bytes() {
        // A hyphen (0x2D) sorts before a digit (0x30) and both before letters, as Spark's orderBy puts them.
        assertThat(ShopSortedRows.compare("a-b".getBytes(), "a0b".getBytes())).isNegative();
        assertThat(ShopSortedRows.compare("shop-10".getBytes(), "shop-9".getBytes())).isNegative();
        assertThat(ShopSortedRows.compare("é".getBytes(java.nio.charset.StandardCharsets.UTF_8), "z".getBytes()))
                .isPositive();
    }

    @Test
    void shopsComeInTheGivenOrderAndUnlistedShopsAreSkipped() {
        ShopSortedRows rows = new ShopSortedRows(List.of(row("c.myshopify.com", 1), row("c.myshopify.com", 2),
                row("x.myshopify.com", 9), row("a.myshopify.com", 3), row("b.myshopify.com", 4)).iterator(),
                List.of("c.myshopify.com", "a.myshopify.com", "d.myshopify.com", "b.myshopify.com"));

        assertThat(customers(rows.take("c.myshopify.com"))).containsExactly(1L, 2L);
        assertThat(customers(rows.take("a.myshopify.com"))).containsExactly(3L);
        assertThat(rows.take("d.myshopify.com")).isEmpty();
        assertThat(customers(rows.take("b.myshopify.com"))).containsExactly(4L);
    }
}
