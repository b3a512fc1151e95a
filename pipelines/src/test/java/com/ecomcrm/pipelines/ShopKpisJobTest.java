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
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Daily KPIs of a hand-computed tiny shop, re-runs, a late-arriving order, and shop isolation. */
class ShopKpisJobTest {
    private static final String A = "alpha-kpis.myshopify.com";
    private static final String B = "beta-kpis.myshopify.com";
    private static final LocalDate D = LocalDate.of(2026, 11, 5);
    private static final Instant UPDATED = Instant.parse("2026-11-05T12:00:00Z");

    @TempDir
    static Path temp;
    static TestLakehouse lake;
    private static long nextOrderId = 100;

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

    /** An order; {@code variant} "cancelled", "test" or null for a normal one. */
    private static OrderRow order(String shop, Long customer, String processedAt, String total, String refunded,
                                  String variant) {
        long id = nextOrderId++;
        return new OrderRow(shop, id, customer, "#" + id, Instant.parse(processedAt), Instant.parse(processedAt),
                UPDATED, "cancelled".equals(variant) ? Instant.parse(processedAt) : null, "PAID", "EUR",
                new BigDecimal(total), new BigDecimal(refunded), "test".equals(variant), "bulk/orders", UPDATED);
    }

    private static OrderRow order(String shop, long customer, String processedAt, String total) {
        return order(shop, customer, processedAt, total, "0.00", null);
    }


    /** "date orders revenue aov new returning buyers customers repeat rate" per day of the shop, in date order. */
    private static List<String> kpis(String shop) {
        return lake.spark.table(lake.lakehouse.shopDailyKpis()).where("shop_id = '" + shop + "'")
                .orderBy("kpi_date").collectAsList().stream()
                .map(r -> Stream.of("kpi_date", "orders", "revenue", "aov", "new_customer_orders",
                                "returning_customer_orders", "buyers", "customers", "repeat_customers", "repeat_rate")
                        .map(c -> String.valueOf((Object) r.getAs(c)))
                        .reduce((x, y) -> x + " " + y).orElseThrow())
                .toList();
    }

    private static String rfm(String shop, LocalDate date, long customer) {
        Row r = lake.spark.table(lake.lakehouse.customerRfm())
                .where("shop_id = '" + shop + "' AND as_of_date = DATE '" + date + "' AND customer_id = " + customer)
                .first();
        return r.getAs("frequency") + " " + r.getAs("monetary");
    }

    @Test
    void computesAHandComputedShopAndReflectsALateOrderOnTheNextRun() {
        lake.append(lake.lakehouse.customers(), List.of(customer(A, 1, false), customer(A, 2, false),
                customer(A, 3, false), customer(A, 4, false), customer(A, 7, true)));
        lake.append(lake.lakehouse.orders(), List.of(
                order(A, 1, "2026-11-01T10:00:00Z", "100.00"),
                order(A, 1, "2026-11-01T12:00:00Z", "50.00"),          // second order, same day: returning
                order(A, 1L, "2026-11-04T09:00:00Z", "30.00", "10.00", null), // partly refunded: 20.00
                order(A, 2, "2026-11-02T10:00:00Z", "40.00"),
                order(A, 2L, "2026-11-03T10:00:00Z", "40.00", "0.00", "cancelled"),
                order(A, 2L, "2026-11-03T10:00:00Z", "40.00", "0.00", "test"),
                order(A, 2L, "2026-11-03T10:00:00Z", "40.00", "40.00", null), // fully refunded
                order(A, null, "2026-11-02T10:00:00Z", "99.00", "0.00", null), // guest order
                order(A, 7, "2026-11-03T10:00:00Z", "99.00"),           // deleted customer
                order(A, 3, "2026-11-04T10:00:00Z", "10.00"),
                order(A, 3, "2026-11-05T10:00:00Z", "10.01"),
                order(A, 2, "2026-11-05T23:59:59Z", "10.00"),
                order(A, 4, "2026-11-06T00:00:00Z", "70.00")));         // after the logical date

        ShopKpisJob.Result result = ShopKpisJob.run(lake.spark, lake.lakehouse, D);

        // date orders revenue aov new returning buyers customers repeat rate
        List<String> expected = List.of(
                "2026-11-01 2 150.00 75.00 1 1 1 1 1 1.0000",
                "2026-11-02 1 40.00 40.00 1 0 1 2 1 0.5000",
                "2026-11-03 0 0.00 0.00 0 0 0 2 1 0.5000",
                "2026-11-04 2 30.00 15.00 1 1 2 3 1 0.3333",
                "2026-11-05 2 20.01 10.01 0 2 2 3 3 1.0000"); // aov 10.005 rounds half-up
        assertThat(kpis(A)).containsExactlyElementsOf(expected);
        assertThat(result.shops()).isEqualTo(1);
        assertThat(result.days()).isEqualTo(5);
        assertThat(result.orders()).isEqualTo(7);

        // The same definition of an order as RFM: on D, customers = RFM buyers, repeat customers = frequency >= 2.
        RfmJob.Result rfm = RfmJob.run(lake.spark, lake.lakehouse, D);
        assertThat(rfm.buyers()).isEqualTo(3);
        assertThat(lake.spark.table(lake.lakehouse.customerRfm())
                .where("shop_id = '" + A + "' AND as_of_date = DATE '" + D + "' AND frequency >= 2").count())
                .isEqualTo(3);

        // Re-running the night changes nothing.
        List<String> table = lake.contents(lake.lakehouse.shopDailyKpis());
        ShopKpisJob.run(lake.spark, lake.lakehouse, D);
        assertThat(lake.contents(lake.lakehouse.shopDailyKpis())).isEqualTo(table);

        // Another shop's orders change nothing of A's.
        lake.append(lake.lakehouse.customers(), List.of(customer(B, 1, false)));
        lake.append(lake.lakehouse.orders(), List.of(order(B, 1, "2026-10-01T00:00:00Z", "5000.00"),
                order(B, 1, "2026-11-03T00:00:00Z", "1.00")));
        ShopKpisJob.run(lake.spark, lake.lakehouse, D);
        assertThat(kpis(A)).containsExactlyElementsOf(expected);
        assertThat(kpis(B)).hasSize(36).first().isEqualTo("2026-10-01 1 5000.00 5000.00 1 0 1 1 0 0.0000");
        assertThat(kpis(B)).contains("2026-11-03 1 1.00 1.00 0 1 1 1 1 1.0000");

        // An order for a past day arrives late; the next night (D + 1) has it in the KPIs of that day and in RFM.
        lake.append(lake.lakehouse.orders(), List.of(order(A, 2, "2026-11-03T08:00:00Z", "50.00")));
        LocalDate next = D.plusDays(1);
        ShopKpisJob.run(lake.spark, lake.lakehouse, next);
        RfmJob.run(lake.spark, lake.lakehouse, next);
        assertThat(kpis(A)).containsExactly(
                "2026-11-01 2 150.00 75.00 1 1 1 1 1 1.0000",
                "2026-11-02 1 40.00 40.00 1 0 1 2 1 0.5000",
                "2026-11-03 1 50.00 50.00 0 1 1 2 2 1.0000",
                "2026-11-04 2 30.00 15.00 1 1 2 3 2 0.6667",
                "2026-11-05 2 20.01 10.01 0 2 2 3 3 1.0000",
                "2026-11-06 1 70.00 70.00 1 0 1 4 3 0.7500");
        assertThat(rfm(A, next, 2)).isEqualTo("3 100.00");
        assertThat(rfm(A, D, 2)).isEqualTo("2 50.00"); // the old snapshot stays what it was

        // Re-running the earlier night replaces its days and leaves the later day alone.
        ShopKpisJob.run(lake.spark, lake.lakehouse, D);
        assertThat(kpis(A)).hasSize(6).last().isEqualTo("2026-11-06 1 70.00 70.00 1 0 1 4 3 0.7500");
        assertThat(kpis(A).get(2)).isEqualTo("2026-11-03 1 50.00 50.00 0 1 1 2 2 1.0000");
    }
}
