package com.ecomcrm.testing.session;

import com.ecomcrm.domain.ShopId;

import java.time.Clock;
import java.time.Duration;

/**
 * Dev-only: prints a valid session token for any simulated shop.
 * {@code bin/session-token SHOP [MINUTES]}; the client id and secret come from SHOPIFY_API_KEY / SHOPIFY_API_SECRET.
 */
public final class SessionTokenMain {
    private SessionTokenMain() {
    }

    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: session-token SHOP_DOMAIN [LIFETIME_MINUTES]  (default 60 minutes)");
            System.exit(2);
        }
        String clientId = System.getenv("SHOPIFY_API_KEY");
        String secret = System.getenv("SHOPIFY_API_SECRET");
        if (clientId == null || secret == null) {
            System.err.println("session-token: SHOPIFY_API_KEY and SHOPIFY_API_SECRET must be set (bin/dev-env sets them)");
            System.exit(2);
        }
        long minutes = args.length == 2 ? Long.parseLong(args[1]) : 60;
        System.out.println(new SessionTokens(clientId, secret, Clock.systemUTC())
                .issue(ShopId.of(args[0]), Duration.ofMinutes(minutes)));
    }
}
