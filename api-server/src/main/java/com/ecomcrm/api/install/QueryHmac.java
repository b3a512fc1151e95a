package com.ecomcrm.api.install;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Verifies the {@code hmac} of a Shopify-signed query string: lowercase hex of HMAC-SHA256 over
 * {@link SignedQuery#message()}, keyed with the client secret, compared in constant time. Shopify sends lowercase
 * hex, so an upper-cased value is refused (a strict byte compare; shopify-platform.md 10.1 asks to pick one).
 * During a client-secret rotation both secrets are tried.
 */
public final class QueryHmac {
    private final List<byte[]> secrets;

    public QueryHmac(List<String> secrets) {
        requireNonNull(secrets, "secrets is null");
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("Cannot verify signed queries: no client secret configured");
        }
        this.secrets = secrets.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
    }

    public boolean verifies(SignedQuery query) {
        String claimed = query.get("hmac").orElse(null);
        if (claimed == null) {
            return false;
        }
        byte[] claimedBytes = claimed.getBytes(StandardCharsets.US_ASCII);
        byte[] message = query.message().getBytes(StandardCharsets.UTF_8);
        boolean verified = false;
        for (byte[] secret : secrets) {
            // No early exit between secrets either: the time taken does not tell which one matched.
            verified |= MessageDigest.isEqual(hex(secret, message).getBytes(StandardCharsets.US_ASCII), claimedBytes);
        }
        return verified;
    }

    /** Lowercase hex HMAC-SHA256 of {@code message}; also what the simulator signs its redirects with. */
    public static String sign(String secret, String message) {
        return hex(secret.getBytes(StandardCharsets.UTF_8), message.getBytes(StandardCharsets.UTF_8));
    }

    private static String hex(byte[] secret, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message));
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
