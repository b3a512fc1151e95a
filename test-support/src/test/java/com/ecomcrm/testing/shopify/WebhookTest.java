package com.ecomcrm.testing.shopify;

import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SimulatedStore STORE = StoreGenerator.generate(5, ShopId.of("sim-1.myshopify.com"), 300);

    @Test
    @DisplayName("the signer reproduces shopify-platform.md's webhook test vectors W1-W3")
    void signerMatchesTestVectors() {
        String w1 = "{\"id\":706405506930370084,\"email\":\"bob@biller.com\",\"first_name\":\"Bob\",\"last_name\":\"Biller\"}";
        String w2 = "{\"shop_id\":954889,\"shop_domain\":\"demo-store.myshopify.com\"}";
        assertThat(w1.getBytes(StandardCharsets.UTF_8)).hasSize(90);
        assertThat(new WebhookSigner("test-client-secret").sign(w1)).isEqualTo("OULztfvrfUa3uMmdYmQQX6ecI79nR9hQQ/8xnQgPka0=");
        assertThat(new WebhookSigner("test-client-secret").sign(w2)).isEqualTo("CqoEW7ht6MrXdIYZLokiwgDDe4ywXuIW4U7/tA88anw=");
        assertThat(new WebhookSigner("other-secret").sign(w2)).isEqualTo("iqvgTqxV153ySzDAb5nZdre5C6FHDFNts4R76870fX0=");
    }

    @Test
    @DisplayName("customer and order bodies carry what the app's endpoint requires, REST-shaped")
    void bodiesCarryRequiredFields() throws Exception {
        WebhookPayloads payloads = new WebhookPayloads();
        SimulatedOrder order = STORE.orders().get(0);
        SimulatedCustomer customer = STORE.customers().stream().filter(c -> c.id() == order.customerId()).findFirst()
                .orElseThrow();
        JsonNode c = JSON.readTree(payloads.customerCreate(customer));
        assertThat(c.get("id").isIntegralNumber()).isTrue();
        assertThat(c.get("id").asLong()).isEqualTo(customer.id());
        assertThat(c.get("email").asText()).isEqualTo(customer.email());
        assertThat(c.get("first_name").asText()).isEqualTo(customer.firstName());
        assertThat(OffsetDateTime.parse(c.get("updated_at").asText()).toInstant()).isEqualTo(customer.createdAt());
        assertThat(c.at("/email_marketing_consent/state").asText()).isIn("subscribed", "not_subscribed", "pending",
                "unsubscribed");

        JsonNode o = JSON.readTree(payloads.orderCreate(order, customer));
        assertThat(o.get("id").asLong()).isEqualTo(order.id());
        assertThat(o.get("admin_graphql_api_id").asText()).isEqualTo(order.gid());
        assertThat(o.get("total_price").asText()).isEqualTo(order.totalPrice().toPlainString());
        assertThat(o.get("financial_status").asText()).isEqualTo("paid");
        assertThat(o.at("/customer/id").asLong()).isEqualTo(customer.id());
        assertThat(o.get("line_items")).hasSize(order.lines().size());
        assertThat(o.at("/line_items/0/product_id").isIntegralNumber()).isTrue();
        assertThat(o.at("/line_items/0/price").asText()).matches("\\d+\\.\\d\\d");
        assertThat(o.get("refunds").isArray()).isTrue();
        assertThat(OffsetDateTime.parse(o.get("created_at").asText()).toInstant()).isEqualTo(order.createdAt());

        SimulatedOrder refunded = STORE.orders().stream().filter(x -> x.financialStatus().equals("REFUNDED"))
                .findFirst().orElseThrow();
        JsonNode r = JSON.readTree(payloads.orderUpdated(refunded, null));
        assertThat(r.get("financial_status").asText()).isEqualTo("refunded");
        assertThat(r.at("/refunds/0/transactions/0/amount").asText()).isEqualTo(refunded.totalPrice().toPlainString());
    }

    @Test
    @DisplayName("every refund is on the timeline as refunds/create, with the ids, lines and money the bulk file has")
    void refundsAreOnTheTimeline() throws Exception {
        Map<Long, SimulatedOrder> refundedOrders = new HashMap<>();
        STORE.orders().forEach(o -> o.refunds().forEach(r -> refundedOrders.put(r.id(), o)));
        assertThat(refundedOrders).isNotEmpty();
        List<SimulatedWebhook> created = WebhookTimeline.of(STORE).stream()
                .filter(w -> w.topic().equals(WebhookTimeline.REFUNDS_CREATE)).toList();
        assertThat(created).hasSize(refundedOrders.size());
        for (SimulatedWebhook webhook : created) {
            JsonNode refund = JSON.readTree(webhook.body());
            SimulatedOrder order = refundedOrders.get(refund.get("id").asLong());
            SimulatedRefund expected = order.refunds().get(0);
            assertThat(refund.get("order_id").asLong()).isEqualTo(order.id());
            assertThat(refund.get("admin_graphql_api_id").asText()).isEqualTo(expected.gid());
            assertThat(OffsetDateTime.parse(refund.get("created_at").asText()).toInstant())
                    .isEqualTo(expected.createdAt()).isEqualTo(webhook.triggeredAt());
            assertThat(refund.at("/transactions/0/kind").asText()).isEqualTo("refund");
            assertThat(refund.at("/transactions/0/status").asText()).isEqualTo("success");
            assertThat(refund.at("/transactions/0/amount").asText()).isEqualTo(expected.amount().toPlainString());
            assertThat(refund.get("refund_line_items")).hasSize(expected.lines().size());
            assertThat(refund.at("/refund_line_items/0/line_item_id").asLong())
                    .isEqualTo(expected.lines().get(0).lineItemId());
            assertThat(refund.at("/refund_line_items/0/subtotal_set/shop_money/amount").asText())
                    .isEqualTo(expected.lines().get(0).subtotal().toPlainString());
            // The order's own update carries the same refund.
            JsonNode updated = JSON.readTree(new WebhookPayloads().orderUpdated(order, null));
            assertThat(updated.at("/refunds/0/id").asLong()).isEqualTo(expected.id());
            assertThat(updated.get("current_total_price").asText())
                    .isEqualTo(order.totalPrice().subtract(order.totalRefunded()).toPlainString());
        }
        SimulatedOrder partly = STORE.orders().stream()
                .filter(o -> o.financialStatus().equals("PARTIALLY_REFUNDED")).findFirst().orElseThrow();
        JsonNode partlyUpdated = JSON.readTree(new WebhookPayloads().orderUpdated(partly, null));
        assertThat(partlyUpdated.get("financial_status").asText()).isEqualTo("partially_refunded");
        long refundedLine = partly.refunds().get(0).lines().get(0).lineItemId();
        for (JsonNode line : partlyUpdated.get("line_items")) {
            int quantity = line.get("quantity").asInt();
            assertThat(line.get("current_quantity").asInt())
                    .isEqualTo(line.get("id").asLong() == refundedLine ? quantity - 1 : quantity);
        }
    }

    @Test
    @DisplayName("the timeline is in trigger order, with unique ids that are the same on every run")
    void timelineIsOrderedAndDeterministic() {
        List<SimulatedWebhook> timeline = WebhookTimeline.of(STORE);
        List<SimulatedWebhook> again = WebhookTimeline.of(StoreGenerator.generate(5, ShopId.of("sim-1.myshopify.com"), 300));
        assertThat(timeline).hasSize(again.size());
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < timeline.size(); i++) {
            assertThat(ids.add(timeline.get(i).webhookId())).isTrue();
            assertThat(timeline.get(i).webhookId()).isEqualTo(again.get(i).webhookId());
            assertThat(timeline.get(i).body()).isEqualTo(again.get(i).body());
            if (i > 0) {
                assertThat(timeline.get(i).triggeredAt()).isAfterOrEqualTo(timeline.get(i - 1).triggeredAt());
            }
        }
        assertThat(timeline).extracting(SimulatedWebhook::topic).contains(WebhookTimeline.CUSTOMERS_CREATE,
                WebhookTimeline.ORDERS_CREATE, WebhookTimeline.ORDERS_UPDATED, WebhookTimeline.CUSTOMERS_UPDATE);
        assertThat(WebhookTimeline.of(StoreGenerator.generate(6, ShopId.of("sim-1.myshopify.com"), 300)).get(0).webhookId())
                .isNotEqualTo(timeline.get(0).webhookId());
    }

    @Test
    @DisplayName("the sender POSTs the exact body with Shopify's headers and a verifiable HMAC")
    void senderSendsShopifyHeaders() throws Exception {
        AtomicReference<Map<String, String>> headers = new AtomicReference<>();
        AtomicReference<byte[]> body = new AtomicReference<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/webhooks", exchange -> {
            Map<String, String> seen = new HashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> seen.put(k.toLowerCase(), v.get(0)));
            headers.set(seen);
            body.set(exchange.getRequestBody().readAllBytes());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        try {
            SimulatedWebhook webhook = WebhookTimeline.of(STORE).get(0);
            URI url = URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/webhooks");
            int status = new WebhookSender(HttpClient.newHttpClient(), url, "ecomcrm-dev-client-secret").send(webhook);

            assertThat(status).isEqualTo(200);
            assertThat(body.get()).isEqualTo(webhook.body());
            Map<String, String> h = headers.get();
            assertThat(h).containsEntry("x-shopify-topic", webhook.topic())
                    .containsEntry("x-shopify-shop-domain", "sim-1.myshopify.com")
                    .containsEntry("x-shopify-webhook-id", webhook.webhookId())
                    .containsEntry("x-shopify-event-id", webhook.eventId())
                    .containsEntry("x-shopify-api-version", "2025-10")
                    .containsEntry("content-type", "application/json")
                    .containsEntry("x-shopify-hmac-sha256", new WebhookSigner("ecomcrm-dev-client-secret").sign(body.get()));
            assertThat(Instant.parse(h.get("x-shopify-triggered-at"))).isEqualTo(webhook.triggeredAt());
            assertThat(h.get("x-shopify-triggered-at")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
        }
        finally {
            receiver.stop(0);
        }
    }
}
