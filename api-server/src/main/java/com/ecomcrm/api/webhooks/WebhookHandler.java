package com.ecomcrm.api.webhooks;

import com.ecomcrm.api.billing.SubscriptionWebhook;
import com.ecomcrm.api.compliance.ComplianceWebhook;
import com.ecomcrm.api.tokens.ShopTokens;
import com.ecomcrm.landing.LandingEnvelope;
import com.ecomcrm.landing.LandingZone;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * {@code POST /webhooks}: verify, deduplicate, land durably, then answer 200. Shopify gives a delivery 5 seconds; the
 * only slow step is the fsync of the landing file, which runs on a worker thread so the event loop keeps answering.
 */
public final class WebhookHandler implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookHandler.class);

    private final Vertx vertx;
    private final WebhookDeliveryCheck check;
    private final WebhookReceipts receipts;
    private final LandingZone landingZone;
    private final ShopTokens shopTokens;
    private final Clock clock;
    private final SubscriptionWebhook subscriptions;
    private final ComplianceWebhook compliance;

    public WebhookHandler(Vertx vertx, WebhookDeliveryCheck check, WebhookReceipts receipts, LandingZone landingZone,
                          ShopTokens shopTokens, Clock clock) {
        this(vertx, check, receipts, landingZone, shopTokens, clock, null);
    }

    /** @param subscriptions the effect of {@code app_subscriptions/update}; null = none (landed only) */
    public WebhookHandler(Vertx vertx, WebhookDeliveryCheck check, WebhookReceipts receipts, LandingZone landingZone,
                          ShopTokens shopTokens, Clock clock, SubscriptionWebhook subscriptions) {
        this(vertx, check, receipts, landingZone, shopTokens, clock, subscriptions, null);
    }

    /**
     * @param compliance records compliance requests and stops sends on uninstall; null = none (tests of other
     *                   topics)
     */
    public WebhookHandler(Vertx vertx, WebhookDeliveryCheck check, WebhookReceipts receipts, LandingZone landingZone,
                          ShopTokens shopTokens, Clock clock, SubscriptionWebhook subscriptions,
                          ComplianceWebhook compliance) {
        this.subscriptions = subscriptions;
        this.compliance = compliance;
        this.vertx = requireNonNull(vertx, "vertx is null");
        this.check = requireNonNull(check, "check is null");
        this.receipts = requireNonNull(receipts, "receipts is null");
        this.landingZone = requireNonNull(landingZone, "landingZone is null");
        this.shopTokens = requireNonNull(shopTokens, "shopTokens is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public void handle(RoutingContext ctx) {
        byte[] raw = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        WebhookDeliveryCheck.Outcome outcome = check.check(raw, name -> ctx.request().getHeader(name));
        if (outcome instanceof WebhookDeliveryCheck.Refused refused) {
            WebhookRejection rejection = refused.rejection();
            ctx.response().setStatusCode(rejection.status()).putHeader("Content-Type", "application/json")
                    .end(new JsonObject().put("error", new JsonObject()
                            .put("code", rejection.status() == 401 ? "UNAUTHENTICATED" : "INVALID_INPUT")
                            .put("field", rejection.field())
                            .put("message", rejection.message())).encode());
            return;
        }
        WebhookDelivery delivery = ((WebhookDeliveryCheck.Accepted) outcome).delivery();
        Instant receivedAt = clock.instant();
        receipts.alreadyReceived(delivery.shop(), delivery.webhookId())
                .compose(seen -> seen ? Future.succeededFuture("duplicate") : land(delivery, receivedAt))
                .onSuccess(status -> ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("status", status).encode()))
                .onFailure(failure -> {
                    LOG.error("Cannot land webhook {} for shop {}", delivery.topic().topic(), delivery.shop(), failure);
                    // A non-2xx makes Shopify retry the delivery later, so nothing is lost.
                    ctx.fail(503, failure);
                });
    }

    private Future<String> land(WebhookDelivery delivery, Instant receivedAt) {
        LandingEnvelope envelope = LandingEnvelope.webhook(delivery.shop(), delivery.topic().topic(),
                delivery.webhookId(), receivedAt, delivery.triggeredAt(), delivery.apiVersion(), delivery.body());
        Future<Path> landed = vertx.executeBlocking(() -> landingZone.appendWebhook(envelope), false);
        // Effects run before the receipt is recorded: if one fails, the 503 makes Shopify retry, and the retry is not
        // mistaken for a duplicate. Landing twice is harmless (the ingest keeps one version per key).
        return landed.compose(file -> effects(delivery, receivedAt).map(file))
                .compose(file -> receipts.record(delivery, receivedAt, file)).map("accepted");
    }

    /**
     * What must happen at once rather than in the nightly run: an uninstall ends the shop's tokens now; a subscription
     * change sets the shop's plan now (and an uninstall drops it to free).
     */
    private Future<Void> effects(WebhookDelivery delivery, Instant receivedAt) {
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
