package com.ecomcrm.pipelines;

import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Purchase days: counted orders only, one row per customer and UTC day, money summed in exact cents per shop. */
class CustomerDaysTest {
    private static final String A = "alpha-days.myshopify.com";
    private static final String B = "beta-days.myshopify.com";
    private static final LocalDate D = LocalDate.of(2026, 11, 5);
    private static final Instant UPDATED = Instant.parse("2026-11-05T12:00:00Z");

    @TempDir
    static Path temp;
    static TestLakehouse lake;
    private static long nextOrderId = 500;

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

    private static CustomerRow customer(String shop, long id, boolean deleted) {
        return new CustomerRow(shop, id, "c" + id + "@example.com", "F", "L", "ENABLED", "SUBSCRIBED",
                Instant.parse("2026-01-01T00:00:00Z"), UPDATED, deleted, "bulk/customers", UPDATED);
    }

    private static OrderRow order(String shop, Long customer, String processedAt, String total, String refunded,
                                  boolean cancelled) {
        long id = nextOrderId++;
        return new OrderRow(shop, id, customer, "#" + id, Instant.parse(processedAt), Instant.parse(processedAt),
                UPDATED, cancelled ? Instant.parse(processedAt) : null, "PAID", "EUR", new BigDecimal(total),
                new BigDecimal(refunded), false, "bulk/orders", UPDATED);
    }


    @Test
    void sumsEachCustomersCountedOrdersPerDayInExactCentsWithinItsShop() {
        lake.append(lake.lakehouse.customers(), List.of(customer(A, 1, false), customer(A, 2, true),
                customer(B, 1, false)));
        lake.append(lake.lakehouse.orders(), List.of(
                order(A, 1L, "2026-11-01T00:00:00Z", "0.10", "0.00", false),
                order(A, 1L, "2026-11-01T23:59:59Z", "0.20", "0.00", false),       // same UTC day: one row
                order(A, 1L, "2026-11-03T10:00:00Z", "12345678901234.56", "0.01", false), // net of the refund
                order(A, 1L, "2026-11-03T11:00:00Z", "5.00", "0.00", true),        // cancelled: not counted
                order(A, 1L, "2026-11-06T00:00:00Z", "7.00", "0.00", false),       // after the as-of day
                order(A, null, "2026-11-02T10:00:00Z", "9.00", "0.00", false),     // guest order
                order(A, 2L, "2026-11-02T10:00:00Z", "9.00", "0.00", false),       // deleted customer
                order(B, 1L, "2026-11-01T08:00:00Z", "3.33", "0.00", false)));     // same customer id, other shop

        CustomerDays days = CustomerDays.of(lake.spark, lake.lakehouse, D);

        List<String> rows = days.rows().orderBy("shop_id", "customer_id", "day").collectAsList().stream()
                .map(r -> r.getAs("shop_id") + " " + r.getAs("customer_id") + " " + r.getAs("day") + " "
                        + r.getAs("orders") + " " + r.getAs("net_cents"))
                .toList();
        assertThat(rows).containsExactly(
                A + " 1 2026-11-01 2 30",
                A + " 1 2026-11-03 1 1234567890123455",
                B + " 1 2026-11-01 1 333");

        // Back to decimal(18,2) without losing a cent, however large the sum.
        days.rows().createOrReplaceTempView("customer_days_test");
        Row total = lake.spark.sql("SELECT " + CustomerDays.money("sum(net_cents)") + " AS total"
                + " FROM customer_days_test WHERE shop_id = '" + A + "'").first();
        assertThat(total.getDecimal(0)).isEqualByComparingTo("12345678901234.85");
        assertThat(total.getDecimal(0).scale()).isEqualTo(2);
    }

    @Test
    void cachedDaysStayCachedThroughEveryStageThatReadsThemAndGoWhenClosed() {
        String shop = "gamma-days.myshopify.com";
        lake.append(lake.lakehouse.customers(), List.of(customer(shop, 1, false), customer(shop, 2, false)));
        lake.append(lake.lakehouse.orders(), List.of(
                order(shop, 1L, "2026-10-01T10:00:00Z", "20.00", "0.00", false),
                order(shop, 1L, "2026-10-20T10:00:00Z", "30.00", "0.00", false),
                order(shop, 2L, "2026-11-02T10:00:00Z", "15.00", "0.00", false)));

        try (CustomerDays days = CustomerDays.cached(lake.spark, lake.lakehouse, D)) {
            // Each stage drops its own views when done; dropping a view of the cached days would uncache them
            // (Catalog.dropTempView), and the next stage would aggregate the orders again.
            RfmJob.Result rfm = RfmJob.run(lake.spark, lake.lakehouse, D, days);
            assertThat(rfm.buyers()).isGreaterThanOrEqualTo(2);
            assertThat(cached(days)).as("after RFM").isTrue();
            PredictionsJob.run(lake.spark, lake.lakehouse, D, days);
            assertThat(cached(days)).as("after the predictions").isTrue();
            ShopKpisJob.run(lake.spark, lake.lakehouse, D, days);
            assertThat(cached(days)).as("after the KPIs").isTrue();
            assertThat(lake.spark.catalog().tableExists(CustomerDays.VIEW)).isTrue();

            days.close();
            assertThat(cached(days)).as("after close").isFalse();
            assertThat(lake.spark.catalog().tableExists(CustomerDays.VIEW)).isFalse();
        }
        Row frequency = lake.spark.sql("SELECT frequency FROM " + lake.lakehouse.customerRfm()
                + " WHERE shop_id = '" + shop + "' AND customer_id = 1 AND as_of_date = DATE '" + D + "'").first();
        assertThat(((Number) frequency.get(0)).longValue()).isEqualTo(2);
    }

    private static boolean cached(CustomerDays days) {
        // The storage level the cache manager holds for the rows' plan: NONE once nothing caches it.
        return !days.rows().storageLevel().equals(org.apache.spark.storage.StorageLevel.NONE());
    }
}
