package com.ecomcrm.api.install;

import com.ecomcrm.api.config.ShopifySettings;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import static java.util.Objects.requireNonNull;

/**
 * {@code GET /auth/install?shop=&hmac=&timestamp=} (the App URL Shopify opens on a legacy install, AUTH-01): checks
 * the signed request, stores a state nonce and sends the merchant to the grant screen,
 * {@code {shop}/admin/oauth/authorize?client_id&scope&redirect_uri&state}. No {@code grant_options[]}: the app wants
 * an offline token. An embedded request would first have to leave the iframe through App Bridge; the app's normal
 * path is managed install plus token exchange ({@code POST /api/install/complete}), so this route serves top-level
 * (non-embedded) installs.
 */
public final class InstallHandler implements Handler<RoutingContext> {
    private final SignedRequestCheck check;
    private final OAuthStates states;
    private final ShopifySettings shopify;
    private final String clientId;

    public InstallHandler(SignedRequestCheck check, OAuthStates states, ShopifySettings shopify, String clientId) {
        this.check = requireNonNull(check, "check is null");
        this.states = requireNonNull(states, "states is null");
        this.shopify = requireNonNull(shopify, "shopify is null");
        this.clientId = requireNonNull(clientId, "clientId is null");
    }

    @Override
    public void handle(RoutingContext ctx) {
        var shop = check.check(SignedQuery.parse(ctx.request().query()), "install");
        states.issue(shop)
                .onSuccess(nonce -> ctx.response().setStatusCode(302)
                        .putHeader("Location", shopify.authorizeUrl(shop.domain())
                                + "?client_id=" + encode(clientId)
                                + "&scope=" + encode(String.join(",", shopify.scopes()))
                                + "&redirect_uri=" + encode(shopify.callbackUrl())
                                + "&state=" + nonce)
                        .putHeader("Cache-Control", "no-store")
                        .end())
                .onFailure(ctx::fail);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
