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
 * an offline token. An embedded request ({@code embedded=1}, inside Shopify admin's iframe) gets a page that leaves
 * the iframe through App Bridge and opens the grant screen at the top level. The app's normal path is managed install
 * plus token exchange ({@code POST /api/install/complete}); this route serves legacy and top-level installs.
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
        SignedQuery query = SignedQuery.parse(ctx.request().query());
        var shop = check.check(query, "install");
        boolean embedded = query.get("embedded").filter("1"::equals).isPresent();
        states.issue(shop)
                .onSuccess(nonce -> {
                    String authorize = shopify.authorizeUrl(shop.domain())
                            + "?client_id=" + encode(clientId)
                            + "&scope=" + encode(String.join(",", shopify.scopes()))
                            + "&redirect_uri=" + encode(shopify.callbackUrl())
                            + "&state=" + nonce;
                    if (embedded) {
                        // Inside Shopify admin's iframe a redirect would load the grant screen in the frame, which
                        // Shopify refuses to be framed in: the page leaves the iframe and opens it at the top.
                        ctx.response().setStatusCode(200)
                                .putHeader("Content-Type", "text/html; charset=utf-8")
                                .putHeader("Content-Security-Policy", "frame-ancestors https://" + shop.domain()
                                        + " https://admin.shopify.com")
                                .putHeader("Cache-Control", "no-store")
                                .end(exitIframePage(authorize));
                        return;
                    }
                    ctx.response().setStatusCode(302)
                            .putHeader("Location", authorize)
                            .putHeader("Cache-Control", "no-store")
                            .end();
                })
                .onFailure(ctx::fail);
    }

    /**
     * The page that sends an embedded request to the grant screen at the top level: App Bridge's {@code open(url,
     * "_top")} (App Bridge replaces {@code window.open} inside admin), with a plain link when scripts do not run.
     */
    String exitIframePage(String authorizeUrl) {
        String attribute = HtmlText.escape(authorizeUrl);
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"shopify-api-key\" content=\"" + HtmlText.escape(clientId) + "\">"
                + "<script src=\"https://cdn.shopify.com/shopifycloud/app-bridge.js\"></script>"
                + "<title>Continue to Shopify</title></head><body>"
                + "<p>Shopify asks you to approve the app's access to your store. "
                + "<a href=\"" + attribute + "\" target=\"_top\">Continue to Shopify</a></p>"
                + "<script>window.open(" + HtmlText.scriptString(authorizeUrl) + ", \"_top\");</script>"
                + "</body></html>";
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
