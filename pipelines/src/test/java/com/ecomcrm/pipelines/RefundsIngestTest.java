package com.ecomcrm.pipelines;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.landing.LandingEnvelope;
import com.ecomcrm.landing.LandingLayout;
import com.ecomcrm.landing.LandingZone;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * silver.refunds and silver.refund_lines from the webhooks Shopify sends around a refund (refunds/create, then
 * orders/updated carrying every refund of the order), with redeliveries and a refund that lands before its order;
 * and the net revenue the RFM job reads from silver.orders equals the orders' totals minus silver.refunds.
 */
class RefundsIngestTest {
    private static final ShopId SHOP = ShopId.of("refunds-ingest.myshopify.com");
    private static final ShopId OTHER = ShopId.of("refunds-other.myshopify.com");
    private static final Instant DAY1 = Instant.parse("2026-11-20T08:00:00Z");
    private static final Instant DAY2 = Instant.parse("2026-11-21T08:00:00Z");
    private static final LocalDate AS_OF = LocalDate.of(2026, 11, 28);
    private static final long ANN = 101;
    private static final long BO = 102;

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
    void refundsAreOneRowEachAndNetRevenueIsOrdersTotalMinusRefunds() {
        Path landing = temp.resolve("landing");
        LandingLayout layout = new LandingLayout(landing);
        try (LandingZone day1 = new LandingZone(layout, Clock.fixed(DAY1, ZoneOffset.UTC))) {
            for (ShopId shop : List.of(SHOP, OTHER)) {
                webhook(day1, DAY1, shop, "customers/create", "c-ann", customer(ANN));
                webhook(day1, DAY1, shop, "customers/create", "c-bo", customer(BO));
            }
            // Ann: order 1 (100.00) partly refunded (30.00), order 2 (50.00) not refunded.
            webhook(day1, DAY1, SHOP, "orders/create", "o1", order(1, ANN, "100.00", "2026-11-01T10:00:00Z"));
            webhook(day1, DAY1, SHOP, "orders/create", "o2", order(2, ANN, "50.00", "2026-11-02T10:00:00Z"));
            webhook(day1, DAY1, SHOP, "refunds/create", "r11", refund(11, 1, "30.00", "2026-11-03T10:00:00Z", 1001, 1));
            webhook(day1, DAY1, SHOP, "refunds/create", "r11", refund(11, 1, "30.00", "2026-11-03T10:00:00Z", 1001, 1));
            webhook(day1, DAY1, SHOP, "orders/updated", "o1-r", order(1, ANN, "100.00", "2026-11-03T10:00:01Z",
                    refund(11, 1, "30.00", "2026-11-03T10:00:00Z", 1001, 1)));
            // Bo: order 3 (80.00) fully refunded; order 4 (40.00) refunded twice (10.00, then 5.00).
            webhook(day1, DAY1, SHOP, "orders/create", "o3", order(3, BO, "80.00", "2026-11-04T10:00:00Z"));
            webhook(day1, DAY1, SHOP, "orders/updated", "o3-r", order(3, BO, "80.00", "2026-11-05T10:00:01Z",
                    refund(13, 3, "80.00", "2026-11-05T10:00:00Z", 3001, 2)));
            webhook(day1, DAY1, SHOP, "refunds/create", "r13", refund(13, 3, "80.00", "2026-11-05T10:00:00Z", 3001, 2));
            webhook(day1, DAY1, SHOP, "orders/create", "o4", order(4, BO, "40.00", "2026-11-06T10:00:00Z"));
            webhook(day1, DAY1, SHOP, "orders/updated", "o4-r1", order(4, BO, "40.00", "2026-11-07T10:00:01Z",
                    refund(14, 4, "10.00", "2026-11-07T10:00:00Z", 4001, 1)));
            // The same order ids and refund ids in another shop are other rows.
            webhook(day1, DAY1, OTHER, "orders/create", "x1", order(1, ANN, "999.00", "2026-11-01T10:00:00Z"));
            webhook(day1, DAY1, OTHER, "refunds/create", "x11", refund(11, 1, "9.00", "2026-11-03T10:00:00Z", 1001, 1));
        }
        IngestJob.run(lake.spark, lake.lakehouse, landing);

        // Day 2: the second refund of order 4 lands before the order update that carries both; redelivered too.
        try (LandingZone day2 = new LandingZone(layout, Clock.fixed(DAY2, ZoneOffset.UTC))) {
            webhook(day2, DAY2, SHOP, "refunds/create", "r15", refund(15, 4, "5.00", "2026-11-08T10:00:00Z", 4001, 1));
            webhook(day2, DAY2, SHOP, "refunds/create", "r15", refund(15, 4, "5.00", "2026-11-08T10:00:00Z", 4001, 1));
            webhook(day2, DAY2, SHOP, "orders/updated", "o4-r2", order(4, BO, "40.00", "2026-11-08T10:00:01Z",
                    refund(14, 4, "10.00", "2026-11-07T10:00:00Z", 4001, 1),
                    refund(15, 4, "5.00", "2026-11-08T10:00:00Z", 4001, 1)));
        }
        IngestJob.run(lake.spark, lake.lakehouse, landing);

        assertThat(refunds(SHOP)).containsExactly(
                "11 order 1 customer 101 30.00 USD orders/updated",
                "13 order 3 customer 102 80.00 USD orders/updated",
                "14 order 4 customer 102 10.00 USD orders/updated",
                "15 order 4 customer 102 5.00 USD orders/updated");
        assertThat(refunds(OTHER)).containsExactly("11 order 1 customer 101 9.00 USD refunds/create");
        assertThat(lake.spark.table(lake.lakehouse.refundLines())
                .where("shop_id = '" + SHOP.domain() + "'").orderBy("refund_id").collectAsList().stream()
                .map(r -> r.getAs("refund_id") + " line " + r.getAs("line_item_id") + " x" + r.getAs("quantity")
                        + " " + r.getAs("subtotal")).toList())
                .containsExactly("11 line 1001 x1 30.00", "13 line 3001 x2 80.00", "14 line 4001 x1 10.00",
                        "15 line 4001 x1 5.00");

        List<List<String>> before = List.of(lake.contents(lake.lakehouse.refunds()),
                lake.contents(lake.lakehouse.refundLines()), lake.contents(lake.lakehouse.orders()));
        IngestJob.run(lake.spark, lake.lakehouse, landing);
        assertThat(List.of(lake.contents(lake.lakehouse.refunds()), lake.contents(lake.lakehouse.refundLines()),
                lake.contents(lake.lakehouse.orders()))).as("a rerun changes nothing").isEqualTo(before);

        RfmJob.run(lake.spark, lake.lakehouse, AS_OF);

        Map<Long, BigDecimal> monetary = new TreeMap<>();
        for (Row row : lake.spark.table(lake.lakehouse.customerRfm())
                .where("shop_id = '" + SHOP.domain() + "' AND as_of_date = DATE '" + AS_OF + "'").collectAsList()) {
            monetary.put(row.getAs("customer_id"), row.getAs("monetary"));
        }
        Map<Long, BigDecimal> ordersMinusRefunds = new TreeMap<>();
        for (Row row : lake.spark.sql("""
                SELECT o.customer_id, sum(o.total_price) - coalesce(sum(r.refunded), 0) AS net
                FROM %1$s o LEFT JOIN (SELECT shop_id, order_id, sum(amount) AS refunded FROM %2$s
                                       GROUP BY shop_id, order_id) r
                  ON o.shop_id = r.shop_id AND o.order_id = r.order_id
                WHERE o.shop_id = '%3$s'
                GROUP BY o.customer_id""".formatted(lake.lakehouse.orders(), lake.lakehouse.refunds(),
                SHOP.domain())).collectAsList()) {
            ordersMinusRefunds.put(row.getAs("customer_id"), row.getAs("net"));
        }
        // Ann 100 - 30 + 50; Bo 80 - 80 (a fully refunded order counts for nothing) + 40 - 10 - 5.
        assertThat(ordersMinusRefunds).containsOnlyKeys(ANN, BO);
        assertThat(ordersMinusRefunds.get(ANN)).isEqualByComparingTo("120.00");
        assertThat(ordersMinusRefunds.get(BO)).isEqualByComparingTo("25.00");
        assertThat(monetary).containsOnlyKeys(ANN, BO);
        monetary.forEach((customer, value) -> assertThat(value).as("customer " + customer)
                .isEqualByComparingTo(ordersMinusRefunds.get(customer)));
    }

    private static List<String> refunds(ShopId shop) {
        return lake.spark.table(lake.lakehouse.refunds()).where("shop_id = '" + shop.domain() + "'")
                .orderBy("refund_id").collectAsList().stream()
                .map(r -> r.getAs("refund_id") + " order " + r.getAs("order_id") + " customer "
                        + r.getAs("customer_id") + " " + r.getAs("amount") + " " + r.getAs("currency") + " "
                        + r.getAs("source_topic"))
                .toList();
    }

    private static void webhook(LandingZone zone, Instant at, ShopId shop, String topic, String id, String body) {
        zone.appendWebhook(LandingEnvelope.webhook(shop, topic, id, at, Optional.of(at), Optional.of("2026-07"),
                body));
    }

    private static String customer(long id) {
        return "{\"id\":" + id + ",\"email\":\"c" + id + "@example.com\",\"created_at\":\"2026-10-01T00:00:00Z\","
                + "\"updated_at\":\"2026-10-01T00:00:00Z\"}";
    }

    /** A REST order as orders/* webhooks carry it, with its refunds (REST refund bodies). */
    private static String order(long id, long customer, String total, String updatedAt, String... refunds) {
        return "{\"id\":" + id + ",\"name\":\"#" + id + "\",\"created_at\":\"2026-11-01T00:00:00Z\","
                + "\"processed_at\":\"2026-11-01T00:00:00Z\",\"updated_at\":\"" + updatedAt + "\","
                + "\"financial_status\":\"paid\",\"currency\":\"USD\",\"total_price\":\"" + total + "\","
                + "\"test\":false,\"customer\":{\"id\":" + customer + "},\"line_items\":[],"
                + "\"refunds\":[" + String.join(",", refunds) + "]}";
    }

    /** A REST refund (the refunds/create body) with one successful transaction and one refunded line. */
    private static String refund(long id, long order, String amount, String createdAt, long lineItem, int quantity) {
        return "{\"id\":" + id + ",\"order_id\":" + order + ",\"created_at\":\"" + createdAt + "\","
                + "\"processed_at\":\"" + createdAt + "\",\"note\":\"customer changed their mind\","
                + "\"refund_line_items\":[{\"id\":" + (id * 100) + ",\"line_item_id\":" + lineItem + ",\"quantity\":"
                + quantity + ",\"subtotal\":\"" + amount + "\"}],"
                + "\"transactions\":[{\"id\":" + (id * 10) + ",\"kind\":\"refund\",\"status\":\"success\","
                + "\"amount\":\"" + amount + "\",\"currency\":\"USD\"}]}";
    }
}
