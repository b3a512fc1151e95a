package com.ecomcrm.testing.shopify;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Shopify's side of app authorization (shopify-platform.md 1.3 to 1.5) for the simulated shops: the grant screen
 * (which grants at once), and {@code POST /admin/oauth/access_token} for the authorization code, token exchange and
 * refresh grants, with JSON or form bodies and the response shapes of 1.3.5.
 *
 * <p>Expiring offline tokens behave as documented: the access token lives {@code accessTokenLifetime}, the refresh
 * token {@code refreshTokenLifetime}; a new install or exchange retires the shop's refresh token at once (its access
 * token lives on until it expires); a refresh token that was used stays usable until its replacement is used (the
 * "more resilient refreshes" changelog), so an app that lost a refresh answer can retry with the token it has.
 * Thread-safe: every method synchronizes on this object.
 */
final class SimulatedOAuth {
    static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
    static final String ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token";
    static final String OFFLINE_ACCESS_TOKEN = "urn:shopify:params:oauth:token-type:offline-access-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CODE_LIFETIME = Duration.ofMinutes(10);

    /** An HTTP answer: status and JSON body; {@code body == null} means "drop the connection without answering". */
    record Answer(int status, ObjectNode body) {
    }

    private record Code(ShopId shop, String scopes, Instant expiresAt) {
    }

    private record AccessToken(ShopId shop, Optional<Instant> expiresAt) {
    }

    /** A shop's live refresh tokens: the current one, and the one it replaced until the current one is used. */
    private static final class RefreshTokens {
        String current;
        Instant currentExpiresAt;
        String previous;
        Instant previousExpiresAt;
        String scopes;
    }

    private final String clientId;
    private final String clientSecret;
    private final Duration accessTokenLifetime;
    private final Duration refreshTokenLifetime;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Code> codes = new HashMap<>();
    private final Map<String, AccessToken> accessTokens = new HashMap<>();
    private final Map<ShopId, RefreshTokens> refreshTokens = new HashMap<>();
    private final Map<ShopId, String> legacyTokens = new HashMap<>();
    private int responsesToDrop;

    SimulatedOAuth(String clientId, String clientSecret, Duration accessTokenLifetime, Duration refreshTokenLifetime,
                   Clock clock) {
        this.clientId = requireNonNull(clientId, "clientId is null");
        this.clientSecret = requireNonNull(clientSecret, "clientSecret is null");
        this.accessTokenLifetime = requireNonNull(accessTokenLifetime, "accessTokenLifetime is null");
        this.refreshTokenLifetime = requireNonNull(refreshTokenLifetime, "refreshTokenLifetime is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * {@code GET /admin/oauth/authorize}: the merchant accepts at once; the answer is the redirect to
     * {@code redirect_uri} with {@code code, hmac, host, shop, state, timestamp}, signed per 1.3.2.
     *
     * @return the Location, or empty with the reason in {@code error} when the request is refused
     */
    synchronized Optional<String> authorize(ShopId shop, Map<String, String> query, StringBuilder error) {
        if (!clientId.equals(query.get("client_id"))) {
            error.append("Oauth error invalid_request: The client_id is not valid");
            return Optional.empty();
        }
        String redirect = query.get("redirect_uri");
        if (redirect == null || !(redirect.startsWith("http://") || redirect.startsWith("https://"))) {
            error.append("Oauth error invalid_request: The redirect_uri is missing or not an http(s) URL");
            return Optional.empty();
        }
        String code = hex(16);
        codes.put(code, new Code(shop, query.getOrDefault("scope", ""), clock.instant().plus(CODE_LIFETIME)));
        Map<String, String> params = new TreeMap<>();
        params.put("code", code);
        params.put("host", Base64.getEncoder().withoutPadding().encodeToString(
                ("admin.shopify.com/store/" + shop.handle()).getBytes(StandardCharsets.UTF_8)));
        params.put("shop", shop.domain());
        if (query.get("state") != null) {
            params.put("state", query.get("state"));
        }
        params.put("timestamp", Long.toString(clock.instant().getEpochSecond()));
        String hmac = hmacHex(clientSecret, params.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("&")));
        Map<String, String> signed = new LinkedHashMap<>(params);
        signed.put("hmac", hmac);
        return Optional.of(redirect + (URI.create(redirect).getRawQuery() == null ? "?" : "&")
                + signed.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(),
                        StandardCharsets.UTF_8)).collect(Collectors.joining("&")));
    }

    /** {@code POST /admin/oauth/access_token} for {@code shop}, with the request's body fields. */
    synchronized Answer accessToken(ShopId shop, Map<String, String> fields) {
        if (!MessageDigest.isEqual(bytes(fields.get("client_id")), bytes(clientId))
                || !MessageDigest.isEqual(bytes(fields.get("client_secret")), bytes(clientSecret))) {
            return error(401, "invalid_client", "Client authentication failed: unknown client_id or wrong client_secret");
        }
        String grantType = fields.get("grant_type");
        Answer answer;
        if (grantType == null || grantType.equals("authorization_code")) {
            answer = authorizationCode(shop, fields);
        }
        else if (grantType.equals(TOKEN_EXCHANGE)) {
            answer = tokenExchange(shop, fields);
        }
        else if (grantType.equals("refresh_token")) {
            answer = refresh(shop, fields);
        }
        else {
            answer = error(400, "unsupported_grant_type", "grant_type " + grantType + " is not supported");
        }
        if (answer.status() == 200 && responsesToDrop > 0) {
            // The grant took effect on our side, but the app never hears of it: a lost response.
            responsesToDrop--;
            return new Answer(200, null);
        }
        return answer;
    }

    /** Whether {@code token} is a live access token this simulator issued for {@code shop}. */
    synchronized boolean accepts(ShopId shop, String token) {
        AccessToken issued = accessTokens.get(token);
        return issued != null && issued.shop().equals(shop)
                && issued.expiresAt().map(clock.instant()::isBefore).orElse(true);
    }

    /** The next {@code count} successful token answers are processed but never sent (the connection is closed). */
    synchronized void dropNextResponses(int count) {
        responsesToDrop = count;
    }

    private Answer authorizationCode(ShopId shop, Map<String, String> fields) {
        Code code = fields.get("code") == null ? null : codes.remove(fields.get("code"));
        if (code == null || !code.shop().equals(shop) || code.expiresAt().isBefore(clock.instant())) {
            return error(400, "invalid_request", "The authorization code was not found or was already used");
        }
        return issue(shop, code.scopes(), "1".equals(fields.get("expiring")));
    }

    private Answer tokenExchange(ShopId shop, Map<String, String> fields) {
        if (!ID_TOKEN.equals(fields.get("subject_token_type"))) {
            return error(400, "invalid_request", "subject_token_type must be " + ID_TOKEN);
        }
        String requested = fields.getOrDefault("requested_token_type", OFFLINE_ACCESS_TOKEN);
        if (!OFFLINE_ACCESS_TOKEN.equals(requested)) {
            return error(400, "invalid_request", "The simulator issues offline access tokens only");
        }
        DecodedJWT jwt;
        try {
            JWTVerifier verifier = ((JWTVerifier.BaseVerification) JWT.require(Algorithm.HMAC256(clientSecret))
                    .withAudience(clientId).withClaimPresence("dest").withClaimPresence("exp")
                    .acceptLeeway(10)).build(clock);
            jwt = verifier.verify(fields.getOrDefault("subject_token", ""));
        }
        catch (JWTVerificationException e) {
            return error(400, "invalid_subject_token", "The session token is invalid: " + e.getMessage());
        }
        String dest = jwt.getClaim("dest").asString();
        if (dest == null || !dest.equals("https://" + shop.domain())) {
            return error(400, "invalid_subject_token", "The session token was issued for another shop");
        }
        RefreshTokens refresh = refreshTokens.get(shop);
        return issue(shop, refresh == null ? "read_customers,read_orders" : refresh.scopes,
                "1".equals(fields.get("expiring")));
    }

    private Answer refresh(ShopId shop, Map<String, String> fields) {
        RefreshTokens tokens = refreshTokens.get(shop);
        String presented = fields.getOrDefault("refresh_token", "");
        Instant now = clock.instant();
        if (tokens == null) {
            return error(400, "invalid_grant", "The refresh token is invalid");
        }
        boolean isCurrent = MessageDigest.isEqual(bytes(presented), bytes(tokens.current))
                && tokens.currentExpiresAt.isAfter(now);
        boolean isPrevious = tokens.previous != null && MessageDigest.isEqual(bytes(presented), bytes(tokens.previous))
                && tokens.previousExpiresAt.isAfter(now);
        if (!isCurrent && !isPrevious) {
            return error(400, "invalid_grant", "The refresh token is invalid, expired or was replaced");
        }
        if (isCurrent) {
            // Using the replacement is what retires the token before it.
            tokens.previous = tokens.current;
            tokens.previousExpiresAt = tokens.currentExpiresAt;
        }
        // A retry with the previous token replaces the unused current one.
        tokens.current = "shprt_" + hex(16);
        tokens.currentExpiresAt = now.plus(refreshTokenLifetime);
        return expiringAnswer(shop, tokens);
    }

    private Answer issue(ShopId shop, String scopes, boolean expiring) {
        if (!expiring) {
            // Requesting a non-expiring token again returns the same token (1.5).
            String token = legacyTokens.computeIfAbsent(shop, s -> "shpat_" + hex(16));
            accessTokens.put(token, new AccessToken(shop, Optional.empty()));
            ObjectNode body = JSON.createObjectNode().put("access_token", token).put("scope", scopes);
            return new Answer(200, body);
        }
        RefreshTokens tokens = new RefreshTokens();
        tokens.current = "shprt_" + hex(16);
        tokens.currentExpiresAt = clock.instant().plus(refreshTokenLifetime);
        tokens.scopes = scopes;
        // Only one refreshable token per app and store: the older refresh tokens die now.
        refreshTokens.put(shop, tokens);
        return expiringAnswer(shop, tokens);
    }

    private Answer expiringAnswer(ShopId shop, RefreshTokens tokens) {
        String access = "shpat_" + hex(16);
        accessTokens.put(access, new AccessToken(shop, Optional.of(clock.instant().plus(accessTokenLifetime))));
        ObjectNode body = JSON.createObjectNode()
                .put("access_token", access)
                .put("scope", tokens.scopes)
                .put("expires_in", accessTokenLifetime.toSeconds())
                .put("refresh_token", tokens.current)
                .put("refresh_token_expires_in", Duration.between(clock.instant(), tokens.currentExpiresAt).toSeconds());
        return new Answer(200, body);
    }

    /** The body fields of a token request, from JSON or {@code application/x-www-form-urlencoded}. */
    static Map<String, String> fields(String contentType, byte[] body) {
        Map<String, String> fields = new HashMap<>();
        if (body == null || body.length == 0) {
            return fields;
        }
        if (contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            try {
                JsonNode json = JSON.readTree(body);
                json.fields().forEachRemaining(e -> fields.put(e.getKey(), e.getValue().asText()));
            }
            catch (java.io.IOException e) {
                // An unreadable body has no fields; the grant checks then refuse it.
            }
            return fields;
        }
        for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                fields.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return fields;
    }

    static String hmacHex(String secret, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static Answer error(int status, String error, String description) {
        return new Answer(status, JSON.createObjectNode().put("error", error).put("error_description", description));
    }

    private String hex(int bytes) {
        byte[] random = new byte[bytes];
        this.random.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    private static byte[] bytes(String value) {
        return value == null ? new byte[0] : value.getBytes(StandardCharsets.UTF_8);
    }
}
