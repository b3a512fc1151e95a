package com.ecomcrm.api.billing;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class SubscriptionWebhookTest {
    private static final Instant RECEIVED = Instant.parse("2026-01-02T00:00:00Z");
    private static final Instant TRIGGERED = Instant.parse("2026-01-01T12:00:00Z");

    @Test
    void theEventTimeIsUpdatedAtElseTriggeredAtElseReceipt() {
        String sample = "{\"app_subscription\":{\"admin_graphql_api_id\":\"gid://shopify/AppSubscription/1029266977\","
                + "\"name\":\"Webhook Test\",\"status\":\"PENDING\",\"updated_at\":\"2021-12-31T19:00:00-05:00\"}}";
        BillingStore.StatusChange change = SubscriptionWebhook.parse(sample, Optional.of(TRIGGERED), RECEIVED)
                .orElseThrow();
        assertThat(change.subscriptionId()).isEqualTo("gid://shopify/AppSubscription/1029266977");
        assertThat(change.status()).isEqualTo("PENDING");
        assertThat(change.subscriptionName()).contains("Webhook Test");
        assertThat(change.at()).isEqualTo(Instant.parse("2022-01-01T00:00:00Z"));

        String noTime = "{\"app_subscription\":{\"admin_graphql_api_id\":\"gid://shopify/AppSubscription/1\","
                + "\"status\":\"cancelled\"}}";
        assertThat(SubscriptionWebhook.parse(noTime, Optional.of(TRIGGERED), RECEIVED).orElseThrow().at())
                .isEqualTo(TRIGGERED);
        assertThat(SubscriptionWebhook.parse(noTime, Optional.empty(), RECEIVED).orElseThrow().status())
                .isEqualTo("CANCELLED");
    }

    @Test
    void aPayloadWithoutIdOrKnownStatusIsSkipped() {
        assertThat(SubscriptionWebhook.parse("{\"app_subscription\":{\"status\":\"ACTIVE\"}}", Optional.empty(),
                RECEIVED)).isEmpty();
        assertThat(SubscriptionWebhook.parse("{\"app_subscription\":{\"admin_graphql_api_id\":"
                + "\"gid://shopify/AppSubscription/1\",\"status\":\"WHATEVER\"}}", Optional.empty(), RECEIVED)).isEmpty();
        assertThat(SubscriptionWebhook.parse("not json", Optional.empty(), RECEIVED)).isEmpty();
    }
}
