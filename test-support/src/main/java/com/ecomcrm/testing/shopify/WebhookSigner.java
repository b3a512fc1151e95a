package com.ecomcrm.testing.shopify;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

import static java.util.Objects.requireNonNull;

/** Signs webhook bodies as Shopify does: base64 (standard, padded) HMAC-SHA256 of the raw bytes, keyed with the client secret. */
public final class WebhookSigner {
    private final byte[] secret;

    public WebhookSigner(String clientSecret) {
        requireNonNull(clientSecret, "clientSecret is null");
        this.secret = clientSecret.getBytes(StandardCharsets.UTF_8);
    }

    /** The {@code X-Shopify-Hmac-Sha256} value for these exact bytes. */
    public String sign(byte[] rawBody) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(rawBody));
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    public String sign(String body) {
        return sign(body.getBytes(StandardCharsets.UTF_8));
    }
}
