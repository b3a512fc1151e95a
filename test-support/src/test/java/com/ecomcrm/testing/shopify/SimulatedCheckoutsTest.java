package com.ecomcrm.testing.shopify;

import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The simulated stores' checkouts: abandoned ones, recovered ones, and how Shopify would report both. */
class SimulatedCheckoutsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ShopId SHOP = ShopId.of("sim-checkouts.myshopify.com");
    private static final SimulatedStore STORE = StoreGenerator.generate(5, SHOP, 2_000);

    @Test
    void aQuarterOfTheCustomersLeaveACheckoutAndATenthOfTheOrdersWereLeftFirst() {
        long abandoned = STORE.abandonedCheckouts().size();
        long recovered = STORE.checkouts().size() - abandoned;
        assertThat((double) abandoned / STORE.customers().size()).isCloseTo(StoreGenerator.ABANDONING_SHARE,
                within(0.03));
        assertThat((double) recovered / STORE.orders().size()).isCloseTo(StoreGenerator.RECOVERED_SHARE,
                within(0.03));
    }

    @Test
    void aRecoveredCheckoutCompletesWhenItsOrderIsPlacedWithTheOrdersLinesAndTotal() {
        Map<Long, SimulatedOrder> orders = STORE.orders().stream()
                .collect(Collectors.toMap(SimulatedOrder::id, Function.identity()));
        List<SimulatedCheckout> recovered = STORE.checkouts().stream().filter(c -> !c.isAbandoned()).toList();
        assertThat(recovered).isNotEmpty().allSatisfy(c -> {
            SimulatedOrder order = orders.get(c.orderId());
            assertThat(c.completedAt()).isEqualTo(order.createdAt());
            assertThat(c.customerId()).isEqualTo(order.customerId());
            assertThat(c.totalPrice()).isEqualByComparingTo(order.totalPrice());
            assertThat(c.createdAt()).isBefore(order.createdAt().minusSeconds(2 * 3600 - 1));
        });
    }

    @Test
    void checkoutsDoNotChangeTheCustomersOrOrdersOfASeedAndAreThemselvesDeterministic() {
        SimulatedStore again = StoreGenerator.generate(5, SHOP, 2_000);
        assertThat(again.checkouts()).isEqualTo(STORE.checkouts());
        assertThat(again.orders()).isEqualTo(STORE.orders());
        assertThat(STORE.checkouts()).extracting(SimulatedCheckout::token).doesNotHaveDuplicates();
        assertThat(STORE.checkouts()).allSatisfy(c -> assertThat(c.updatedAt()).isAfterOrEqualTo(c.createdAt()));
    }

    @Test
    void theBulkQueryListsOnlyAbandonedCheckoutsWithTheTokenInTheirRecoveryUrl() throws Exception {
        String text = new String(BulkJsonlWriter.toBytes(STORE, BulkObjectType.ABANDONED_CHECKOUTS),
                StandardCharsets.UTF_8);
        List<JsonNode> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            lines.add(JSON.readTree(line));
        }
        assertThat(lines).hasSize(STORE.abandonedCheckouts().size());
        SimulatedCheckout first = STORE.abandonedCheckouts().get(0);
        JsonNode firstLine = lines.get(0);
        assertThat(firstLine.get("id").asText()).isEqualTo("gid://shopify/AbandonedCheckout/" + first.id());
        assertThat(firstLine.get("abandonedCheckoutUrl").asText())
                .startsWith("https://" + SHOP.domain() + "/checkouts/" + first.token() + "/recover?key=");
        assertThat(firstLine.get("completedAt").isNull()).isTrue();
        assertThat(firstLine.at("/customer/email").asText()).isEqualTo(first.email());
        assertThat(firstLine.at("/totalPriceSet/shopMoney/amount").asText()).isEqualTo(first.totalPrice().toPlainString());
        assertThat(BulkObjectType.fromRootField("abandonedCheckouts")).contains(BulkObjectType.ABANDONED_CHECKOUTS);
    }

    @Test
    void theWebhookTimelineCreatesEveryCheckoutAndCompletesTheRecoveredOnesAfterTheirOrder() throws Exception {
        List<SimulatedWebhook> timeline = WebhookTimeline.of(STORE);
        List<SimulatedWebhook> creates = timeline.stream()
                .filter(w -> w.topic().equals(WebhookTimeline.CHECKOUTS_CREATE)).toList();
        assertThat(creates).hasSize(STORE.checkouts().size());
        JsonNode created = JSON.readTree(creates.get(0).body());
        assertThat(created.get("completed_at").isNull()).isTrue();
        assertThat(created.get("token").asText()).isEqualTo(STORE.checkouts().get(0).token());

        SimulatedCheckout recovered = STORE.checkouts().stream().filter(c -> !c.isAbandoned()).findFirst().orElseThrow();
        int orderAt = -1;
        int completedAt = -1;
        for (int i = 0; i < timeline.size(); i++) {
            SimulatedWebhook w = timeline.get(i);
            JsonNode body = JSON.readTree(w.body());
            if (w.topic().equals(WebhookTimeline.ORDERS_CREATE) && body.get("id").asLong() == recovered.orderId()) {
                orderAt = i;
            }
            if (w.topic().equals(WebhookTimeline.CHECKOUTS_UPDATE) && body.get("token").asText()
                    .equals(recovered.token())) {
                completedAt = i;
                assertThat(body.get("completed_at").asText()).isNotEmpty();
            }
        }
        assertThat(orderAt).isNotNegative();
        assertThat(completedAt).isGreaterThan(orderAt);
    }
}
