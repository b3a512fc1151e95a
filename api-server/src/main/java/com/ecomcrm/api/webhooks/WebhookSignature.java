package com.ecomcrm.api.webhooks;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Checks {@code X-Shopify-Hmac-Sha256}: the base64 HMAC-SHA256 of the raw body bytes, keyed with the client secret.
 * During a secret rotation Shopify may sign with either secret for up to an hour, so every configured secret is tried.
 */
public final class WebhookSignature {
    private final List<byte[]> secrets;

    public WebhookSignature(List<String> secrets) {
        requireNonNull(secrets, "secrets is null");
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("Cannot verify webhooks: no client secret configured");
        }
        this.secrets = secrets.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
    }

    public boolean verifies(byte[] rawBody, String headerValue) {
        if (headerValue == null) {
            return false;
        }
        byte[] claimed;
        try {
            claimed = Base64.getDecoder().decode(headerValue.trim());
        }
        catch (IllegalArgumentException e) {
            return false;
        }
        boolean verified = false;
        for (byte[] secret : secrets) {
            // Constant-time compare on the decoded bytes; no early exit between secrets either.
            verified |= MessageDigest.isEqual(hmac(secret, rawBody), claimed);
        }
        return verified;
    }

    static byte[] hmac(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(body);
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
