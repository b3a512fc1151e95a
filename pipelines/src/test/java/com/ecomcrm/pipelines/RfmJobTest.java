package com.ecomcrm.pipelines;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class RfmJobTest {
    private static final String A = "alpha-rfm.myshopify.com";
    private static final String B = "beta-rfm.myshopify.com";
    private static final LocalDate AS_OF = LocalDate.of(2026, 11, 28);
    private static final Instant UPDATED = Instant.parse("2026-11-28T12:00:00Z");

    @TempDir
    static Path temp;
    static TestLakehouse lake;
    private static long nextOrderId = 1;

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

    private static CustomerRow customer(String shop, long id, String createdAt, boolean deleted) {
        return new CustomerRow(shop, id, "c" + id + "@example.com", "F", "L", "ENABLED", "SUBSCRIBED",
                Instant.parse(createdAt), UPDATED, deleted, "bulk/customers", UPDATED);
    }

    private static CustomerRow customer(String shop, long id) {
        return customer(shop, id, "2026-01-01T00:00:00Z", false);
    }

    /** An order; {@code variant} "cancelled", "test" or null for a normal one. */
    private static OrderRow order(String shop, Long customer, String processedAt, String total, String refunded,
                                  String variant) {
        return new OrderRow(shop, nextOrderId++, customer, "#" + nextOrderId, Instant.parse(processedAt),
                Instant.parse(processedAt), UPDATED,
                "cancelled".equals(variant) ? Instant.parse(processedAt) : null,
                "PAID", "EUR", new BigDecimal(total), new BigDecimal(refunded), "test".equals(variant),
                "bulk/orders", UPDATED);
    }

    private static OrderRow order(String shop, long customer, String processedAt, String total) {
        return order(shop, customer, processedAt, total, "0.00", null);
    }


    /** "customer_id recency frequency monetary r f m segment" per row of the shop and date, sorted by customer. */
    private static List<String> gold(String shop, LocalDate date) {
        return lake.spark.table(lake.lakehouse.customerRfm())
                .where("shop_id = '" + shop + "' AND as_of_date = DATE '" + date + "'")
                .orderBy("customer_id").collectAsList().stream()
                .map(r -> Stream.of("customer_id", "recency_days", "frequency", "monetary", "r_score", "f_score",
                                "m_score", "segment")
                        .map(c -> String.valueOf((Object) r.getAs(c)))
                        .reduce((x, y) -> x + " " + y).orElseThrow())
                .toList();
    }

    @Test
    void scoresAHandComputedShopAndKeepsShopsIndependent() {
        lake.append(lake.lakehouse.customers(), List.of(
                customer(A, 1), customer(A, 2), customer(A, 3), customer(A, 4), customer(A, 5), customer(A, 6),
                customer(A, 7, "2026-01-01T00:00:00Z", true),   // deleted: neither buyer nor prospect
                customer(A, 8),                                  // no orders at all: prospect
                customer(A, 9, "2026-12-01T00:00:00Z", false))); // created after the as-of date: not there yet
        List<OrderRow> orders = new ArrayList<>(List.of(
                // c1: 3 orders on the as-of day, 200.00 in all
                order(A, 1, "2026-11-28T01:00:00Z", "100.00"),
                order(A, 1, "2026-11-28T02:00:00Z", "50.00"),
                order(A, 1, "2026-11-27T02:00:00Z", "50.00"),
                // ... and one processed after the as-of day: not counted
                order(A, 1, "2026-11-29T00:00:00Z", "1000.00"),
                // c2: 8 days ago 30.00, and a partly refunded order worth 30.00 net
                order(A, 2, "2026-11-20T10:00:00Z", "30.00"),
                order(A, 2L, "2026-11-01T10:00:00Z", "50.00", "20.00", null),
                // c3: 30 days, c4: 90 days, one 10.00 order each
                order(A, 3, "2026-10-29T23:00:00Z", "10.00"),
                order(A, 4, "2026-08-30T00:00:00Z", "10.00"),
                // c5: last second of the as-of day, 500.00
                order(A, 5, "2026-11-28T23:59:59Z", "500.00"),
                // c6: only orders that do not count -> prospect
                order(A, 6L, "2026-11-10T00:00:00Z", "40.00", "0.00", "cancelled"),
                order(A, 6L, "2026-11-10T00:00:00Z", "40.00", "0.00", "test"),
                order(A, 6L, "2026-11-10T00:00:00Z", "0.00", "0.00", null),
                order(A, 6L, "2026-11-10T00:00:00Z", "40.00", "40.00", null),
                // the deleted customer's order, and a guest order: not counted
                order(A, 7, "2026-11-27T00:00:00Z", "999.00"),
                order(A, null, "2026-11-27T00:00:00Z", "999.00", "0.00", null)));
        lake.append(lake.lakehouse.orders(), orders);

        RfmJob.Result result = RfmJob.run(lake.spark, lake.lakehouse, AS_OF);

        // Recency: 0,8,30,90,0 -> strictly worse (larger) 3,2,1,0,3 of 5 -> 4,3,2,1,4.
        // Frequency: 3,2,1,1,1 -> strictly worse (smaller) 4,3,0,0,0 -> 5,4,1,1,1.
        // Monetary: 200,60,10,10,500 -> 3,2,0,0,4 -> 4,3,1,1,5.
        // FM = (f+m+1)/2: 5,4,1,1,3. Grid: R4/FM5 Loyal, R3/FM4 Loyal, R2/FM1 Almost lost, R1/FM1 Dormant, R4/FM3 Active.
        List<String> expectedA = List.of(
                "1 0 3 200.00 4 5 4 LOYAL",
                "2 8 2 60.00 3 4 3 LOYAL",
                "3 30 1 10.00 2 1 1 ALMOST_LOST",
                "4 90 1 10.00 1 1 1 DORMANT",
                "5 0 1 500.00 4 1 5 ACTIVE",
                "6 null 0 0.00 0 0 0 PROSPECTS",
                "8 null 0 0.00 0 0 0 PROSPECTS");
        assertThat(gold(A, AS_OF)).containsExactlyElementsOf(expectedA);
        assertThat(result.buyers()).isEqualTo(5);
        assertThat(result.prospects()).isEqualTo(2);

        // Re-running the date replaces the slice with the same rows.
        RfmJob.run(lake.spark, lake.lakehouse, AS_OF);
        assertThat(gold(A, AS_OF)).containsExactlyElementsOf(expectedA);

        // Another shop with the same customer ids and far bigger orders: scored on its own, A unchanged.
        lake.append(lake.lakehouse.customers(), List.of(customer(B, 1), customer(B, 2)));
        lake.append(lake.lakehouse.orders(), List.of(
                order(B, 1, "2026-11-01T00:00:00Z", "5000.00"),
                order(B, 1, "2026-11-02T00:00:00Z", "5000.00"),
                order(B, 2, "2026-11-28T00:00:00Z", "1.00")));
        RfmJob.run(lake.spark, lake.lakehouse, AS_OF);
        assertThat(gold(A, AS_OF)).containsExactlyElementsOf(expectedA);
        // B: recency 26 vs 0 -> r 1 and 1+floor(5*1/2)=3; frequency 2 vs 1 -> f 3 and 1; monetary -> m 3 and 1.
        assertThat(gold(B, AS_OF)).containsExactly(
                "1 26 2 10000.00 1 3 3 ALMOST_LOST",
                "2 0 1 1.00 3 1 1 NEEDS_ATTENTION");

        // An earlier date is its own slice: the cutoff drops the later orders, and the first slice stays.
        RfmJob.run(lake.spark, lake.lakehouse, LocalDate.of(2026, 11, 27));
        // Buyers c1..c4 (c5's order is on the 28th): R 4,3,2,1; F 1,4,1,1; M 3,4,1,1.
        assertThat(gold(A, LocalDate.of(2026, 11, 27))).containsExactly(
                "1 0 1 50.00 4 1 3 PROMISING",
                "2 7 2 60.00 3 4 4 LOYAL",
                "3 29 1 10.00 2 1 1 ALMOST_LOST",
                "4 89 1 10.00 1 1 1 DORMANT",
                "5 null 0 0.00 0 0 0 PROSPECTS",
                "6 null 0 0.00 0 0 0 PROSPECTS",
                "8 null 0 0.00 0 0 0 PROSPECTS");
        assertThat(gold(A, AS_OF)).containsExactlyElementsOf(expectedA);
    }
}
