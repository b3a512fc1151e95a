package com.ecomcrm.testing.shopify;

import com.ecomcrm.domain.ShopId;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import static java.util.Objects.requireNonNull;

/**
 * One webhook delivery as Shopify would make it, before signing: the topic, the delivery and event ids (deterministic
 * from the seed), when it was triggered, the payload's API version and the exact body bytes.
 */
public record SimulatedWebhook(ShopId shop, String topic, String webhookId, String eventId, Instant triggeredAt,
                               String apiVersion, byte[] body) {
    private static final DateTimeFormatter TRIGGERED_AT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    public SimulatedWebhook {
        requireNonNull(shop, "shop is null");
        requireNonNull(topic, "topic is null");
        requireNonNull(webhookId, "webhookId is null");
        requireNonNull(eventId, "eventId is null");
        requireNonNull(triggeredAt, "triggeredAt is null");
        requireNonNull(apiVersion, "apiVersion is null");
        body = body.clone();
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** {@code X-Shopify-Triggered-At} as Shopify writes it: {@code 2025-07-10T16:15:47.000000Z}. */
    public String triggeredAtHeader() {
        return TRIGGERED_AT.format(triggeredAt);
    }
}
