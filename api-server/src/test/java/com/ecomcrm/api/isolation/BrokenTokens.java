package com.ecomcrm.api.isolation;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.testing.session.SessionTokens;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every session token an attacker could present for a shop, each wrong in one way, as the Authorization header value
 * (null: no header at all). The right secret and client id are used except where the attack is about them.
 */
final class BrokenTokens {
    private BrokenTokens() {
    }

    static Map<String, String> forShop(ShopId shop) {
        SessionTokens tokens = new SessionTokens(IsolationServer.CLIENT_ID, IsolationServer.SECRET,
                Clock.systemUTC());
        Instant now = Instant.now();
        String dest = "https://" + shop.domain();
        Map<String, String> attacks = new LinkedHashMap<>();
        attacks.put("no token", null);
        attacks.put("empty bearer", "Bearer ");
        attacks.put("malformed token", "Bearer not-a-jwt");
        attacks.put("three garbage parts", "Bearer a.b.c");
        attacks.put("basic scheme", "Basic " + Base64.getEncoder().encodeToString("shop:secret".getBytes(
                StandardCharsets.UTF_8)));
        attacks.put("signed with another secret", "Bearer " + tokens.forged(shop));
        attacks.put("expired", "Bearer " + tokens.expired(shop));
        attacks.put("not yet valid", "Bearer " + JWT.create().withIssuer(dest + "/admin").withClaim("dest", dest)
                .withAudience(IsolationServer.CLIENT_ID).withNotBefore(now.plus(Duration.ofMinutes(5)))
                .withExpiresAt(now.plus(Duration.ofMinutes(6))).withIssuedAt(now.plus(Duration.ofMinutes(5)))
                .sign(Algorithm.HMAC256(IsolationServer.SECRET)));
        attacks.put("another audience", "Bearer " + tokens.forOtherApp(shop));
        attacks.put("dest not a myshopify.com shop", "Bearer " + signed("https://evil.example.com",
                "https://evil.example.com/admin", Algorithm.HMAC256(IsolationServer.SECRET)));
        attacks.put("dest a bare host", "Bearer " + signed(shop.domain(), dest + "/admin",
                Algorithm.HMAC256(IsolationServer.SECRET)));
        attacks.put("iss of another shop", "Bearer " + signed(dest, "https://other-shop.myshopify.com/admin",
                Algorithm.HMAC256(IsolationServer.SECRET)));
        attacks.put("no exp", "Bearer " + JWT.create().withIssuer(dest + "/admin").withClaim("dest", dest)
                .withAudience(IsolationServer.CLIENT_ID).withNotBefore(now)
                .sign(Algorithm.HMAC256(IsolationServer.SECRET)));
        attacks.put("alg none", "Bearer " + unsigned(dest));
        attacks.put("HS512 with the app secret", "Bearer " + signed(dest, dest + "/admin",
                Algorithm.HMAC512(IsolationServer.SECRET)));
        attacks.put("RS256 with an attacker key", "Bearer " + signed(dest, dest + "/admin", rsa()));
        attacks.put("forged token in id_token query", "id_token:" + tokens.forged(shop));
        return attacks;
    }

    private static String signed(String dest, String issuer, Algorithm algorithm) {
        Instant now = Instant.now();
        return JWT.create().withIssuer(issuer).withClaim("dest", dest).withAudience(IsolationServer.CLIENT_ID)
                .withSubject("42").withNotBefore(now).withIssuedAt(now).withExpiresAt(now.plus(Duration.ofMinutes(1)))
                .sign(algorithm);
    }

    /** {@code alg: none}, no signature: the oldest JWT trick. */
    private static String unsigned(String dest) {
        long now = Instant.now().getEpochSecond();
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String header = url.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = url.encodeToString(("{\"iss\":\"" + dest + "/admin\",\"dest\":\"" + dest + "\",\"aud\":\""
                + IsolationServer.CLIENT_ID + "\",\"sub\":\"42\",\"nbf\":" + now + ",\"iat\":" + now + ",\"exp\":"
                + (now + 60) + "}").getBytes(StandardCharsets.UTF_8));
        return header + "." + payload + ".";
    }

    private static Algorithm rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            return Algorithm.RSA256((RSAPublicKey) pair.getPublic(), (RSAPrivateKey) pair.getPrivate());
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
