package com.ecomcrm.api.webhooks;

import com.ecomcrm.api.tokens.ShopTokens;
import com.ecomcrm.domain.ShopId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Clock;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Runs {@link WebhookRegistrar} for a shop off the event loop and records the target it reconciled to, so later
 * calls can skip the Admin API round trip while neither the public URL nor the API version changed.
 */
public final class WebhookSetup {
    private final Vertx vertx;
    private final WebhookRegistrar registrar;
    private final ShopTokens shops;
    private final Clock clock;

    public WebhookSetup(Vertx vertx, WebhookRegistrar registrar, ShopTokens shops, Clock clock) {
        this.vertx = requireNonNull(vertx, "vertx is null");
        this.registrar = requireNonNull(registrar, "registrar is null");
        this.shops = requireNonNull(shops, "shops is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Reconciles now, whatever was recorded: an install or reinstall. */
    public Future<WebhookRegistrar.Reconciliation> reconcile(ShopId shop, String accessToken) {
        return vertx.executeBlocking(() -> registrar.reconcile(shop, accessToken), false)
                .compose(done -> shops.recordWebhooksReconciled(shop, registrar.target(), clock.instant()).map(done));
    }

    /** Reconciles unless the shop's subscriptions were last reconciled to today's URL and API version. */
    public Future<Optional<WebhookRegistrar.Reconciliation>> reconcileIfStale(ShopId shop, String accessToken) {
        return shops.webhooksTarget(shop).compose(target -> target.filter(registrar.target()::equals).isPresent()
                ? Future.succeededFuture(Optional.<WebhookRegistrar.Reconciliation>empty())
                : reconcile(shop, accessToken).map(Optional::of));
    }
}
