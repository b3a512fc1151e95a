package com.ecomcrm.api.install;

import com.ecomcrm.api.auth.SessionTokenHandler;
import com.ecomcrm.api.tokens.OfflineTokens;
import com.ecomcrm.api.webhooks.WebhookRegistrar;
import com.ecomcrm.api.sync.SyncTrigger;
import com.ecomcrm.api.webhooks.WebhookSetup;
import com.ecomcrm.api.webhooks.WebhookTopic;
import com.ecomcrm.domain.ShopId;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * {@code POST /api/install/complete} (AUTH-02, HOOK-03), behind the session-token handler. The embedded dashboard
 * calls it when it loads: with managed installation Shopify installs the app without ever calling us, so this is
 * where a shop without a usable offline token gets one (token exchange of the request's session token) and where its
 * webhooks are registered. Cheap when nothing is to do: a stored token and webhooks already reconciled to today's
 * URL and API version cost two indexed reads and no call to Shopify.
 *
 * <p>Answer: {@code {"shop":..., "token":"STORED"|"REFRESHED"|"EXCHANGED", "webhooks":{"reconciled":bool,
 * "created":[topics], "updated":[topics], "deleted":n}}}.
 */
public final class InstallCompleteHandler implements Handler<RoutingContext> {
    private final OfflineTokens tokens;
    private final WebhookSetup webhooks;
    private final SyncTrigger syncs;

    public InstallCompleteHandler(OfflineTokens tokens, WebhookSetup webhooks, SyncTrigger syncs) {
        this.tokens = requireNonNull(tokens, "tokens is null");
        this.webhooks = requireNonNull(webhooks, "webhooks is null");
        this.syncs = requireNonNull(syncs, "syncs is null");
    }

    @Override
    public void handle(RoutingContext ctx) {
        ShopId shop = SessionTokenHandler.identity(ctx).shop();
        String sessionToken = SessionTokenHandler.verifiedToken(ctx);
        tokens.forShop(shop, Optional.of(sessionToken))
                .compose(token -> (token.source() == OfflineTokens.Source.EXCHANGED
                        ? webhooks.reconcile(shop, token.accessToken()).map(Optional::of)
                        : webhooks.reconcileIfStale(shop, token.accessToken()))
                        // Every visit makes sure the initial import is complete (a no-op once it is).
                        .onSuccess(reconciled -> syncs.tokenAvailable(shop, token.accessToken()))
                        .map(reconciliation -> answer(shop, token.source(), reconciliation)))
                .onSuccess(body -> ctx.json(body))
                .onFailure(ctx::fail);
    }

    private static JsonObject answer(ShopId shop, OfflineTokens.Source source,
                                     Optional<WebhookRegistrar.Reconciliation> reconciliation) {
        JsonObject hooks = new JsonObject().put("reconciled", reconciliation.isPresent());
        reconciliation.ifPresent(r -> hooks.put("created", topics(r.created())).put("updated", topics(r.updated()))
                .put("deleted", r.deleted().size()).put("unchanged", r.unchanged()));
        return new JsonObject().put("shop", shop.domain()).put("token", source.name()).put("webhooks", hooks);
    }

    private static JsonArray topics(List<WebhookTopic> topics) {
        return new JsonArray(topics.stream().map(WebhookTopic::topic).toList());
    }
}
