package com.ecomcrm.api.webhooks;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;

import static java.util.Objects.requireNonNull;

/**
 * {@code POST /webhooks}: verify (HMAC first), then hand the delivery to the {@link WebhookIntake}, which deduplicates
 * it and lands it durably in a batch with the deliveries arriving at the same time; answer 200 once it is on disk (or
 * known as a duplicate). Shopify gives a delivery 5 seconds; the slow steps (the fsync, PostgreSQL) never block the
 * event loop.
 */
public final class WebhookHandler implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookHandler.class);
    private static final byte[] NO_BODY = new byte[0];
    private static final String ACCEPTED = new JsonObject().put("status", "accepted").encode();
    private static final String DUPLICATE = new JsonObject().put("status", "duplicate").encode();

    private final WebhookDeliveryCheck check;
    private final WebhookIntake intake;
    private final Clock clock;

    public WebhookHandler(WebhookDeliveryCheck check, WebhookIntake intake, Clock clock) {
        this.check = requireNonNull(check, "check is null");
        this.intake = requireNonNull(intake, "intake is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public void handle(RoutingContext ctx) {
        byte[] raw = ctx.body().buffer() == null ? NO_BODY : ctx.body().buffer().getBytes();
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
        intake.receive(delivery, clock.instant())
                .onSuccess(received -> ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json")
                        .end(received == WebhookIntake.Outcome.ACCEPTED ? ACCEPTED : DUPLICATE))
                .onFailure(failure -> {
                    LOG.error("Cannot land webhook {} for shop {}", delivery.topic().topic(), delivery.shop(), failure);
                    // A non-2xx makes Shopify retry the delivery later, so nothing is lost.
                    ctx.fail(503, failure);
                });
    }
}
