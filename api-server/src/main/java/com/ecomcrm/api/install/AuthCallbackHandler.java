package com.ecomcrm.api.install;

import com.ecomcrm.api.config.ShopifySettings;
import com.ecomcrm.api.http.ParameterException;
import com.ecomcrm.api.tokens.AccessTokenClient;
import com.ecomcrm.api.tokens.ShopTokens;
import com.ecomcrm.api.tokens.TokenGrant;
import com.ecomcrm.api.tokens.TokenRefusedException;
import com.ecomcrm.api.sync.SyncTrigger;
import com.ecomcrm.api.webhooks.WebhookSetup;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * {@code GET /auth/callback?code&hmac&host&shop&state&timestamp} (AUTH-01): Shopify's redirect after the grant
 * screen. In order: the signed-request checks (shop 400, hmac 401, timestamp 400), {@code host} well formed, then the
 * state nonce used up (400 if unknown, used, expired or another shop's; only after the HMAC verified, so a forged
 * request cannot burn a merchant's nonce), the code exchanged for an expiring offline token, the granted scopes
 * checked, the tokens stored encrypted, the webhooks registered, and the merchant sent to the App Home.
 *
 * <p>A failed webhook registration does not fail the install: the tokens are stored, the failure is logged, and
 * {@code POST /api/install/complete} reconciles again on the merchant's next visit.
 */
public final class AuthCallbackHandler implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(AuthCallbackHandler.class);
    private static final String DOING = "finish install";

    private final Vertx vertx;
    private final SignedRequestCheck check;
    private final OAuthStates states;
    private final AccessTokenClient tokens;
    private final ShopTokens store;
    private final WebhookSetup webhooks;
    private final SyncTrigger syncs;
    private final ShopifySettings shopify;
    private final String clientId;
    private final Clock clock;

    public AuthCallbackHandler(Vertx vertx, SignedRequestCheck check, OAuthStates states, AccessTokenClient tokens,
                               ShopTokens store, WebhookSetup webhooks, SyncTrigger syncs, ShopifySettings shopify,
                               String clientId, Clock clock) {
        this.vertx = requireNonNull(vertx, "vertx is null");
        this.check = requireNonNull(check, "check is null");
        this.states = requireNonNull(states, "states is null");
        this.tokens = requireNonNull(tokens, "tokens is null");
        this.store = requireNonNull(store, "store is null");
        this.webhooks = requireNonNull(webhooks, "webhooks is null");
        this.syncs = requireNonNull(syncs, "syncs is null");
        this.shopify = requireNonNull(shopify, "shopify is null");
        this.clientId = requireNonNull(clientId, "clientId is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public void handle(RoutingContext ctx) {
        SignedQuery query = SignedQuery.parse(ctx.request().query());
        ShopId shop = check.check(query, DOING);
        String code = SignedRequestCheck.required(query, "code", DOING);
        String state = SignedRequestCheck.required(query, "state", DOING);
        Optional<String> host = query.get("host").filter(h -> !h.isBlank());
        String appHome = AppHome.url(shop, host, clientId);
        states.consume(state, shop)
                .compose(consumed -> vertx.executeBlocking(() -> exchange(shop, code), false))
                .compose(grant -> {
                    List<String> missing = ScopeCheck.missing(shopify.scopes(), grant.scopes());
                    if (!missing.isEmpty()) {
                        return Future.failedFuture(new ParameterException(ErrorCode.INVALID_INPUT, "scope",
                                "Cannot finish install: Shopify did not grant " + String.join(", ", missing)
                                        + "; install again and accept every requested permission"));
                    }
                    return store.install(shop, grant, clock.instant()).map(grant);
                })
                .compose(grant -> webhooks.reconcile(shop, grant.accessToken())
                        .<Void>mapEmpty()
                        .recover(failure -> {
                            LOG.error("Installed {} but could not register its webhooks; the next visit retries",
                                    shop, failure);
                            return Future.succeededFuture();
                        })
                        // Webhooks first, then the import: whatever changes while the import runs arrives by webhook.
                        .onSuccess(registered -> syncs.tokenAvailable(shop, grant.accessToken())))
                .onSuccess(done -> ctx.response().setStatusCode(302).putHeader("Location", appHome)
                        .putHeader("Cache-Control", "no-store").end())
                .onFailure(ctx::fail);
    }

    private TokenGrant exchange(ShopId shop, String code) {
        try {
            return tokens.authorizationCode(shop, code);
        }
        catch (TokenRefusedException e) {
            // An unknown, used or expired code: the merchant has to start the install again.
            throw new ParameterException(ErrorCode.INVALID_INPUT, "code", "Cannot finish install: parameter code "
                    + "was refused by Shopify (" + e.error() + ")");
        }
    }
}
