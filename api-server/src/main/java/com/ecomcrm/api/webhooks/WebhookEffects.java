package com.ecomcrm.api.webhooks;

import com.ecomcrm.api.billing.SubscriptionWebhook;
import com.ecomcrm.api.compliance.ComplianceNotice;
import com.ecomcrm.api.compliance.ComplianceWebhook;
import com.ecomcrm.api.tokens.ShopTokens;
import io.vertx.core.Future;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * What must happen at once rather than in the nightly run: an uninstall ends the shop's tokens and stops its sends
 * now; a subscription change sets the shop's plan now (and an uninstall drops it to free); a compliance topic becomes
 * a pending request. Every other topic is only landed.
 */
public final class WebhookEffects {
    private final ShopTokens shopTokens;
    private final SubscriptionWebhook subscriptions;
    private final ComplianceWebhook compliance;

    /**
     * @param subscriptions the effect of {@code app_subscriptions/update}; null = none (landed only)
     * @param compliance    records compliance requests and stops sends on uninstall; null = none (tests of other
     *                      topics)
     */
    public WebhookEffects(ShopTokens shopTokens, SubscriptionWebhook subscriptions, ComplianceWebhook compliance) {
        this.shopTokens = requireNonNull(shopTokens, "shopTokens is null");
        this.subscriptions = subscriptions;
        this.compliance = compliance;
    }

    /** Whether a delivery of this topic has an effect beyond landing. */
    public boolean hasEffect(WebhookTopic topic) {
        return topic == WebhookTopic.APP_UNINSTALLED
                || topic == WebhookTopic.APP_SUBSCRIPTIONS_UPDATE && subscriptions != null
                || compliance != null && ComplianceNotice.isCompliance(topic.topic());
    }

    public Future<Void> apply(WebhookDelivery delivery, Instant receivedAt) {
        if (compliance != null) {
            // Compliance requests are recorded before the other effects: Shopify's 30 days start at delivery.
            Future<Void> recorded = compliance.received(delivery.shop(), delivery.topic().topic(),
                    delivery.webhookId(), delivery.body(), receivedAt);
            if (delivery.topic() == WebhookTopic.APP_UNINSTALLED) {
                recorded = recorded.compose(done -> compliance.uninstalled(delivery.shop(), receivedAt)).mapEmpty();
            }
            return recorded.compose(done -> tokenAndPlanEffects(delivery, receivedAt));
        }
        return tokenAndPlanEffects(delivery, receivedAt);
    }

    private Future<Void> tokenAndPlanEffects(WebhookDelivery delivery, Instant receivedAt) {
        if (delivery.topic() == WebhookTopic.APP_UNINSTALLED) {
            Future<Void> revoked = shopTokens.revoke(delivery.shop(), receivedAt);
            return subscriptions == null ? revoked
                    : revoked.compose(done -> subscriptions.uninstalled(delivery.shop(), receivedAt));
        }
        if (delivery.topic() == WebhookTopic.APP_SUBSCRIPTIONS_UPDATE && subscriptions != null) {
            return subscriptions.apply(delivery.shop(), delivery.body(), delivery.triggeredAt(), receivedAt);
        }
        return Future.succeededFuture();
    }
}
