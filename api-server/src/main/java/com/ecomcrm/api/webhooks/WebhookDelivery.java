package com.ecomcrm.api.webhooks;

import com.ecomcrm.domain.ShopId;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** A verified webhook delivery, ready to land. The body is the exact text Shopify signed. */
public record WebhookDelivery(ShopId shop, WebhookTopic topic, String webhookId, Optional<Instant> triggeredAt,
                              Optional<String> apiVersion, String body) {
    public WebhookDelivery {
        requireNonNull(shop, "shop is null");
        requireNonNull(topic, "topic is null");
        requireNonNull(webhookId, "webhookId is null");
        requireNonNull(triggeredAt, "triggeredAt is null");
        requireNonNull(apiVersion, "apiVersion is null");
        requireNonNull(body, "body is null");
    }
}
