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
    /**
     * One initialised Mac per secret and thread: {@code Mac.getInstance} looks the provider up each time, which cost
     * as much as the HMAC itself at intake rates. {@code doFinal} resets a Mac for its next use.
     */
    private final ThreadLocal<List<Mac>> macs;

    public WebhookSignature(List<String> secrets) {
        requireNonNull(secrets, "secrets is null");
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("Cannot verify webhooks: no client secret configured");
        }
        this.secrets = secrets.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
        this.macs = ThreadLocal.withInitial(() -> this.secrets.stream().map(WebhookSignature::mac).toList());
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
        for (Mac mac : macs.get()) {
            // Constant-time compare on the decoded bytes; no early exit between secrets either.
            verified |= MessageDigest.isEqual(mac.doFinal(rawBody), claimed);
        }
        return verified;
    }

    private static Mac mac(byte[] secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac;
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
