package com.ecomcrm.api.shop;

import com.ecomcrm.api.auth.SessionTokenHandler;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import static java.util.Objects.requireNonNull;

/**
 * {@code GET /api/shop}: {@code {"domain", "name", "currency"}} of the signed-in shop, what every screen needs to
 * show money in the shop's currency. {@code name} and {@code currency} are null until Shopify's details were read
 * (the dashboard then formats money in USD). The time zone is in {@code /api/settings} and the plan in
 * {@code /api/billing}: not repeated here.
 */
public final class ShopHandler implements Handler<RoutingContext> {
    private final ShopProfileStore store;

    public ShopHandler(ShopProfileStore store) {
        this.store = requireNonNull(store, "store is null");
    }

    @Override
    public void handle(RoutingContext ctx) {
        store.get(SessionTokenHandler.identity(ctx).shop())
                .onSuccess(profile -> ctx.json(toJson(profile)))
                .onFailure(ctx::fail);
    }

    static JsonObject toJson(ShopProfile profile) {
        return new JsonObject().put("domain", profile.shop().domain())
                .put("name", profile.name().orElse(null))
                .put("currency", profile.currency().orElse(null));
    }
}
