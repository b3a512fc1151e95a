package com.ecomcrm.api.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.AlgorithmMismatchException;
import com.auth0.jwt.exceptions.IncorrectClaimException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.MissingClaimException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static java.util.Objects.requireNonNull;

/**
 * Verifies App Bridge session tokens (HS256 JWTs signed with the app's client secret) as Shopify specifies: the
 * signature, {@code exp} and {@code nbf} with a small leeway, the audience (our client id), and that {@code iss} and
 * {@code dest} name the same shop. The shop comes from {@code dest} and nowhere else: a {@code shop} query parameter is
 * never trusted over it.
 */
public final class SessionTokenVerifier {
    /** Shopify's own libraries allow this much clock skew. */
    public static final long LEEWAY_SECONDS = 10;

    /** Verified tokens remembered at most; past it, expired ones are dropped, and all of them if that is not enough. */
    static final int REMEMBERED_TOKENS = 20_000;

    private final JWTVerifier verifier;
    private final Clock clock;
    /**
     * Tokens that passed the full verification, by their exact text (signature included, so no other text can match
     * one). App Bridge reuses a token for the requests of its minute; a dashboard screen makes several at once, and
     * decoding, parsing and an HMAC per request were a tenth of the API's CPU per screen. A remembered token is taken
     * only between its nbf and its exp (no leeway); outside that window it is verified in full again, which applies
     * the leeway and says why it is refused.
     */
    private final ConcurrentHashMap<String, Verified> remembered = new ConcurrentHashMap<>();

    private record Verified(SessionIdentity identity, Instant notBefore, Instant expiresAt) {
    }

    public SessionTokenVerifier(String clientId, String clientSecret, Clock clock) {
        requireNonNull(clientId, "clientId is null");
        requireNonNull(clientSecret, "clientSecret is null");
        this.clock = requireNonNull(clock, "clock is null");
        // java-jwt checks the header's alg against this algorithm, so "none" and RS/ES tokens are refused.
        this.verifier = ((JWTVerifier.BaseVerification) JWT.require(Algorithm.HMAC256(clientSecret))
                .withAudience(clientId)
                .withClaimPresence("exp")
                .withClaimPresence("nbf")
                .withClaimPresence("dest")
                .withClaimPresence("iss")
                .acceptLeeway(LEEWAY_SECONDS))
                .build(clock);
    }

    public SessionIdentity verify(String token) {
        if (token == null || token.isBlank()) {
            throw unauthenticated("no session token");
        }
        Verified known = remembered.get(token);
        if (known != null) {
            Instant now = clock.instant();
            if (!now.isBefore(known.notBefore()) && now.isBefore(known.expiresAt())) {
                return known.identity();
            }
            remembered.remove(token);
        }
        DecodedJWT jwt;
        try {
            jwt = verifier.verify(token);
        }
        catch (JWTVerificationException e) {
            throw unauthenticated(reason(e));
        }
        ShopId shop = shopOf(jwt.getClaim("dest").asString(), "dest");
        ShopId issuer = shopOf(jwt.getClaim("iss").asString(), "iss");
        if (!shop.equals(issuer)) {
            throw unauthenticated("iss and dest name different shops");
        }
        SessionIdentity identity = new SessionIdentity(shop, Optional.ofNullable(jwt.getSubject()));
        remember(token, identity, jwt);
        return identity;
    }

    private void remember(String token, SessionIdentity identity, DecodedJWT jwt) {
        if (jwt.getExpiresAtAsInstant() == null || jwt.getNotBeforeAsInstant() == null) {
            return; // both are required claims, so this does not happen; never remember a token without its window
        }
        if (remembered.size() >= REMEMBERED_TOKENS) {
            Instant now = clock.instant();
            remembered.values().removeIf(v -> !now.isBefore(v.expiresAt()));
            if (remembered.size() >= REMEMBERED_TOKENS) {
                remembered.clear();
            }
        }
        remembered.put(token, new Verified(identity, jwt.getNotBeforeAsInstant(), jwt.getExpiresAtAsInstant()));
    }

    private static String reason(JWTVerificationException e) {
        if (e instanceof TokenExpiredException) {
            return "it has expired";
        }
        if (e instanceof IncorrectClaimException incorrect) {
            return switch (incorrect.getClaimName()) {
                case "nbf", "iat" -> "it is not valid yet";
                case "aud" -> "it was issued for another app";
                default -> "claim " + incorrect.getClaimName() + " is wrong";
            };
        }
        if (e instanceof MissingClaimException missing) {
            return "claim " + missing.getClaimName() + " is missing";
        }
        if (e instanceof AlgorithmMismatchException) {
            return "it is not signed with HS256";
        }
        if (e instanceof SignatureVerificationException) {
            return "its signature does not verify";
        }
        return "it is malformed";
    }

    private static ShopId shopOf(String url, String claim) {
        try {
            String host = URI.create(url == null ? "" : url).getHost();
            return ShopId.of(host == null ? "" : host);
        }
        catch (IllegalArgumentException | DomainException e) {
            throw unauthenticated("claim " + claim + " is not a shop URL");
        }
    }

    private static DomainException unauthenticated(String why) {
        return new DomainException(ErrorCode.UNAUTHENTICATED, "Cannot accept session token: " + why);
    }
}
