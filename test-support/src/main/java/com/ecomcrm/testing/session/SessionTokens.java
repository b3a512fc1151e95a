package com.ecomcrm.testing.session;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.ecomcrm.domain.ShopId;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Random;
import java.util.UUID;

import static java.util.Objects.requireNonNull;

/**
 * Issues session tokens the way App Bridge does (HS256, signed with the app's client secret, one minute of life), for
 * tests and for trying the API by hand. Also issues the broken ones the isolation tests throw at the API.
 * Never used by the application itself.
 */
public final class SessionTokens {
    private final String clientId;
    private final String clientSecret;
    private final Clock clock;

    public SessionTokens(String clientId, String clientSecret, Clock clock) {
        this.clientId = requireNonNull(clientId, "clientId is null");
        this.clientSecret = requireNonNull(clientSecret, "clientSecret is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** A valid token for the shop, as App Bridge would send it now. */
    public String issue(ShopId shop) {
        return issue(shop, clientId, clientSecret, clock.instant(), Duration.ofMinutes(1));
    }

    /** A token that lived and expired before now. */
    public String expired(ShopId shop) {
        return issue(shop, clientId, clientSecret, clock.instant().minus(Duration.ofMinutes(5)), Duration.ofMinutes(1));
    }

    /** A token signed with a secret that is not the app's. */
    public String forged(ShopId shop) {
        return issue(shop, clientId, clientSecret + "-forged", clock.instant(), Duration.ofMinutes(1));
    }

    /** A token issued for another app (another audience). */
    public String forOtherApp(ShopId shop) {
        return issue(shop, clientId + "-other-app", clientSecret, clock.instant(), Duration.ofMinutes(1));
    }

    /** A token for a given lifetime, e.g. a long one for trying the API by hand. */
    public String issue(ShopId shop, Duration lifetime) {
        return issue(shop, clientId, clientSecret, clock.instant(), lifetime);
    }

    private static String issue(ShopId shop, String audience, String secret, Instant issuedAt, Duration lifetime) {
        byte[] sid = new byte[32];
        new Random(issuedAt.toEpochMilli() ^ shop.hashCode()).nextBytes(sid);
        return JWT.create()
                .withIssuer("https://" + shop.domain() + "/admin")
                .withClaim("dest", "https://" + shop.domain())
                .withAudience(audience)
                .withSubject("42")
                .withExpiresAt(issuedAt.plus(lifetime))
                .withNotBefore(issuedAt)
                .withIssuedAt(issuedAt)
                .withJWTId(UUID.randomUUID().toString())
                .withClaim("sid", HexFormat.of().formatHex(sid))
                .sign(Algorithm.HMAC256(secret));
    }
}
