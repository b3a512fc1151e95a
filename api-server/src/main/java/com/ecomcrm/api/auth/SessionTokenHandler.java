package com.ecomcrm.api.auth;

import com.ecomcrm.domain.DomainException;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import static java.util.Objects.requireNonNull;

/**
 * Authenticates every {@code /api} request by its App Bridge session token ({@code Authorization: Bearer}, or the
 * {@code id_token} query parameter on document loads) and puts the {@link SessionIdentity} on the context. Handlers
 * take the shop from there and nowhere else.
 */
public final class SessionTokenHandler implements Handler<RoutingContext> {
    private static final String IDENTITY = "ecomcrm.session";
    private static final String RAW_TOKEN = "ecomcrm.session.token";

    private final SessionTokenVerifier verifier;

    public SessionTokenHandler(SessionTokenVerifier verifier) {
        this.verifier = requireNonNull(verifier, "verifier is null");
    }

    @Override
    public void handle(RoutingContext ctx) {
        String authorization = ctx.request().getHeader("Authorization");
        String token = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim()
                : ctx.request().getParam("id_token");
        try {
            ctx.put(IDENTITY, verifier.verify(token));
            ctx.put(RAW_TOKEN, token);
        }
        catch (DomainException e) {
            ctx.fail(e);
            return;
        }
        ctx.next();
    }

    /** The verified token itself, for the one handler that trades it with Shopify (token exchange). */
    public static String verifiedToken(RoutingContext ctx) {
        identity(ctx);
        return ctx.get(RAW_TOKEN);
    }

    public static SessionIdentity identity(RoutingContext ctx) {
        SessionIdentity identity = ctx.get(IDENTITY);
        if (identity == null) {
            throw new IllegalStateException("Cannot read the session: route is not behind SessionTokenHandler");
        }
        return identity;
    }
}
