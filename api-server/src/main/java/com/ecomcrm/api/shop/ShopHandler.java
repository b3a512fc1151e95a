package com.ecomcrm.api.shop;

import com.ecomcrm.api.auth.SessionTokenHandler;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.ZoneId;

import static java.util.Objects.requireNonNull;

/**
 * {@code GET /api/shop}: {@code {"domain", "name", "currency", "time_zone"}} of the signed-in shop, what every screen
 * needs to show money in the shop's currency and times in the shop's own time zone (a merchant in Paris reads an
 * order placed at 23:30 their time as that day, not the next UTC day). {@code name}, {@code currency} and
 * {@code time_zone} are null until Shopify's details were read (the dashboard then formats money in USD and times in
 * UTC). The plan is in {@code /api/billing}: not repeated here.
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
                .put("currency", profile.currency().orElse(null))
                .put("time_zone", profile.timeZone().map(ZoneId::getId).orElse(null));
    }
}
