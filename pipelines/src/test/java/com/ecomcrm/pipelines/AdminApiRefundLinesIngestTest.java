package com.ecomcrm.pipelines;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.landing.LandingEnvelope;
import com.ecomcrm.landing.LandingLayout;
import com.ecomcrm.landing.LandingZone;
import com.ecomcrm.landing.RestRefundBody;
import com.ecomcrm.testing.shopify.BulkJsonlWriter;
import com.ecomcrm.testing.shopify.BulkObjectType;
import com.ecomcrm.testing.shopify.SimulatedCustomer;
import com.ecomcrm.testing.shopify.SimulatedLine;
import com.ecomcrm.testing.shopify.SimulatedOrder;
import com.ecomcrm.testing.shopify.SimulatedRefund;
import com.ecomcrm.testing.shopify.SimulatedRefundQueries;
import com.ecomcrm.testing.shopify.SimulatedStore;
import com.ecomcrm.testing.shopify.SimulatedWebhook;
import com.ecomcrm.testing.shopify.StoreGenerator;
import com.ecomcrm.testing.shopify.WebhookPayloads;
import com.ecomcrm.testing.shopify.WebhookTimeline;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Refund lines of refunds made before install, as the app lands them after the bulk import (the refund read from the
 * Admin API, written as its {@code refunds/create} body under the {@code admin_api} source), become the same
 * silver.refund_lines rows, and the same net revenue per order line, as for a shop whose whole history came by webhooks;
 * when the same refunds come again later by webhook (redelivered, inside {@code orders/updated}), each (refund, line
 * item) is still one row.
 */
class AdminApiRefundLinesIngestTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ShopId IMPORTED = ShopId.of("admin-api-refunds.myshopify.com");
    private static final ShopId BY_WEBHOOKS = ShopId.of("admin-api-webhooks.myshopify.com");
    private static final Instant INSTALL_DAY = Instant.parse("2026-01-02T08:00:00Z");
    private static final Instant NEXT_DAY = Instant.parse("2026-01-03T08:00:00Z");
    /**
     * api-server's RefundLineQueries.REFUNDS for one refund, with room for every line of the simulated refunds (the app
     * asks for 10 and pages the rest; paging is RefundLinesImportTest's business).
     */
    private static final String REFUND = "query refundLines($ids: [ID!]!) { nodes(ids: $ids) { ... on Refund { "
            + "id createdAt note order { id } "
            + "refundLineItems(first: 150) { pageInfo { hasNextPage endCursor } nodes { id quantity restockType "
            + "lineItem { id } subtotalSet { shopMoney { amount currencyCode } } } } "
            + "transactions(first: 5) { nodes { id kind status gateway createdAt processedAt "
            + "amountSet { shopMoney { amount currencyCode } } } } } } }";

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
    void refundLinesFetchedAfterInstallAreTheRowsWebhooksGiveAndStayOneRowWhenWebhooksRepeatThem() throws Exception {
        Map<Long, SimulatedOrder> refundedOrders = store.orders().stream().filter(o -> !o.refunds().isEmpty())
                .collect(Collectors.toMap(SimulatedOrder::id, Function.identity(), (a, b) -> a, TreeMap::new));
        Path landing = temp.resolve("landing");
        LandingLayout layout = new LandingLayout(landing);
        try (LandingZone day1 = new LandingZone(layout, Clock.fixed(INSTALL_DAY, ZoneOffset.UTC))) {
            day1.landBulk(IMPORTED, "customers", "gid://shopify/BulkOperation/7101",
                    new ByteArrayInputStream(BulkJsonlWriter.toBytes(store, BulkObjectType.CUSTOMERS)));
            day1.landBulk(IMPORTED, "orders", "gid://shopify/BulkOperation/7102",
                    new ByteArrayInputStream(BulkJsonlWriter.toBytes(store, BulkObjectType.ORDERS)));
            day1.appendAdminApi(fetchedAfterInstall(refundedOrders));
            for (SimulatedWebhook webhook : WebhookTimeline.of(store)) {
                day1.appendWebhook(LandingEnvelope.webhook(BY_WEBHOOKS, webhook.topic(), webhook.webhookId(),
                        INSTALL_DAY, Optional.of(webhook.triggeredAt()), Optional.of(webhook.apiVersion()),
                        webhook.bodyText()));
            }
        }
        IngestJob.run(lake.spark, lake.lakehouse, landing);

        TreeSet<String> expected = simulatedRefundLines();
        assertThat(expected).hasSizeGreaterThan(10);
        assertThat(refundLines(IMPORTED)).containsExactlyElementsOf(expected);
        assertThat(refundLines(BY_WEBHOOKS)).containsExactlyElementsOf(expected);
        Map<String, BigDecimal> expectedNet = simulatedNetRevenuePerLine();
        assertThat(netRevenuePerLine(IMPORTED)).isEqualTo(expectedNet);
        assertThat(netRevenuePerLine(BY_WEBHOOKS)).isEqualTo(expectedNet);
        Map<Long, String> expectedRefunds = expectedRefunds();
        assertThat(refunds(IMPORTED)).isEqualTo(expectedRefunds);

        // Later the same refunds come by webhook, twice each (redelivery), and inside orders/updated.
        WebhookPayloads payloads = new WebhookPayloads();
        Map<Long, SimulatedCustomer> customers = store.customers().stream()
                .collect(Collectors.toMap(SimulatedCustomer::id, Function.identity()));
        try (LandingZone day2 = new LandingZone(layout, Clock.fixed(NEXT_DAY, ZoneOffset.UTC))) {
            for (SimulatedOrder order : refundedOrders.values()) {
                for (int copy = 0; copy < 2; copy++) {
                    for (SimulatedRefund refund : order.refunds()) {
                        day2.appendWebhook(LandingEnvelope.webhook(IMPORTED, "refunds/create", "r-" + refund.id(),
                                NEXT_DAY, Optional.of(refund.createdAt()), Optional.of("2026-07"),
                                new String(payloads.refundCreate(refund, order), StandardCharsets.UTF_8)));
                    }
                    day2.appendWebhook(LandingEnvelope.webhook(IMPORTED, "orders/updated", "o-" + order.id(),
                            NEXT_DAY, Optional.of(order.updatedAt()), Optional.of("2026-07"), new String(
                                    payloads.orderUpdated(order, customers.get(order.customerId())),
                                    StandardCharsets.UTF_8)));
                }
            }
        }
        IngestJob.run(lake.spark, lake.lakehouse, landing);

        assertThat(refundLines(IMPORTED)).as("one row per refund line, whichever way it came")
                .containsExactlyElementsOf(expected);
        assertThat(netRevenuePerLine(IMPORTED)).isEqualTo(expectedNet);
        assertThat(refunds(IMPORTED)).isEqualTo(expectedRefunds);
    }

    /** What the app lands for each refund: the simulated Admin API's answer, as a refunds/create body. */
    private static List<LandingEnvelope> fetchedAfterInstall(Map<Long, SimulatedOrder> refundedOrders) {
        List<LandingEnvelope> envelopes = new ArrayList<>();
        for (SimulatedOrder order : refundedOrders.values()) {
            for (SimulatedRefund refund : order.refunds()) {
                ObjectNode variables = JSON.createObjectNode();
                variables.putArray("ids").add(refund.gid());
                JsonNode node = SimulatedRefundQueries.answerData(store, REFUND, variables).get("nodes").get(0);
                assertThat(node.at("/refundLineItems/pageInfo/hasNextPage").asBoolean()).isFalse();
                List<JsonNode> lines = new ArrayList<>();
                node.at("/refundLineItems/nodes").forEach(lines::add);
                envelopes.add(LandingEnvelope.adminApi(IMPORTED, "refunds/create", refund.gid(), INSTALL_DAY,
                        Optional.empty(), RestRefundBody.of(node, lines)));
            }
        }
        return envelopes;
    }

    /** "refund line-item order refund-line quantity subtotal" for every simulated refund line. */
    private static TreeSet<String> simulatedRefundLines() {
        TreeSet<String> lines = new TreeSet<>();
        for (SimulatedOrder order : store.orders()) {
            for (SimulatedRefund refund : order.refunds()) {
                for (SimulatedRefund.Line line : refund.lines()) {
                    lines.add(refund.id() + " " + line.lineItemId() + " " + order.id() + " " + line.id() + " "
                            + line.quantity() + " " + line.subtotal());
                }
            }
        }
        return lines;
    }

    private static TreeSet<String> refundLines(ShopId shop) {
        TreeSet<String> lines = new TreeSet<>();
        List<Row> rows = lake.spark.table(lake.lakehouse.refundLines()).where("shop_id = '" + shop.domain() + "'")
                .collectAsList();
        for (Row r : rows) {
            lines.add(r.getAs("refund_id") + " " + r.getAs("line_item_id") + " " + r.getAs("order_id") + " "
                    + r.getAs("refund_line_id") + " " + r.getAs("quantity") + " " + r.getAs("subtotal"));
        }
        assertThat(lines).as("no (refund, line item) twice").hasSize(rows.size());
        return lines;
    }

    /** Each order line's total less what its refund lines gave back, from silver.order_lines and refund_lines. */
    private static Map<String, BigDecimal> netRevenuePerLine(ShopId shop) {
        Map<String, BigDecimal> net = new TreeMap<>();
        for (Row r : lake.spark.sql("""
                SELECT l.order_id, l.line_id, l.quantity * l.unit_price - coalesce(r.refunded, 0) AS net
                FROM %1$s l LEFT JOIN (SELECT shop_id, order_id, line_item_id, sum(subtotal) AS refunded FROM %2$s
                                       GROUP BY shop_id, order_id, line_item_id) r
                  ON l.shop_id = r.shop_id AND l.order_id = r.order_id AND l.line_id = r.line_item_id
                WHERE l.shop_id = '%3$s'""".formatted(lake.lakehouse.orderLines(), lake.lakehouse.refundLines(),
                shop.domain())).collectAsList()) {
            net.put(r.getAs("order_id") + "/" + r.getAs("line_id"), ((BigDecimal) r.getAs("net")).setScale(2));
        }
        return net;
    }

    private static Map<String, BigDecimal> simulatedNetRevenuePerLine() {
        Map<String, BigDecimal> net = new TreeMap<>();
        for (SimulatedOrder order : store.orders()) {
            for (SimulatedLine line : order.lines()) {
                BigDecimal refunded = order.refunds().stream().flatMap(r -> r.lines().stream())
                        .filter(l -> l.lineItemId() == line.id()).map(SimulatedRefund.Line::subtotal)
                        .reduce(BigDecimal.ZERO, BigDecimal::add);
                net.put(order.id() + "/" + line.id(), line.lineTotal().subtract(refunded).setScale(2));
            }
        }
        return net;
    }

    /** "order customer amount currency at", one per simulated refund. */
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
}
