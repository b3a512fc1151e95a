package com.ecomcrm.api.billing;

import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * The immediate effect of an {@code app_subscriptions/update} webhook (run by the webhook handler before it answers):
 * the subscription's status is stored and the shop's plan recomputed ({@code ACTIVE} -> the subscription's plan;
 * {@code CANCELLED}, {@code DECLINED}, {@code EXPIRED}, {@code FROZEN} -> back to free unless another subscription is
 * active). The event's time is the payload's {@code updated_at}, else {@code X-Shopify-Triggered-At}, else the receipt
 * time; an event older than the stored status changes nothing. A payload without an id or status is logged and
 * skipped (it is landed anyway): retrying it would never succeed.
 */
public final class SubscriptionWebhook {
    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionWebhook.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> STATUSES = Set.of("PENDING", "ACTIVE", "DECLINED", "EXPIRED", "FROZEN",
            "CANCELLED", "ACCEPTED");

    private final BillingStore store;

    public SubscriptionWebhook(BillingStore store) {
        this.store = requireNonNull(store, "store is null");
    }

    public Future<Void> apply(ShopId shop, String body, Optional<Instant> triggeredAt, Instant receivedAt) {
        Optional<BillingStore.StatusChange> change = parse(body, triggeredAt, receivedAt);
        if (change.isEmpty()) {
            LOG.warn("Ignoring an app_subscriptions/update for {} without a usable id and status", shop);
            return Future.succeededFuture();
        }
        return store.apply(shop, change.get()).onSuccess(applied -> {
            if (!applied) {
                LOG.info("Ignoring an app_subscriptions/update for {} older than the stored status of {}", shop,
                        change.get().subscriptionId());
            }
        }).mapEmpty();
    }

    /** The effect of {@code app/uninstalled} on billing: see {@link BillingStore#uninstalled}. */
    public Future<Void> uninstalled(ShopId shop, Instant receivedAt) {
        return store.uninstalled(shop, receivedAt);
    }

    static Optional<BillingStore.StatusChange> parse(String body, Optional<Instant> triggeredAt, Instant receivedAt) {
        JsonNode subscription;
        try {
            subscription = JSON.readTree(body).path("app_subscription");
        }
        catch (IOException e) {
            return Optional.empty();
        }
        String id = subscription.path("admin_graphql_api_id").asText("");
        String status = subscription.path("status").asText("").toUpperCase(java.util.Locale.ROOT);
        if (!id.startsWith("gid://shopify/AppSubscription/") || !STATUSES.contains(status)) {
            return Optional.empty();
        }
        Instant at = ShopifyBilling.instant(subscription.path("updated_at"))
                .or(() -> triggeredAt).orElse(receivedAt);
        return Optional.of(new BillingStore.StatusChange(id, Optional.ofNullable(subscription.path("name")
                .asText(null)), status, at, Optional.empty()));
    }
}
