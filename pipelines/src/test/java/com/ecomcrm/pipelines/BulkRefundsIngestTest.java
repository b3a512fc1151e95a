package com.ecomcrm.pipelines;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.landing.LandingEnvelope;
import com.ecomcrm.landing.LandingLayout;
import com.ecomcrm.landing.LandingZone;
import com.ecomcrm.testing.shopify.BulkJsonlWriter;
import com.ecomcrm.testing.shopify.BulkObjectType;
import com.ecomcrm.testing.shopify.SimulatedCustomer;
import com.ecomcrm.testing.shopify.SimulatedOrder;
import com.ecomcrm.testing.shopify.SimulatedRefund;
import com.ecomcrm.testing.shopify.SimulatedStore;
import com.ecomcrm.testing.shopify.SimulatedWebhook;
import com.ecomcrm.testing.shopify.StoreGenerator;
import com.ecomcrm.testing.shopify.WebhookPayloads;
import com.ecomcrm.testing.shopify.WebhookTimeline;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Refunds made before install arrive in the initial import's orders file (inline in their order: {@code Order.refunds}
 * is a list field), and the same refunds can come again later by webhook (a redelivered {@code refunds/create}, an
 * {@code orders/updated} carrying them). Whichever way a refund came, and however often, it is one row of
 * silver.refunds, and the net revenue of every order is the same as for a shop whose history came only by webhooks,
 * and as the simulator's.
 */
class BulkRefundsIngestTest {
    private static final ShopId IMPORTED = ShopId.of("bulk-refunds.myshopify.com");
    /** The same store's history delivered only as webhooks, under another shop. */
    private static final ShopId BY_WEBHOOKS = ShopId.of("webhook-refunds.myshopify.com");
    private static final Instant INSTALL_DAY = Instant.parse("2026-01-02T08:00:00Z");
    private static final Instant NEXT_DAY = Instant.parse("2026-01-03T08:00:00Z");

    @TempDir
    static Path temp;
    static TestLakehouse lake;
    static SimulatedStore store;

    @BeforeAll
    static void start() {
        lake = TestLakehouse.start(temp.resolve("warehouse"));
        store = StoreGenerator.generate(8, IMPORTED, 400);
    }

    @AfterAll
    static void stop() {
        if (lake != null) {
            lake.close();
        }
    }

    @Test
    void aRefundImportedInBulkAndRedeliveredByWebhookIsCountedOnceAndNetRevenueMatchesTheWebhookPath() {
        Map<Long, SimulatedOrder> refundedOrders = store.orders().stream().filter(o -> !o.refunds().isEmpty())
                .collect(Collectors.toMap(SimulatedOrder::id, Function.identity(), (a, b) -> a, TreeMap::new));
        assertThat(refundedOrders.values()).extracting(SimulatedOrder::financialStatus)
                .contains("REFUNDED", "PARTIALLY_REFUNDED");
        Path landing = temp.resolve("landing");
        LandingLayout layout = new LandingLayout(landing);
        try (LandingZone day1 = new LandingZone(layout, Clock.fixed(INSTALL_DAY, ZoneOffset.UTC))) {
            day1.landBulk(IMPORTED, "customers", "gid://shopify/BulkOperation/7001",
                    new ByteArrayInputStream(BulkJsonlWriter.toBytes(store, BulkObjectType.CUSTOMERS)));
            day1.landBulk(IMPORTED, "orders", "gid://shopify/BulkOperation/7002",
                    new ByteArrayInputStream(BulkJsonlWriter.toBytes(store, BulkObjectType.ORDERS)));
            for (SimulatedWebhook webhook : WebhookTimeline.of(store)) {
                day1.appendWebhook(LandingEnvelope.webhook(BY_WEBHOOKS, webhook.topic(), webhook.webhookId(),
                        INSTALL_DAY, Optional.of(webhook.triggeredAt()), Optional.of(webhook.apiVersion()),
                        webhook.bodyText()));
            }
        }
        IngestJob.run(lake.spark, lake.lakehouse, landing);

        // The initial import alone: every refund with its money; which lines it returned is not in a bulk file.
        assertThat(refunds(IMPORTED)).isEqualTo(expectedRefunds());
        assertThat(refundLineCount(IMPORTED)).isZero();

        // After install the refunds come again by webhook, each twice (Shopify redelivers).
        WebhookPayloads payloads = new WebhookPayloads();
        Map<Long, SimulatedCustomer> customers = store.customers().stream()
                .collect(Collectors.toMap(SimulatedCustomer::id, Function.identity()));
        try (LandingZone day2 = new LandingZone(layout, Clock.fixed(NEXT_DAY, ZoneOffset.UTC))) {
            for (SimulatedOrder order : refundedOrders.values()) {
                for (int copy = 0; copy < 2; copy++) {
                    for (SimulatedRefund refund : order.refunds()) {
                        day2.appendWebhook(LandingEnvelope.webhook(IMPORTED, "refunds/create", "r-" + refund.id(),
                                NEXT_DAY, Optional.of(refund.createdAt()), Optional.of("2026-07"),
                                new String(payloads.refundCreate(refund, order), java.nio.charset.StandardCharsets.UTF_8)));
                    }
                    day2.appendWebhook(LandingEnvelope.webhook(IMPORTED, "orders/updated", "o-" + order.id(),
                            NEXT_DAY, Optional.of(order.updatedAt()), Optional.of("2026-07"), new String(
                                    payloads.orderUpdated(order, customers.get(order.customerId())),
                                    java.nio.charset.StandardCharsets.UTF_8)));
                }
            }
        }
        IngestJob.run(lake.spark, lake.lakehouse, landing);

        assertThat(refunds(IMPORTED)).as("one row per refund, whichever way it came").isEqualTo(expectedRefunds());
        assertThat(refunds(BY_WEBHOOKS)).isEqualTo(expectedRefunds());
        long simulatedRefundLines = refundedOrders.values().stream().flatMap(o -> o.refunds().stream())
                .mapToLong(r -> r.lines().size()).sum();
        assertThat(refundLineCount(IMPORTED)).isEqualTo(simulatedRefundLines);
        assertThat(refundLineCount(BY_WEBHOOKS)).isEqualTo(simulatedRefundLines);

        Map<Long, BigDecimal> expectedNet = new TreeMap<>();
        store.orders().forEach(o -> expectedNet.put(o.id(), o.totalPrice().subtract(o.totalRefunded())));
        assertThat(netRevenueByOrder(IMPORTED)).isEqualTo(expectedNet);
        assertThat(netRevenueByOrder(BY_WEBHOOKS)).isEqualTo(expectedNet);
        assertThat(ordersMinusRefundRows(IMPORTED)).isEqualTo(expectedNet);
        assertThat(ordersMinusRefundRows(BY_WEBHOOKS)).isEqualTo(expectedNet);
    }

    /** "refund order customer amount currency", one per simulated refund, in refund id order. */
    private static Map<Long, String> expectedRefunds() {
        Map<Long, String> expected = new TreeMap<>();
        for (SimulatedOrder order : store.orders()) {
            for (SimulatedRefund refund : order.refunds()) {
                expected.put(refund.id(), "order " + order.id() + " customer " + order.customerId() + " "
                        + refund.amount() + " " + order.currency() + " at " + refund.createdAt());
            }
        }
        return expected;
    }

    private static Map<Long, String> refunds(ShopId shop) {
        Map<Long, String> rows = new TreeMap<>();
        for (Row r : lake.spark.table(lake.lakehouse.refunds()).where("shop_id = '" + shop.domain() + "'")
                .collectAsList()) {
            String previous = rows.put(r.getAs("refund_id"), "order " + r.getAs("order_id") + " customer "
                    + r.getAs("customer_id") + " " + r.getAs("amount") + " " + r.getAs("currency") + " at "
                    + ((java.sql.Timestamp) r.getAs("created_at")).toInstant());
            assertThat(previous).as("refund " + r.getAs("refund_id") + " is one row").isNull();
        }
        return rows;
    }

    private static long refundLineCount(ShopId shop) {
        return lake.spark.table(lake.lakehouse.refundLines()).where("shop_id = '" + shop.domain() + "'").count();
    }

    /** silver.orders: total_price - total_refunded, what RFM and the KPIs count. */
    private static Map<Long, BigDecimal> netRevenueByOrder(ShopId shop) {
        Map<Long, BigDecimal> net = new TreeMap<>();
        for (Row r : lake.spark.sql("SELECT order_id, total_price - coalesce(total_refunded, 0) AS net FROM "
                + lake.lakehouse.orders() + " WHERE shop_id = '" + shop.domain() + "'").collectAsList()) {
            net.put(r.getAs("order_id"), ((BigDecimal) r.getAs("net")).setScale(2));
        }
        return net;
    }

    /** The same from the other table: each order's total minus its silver.refunds rows. */
    private static Map<Long, BigDecimal> ordersMinusRefundRows(ShopId shop) {
        Map<Long, BigDecimal> net = new TreeMap<>();
        for (Row r : lake.spark.sql("""
                SELECT o.order_id, o.total_price - coalesce(r.refunded, 0) AS net
                FROM %1$s o LEFT JOIN (SELECT shop_id, order_id, sum(amount) AS refunded FROM %2$s
                                       GROUP BY shop_id, order_id) r
                  ON o.shop_id = r.shop_id AND o.order_id = r.order_id
                WHERE o.shop_id = '%3$s'""".formatted(lake.lakehouse.orders(), lake.lakehouse.refunds(),
                shop.domain())).collectAsList()) {
            net.put(r.getAs("order_id"), ((BigDecimal) r.getAs("net")).setScale(2));
        }
        return net;
    }
}
