package com.ecomcrm.api.webhooks;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Shopify's shared webhook vectors (reference section 10.2). */
class WebhookSignatureTest {
    private static final byte[] W1 = "{\"id\":706405506930370084,\"email\":\"bob@biller.com\",\"first_name\":\"Bob\",\"last_name\":\"Biller\"}"
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] W2 = "{\"shop_id\":954889,\"shop_domain\":\"demo-store.myshopify.com\"}"
            .getBytes(StandardCharsets.UTF_8);
    private final WebhookSignature signature = new WebhookSignature(List.of("test-client-secret"));

    @Test
    void shopifysVectorsVerify() {
        assertThat(W1).hasSize(90);
        assertThat(signature.verifies(W1, "OULztfvrfUa3uMmdYmQQX6ecI79nR9hQQ/8xnQgPka0=")).isTrue();
        assertThat(signature.verifies(W2, "CqoEW7ht6MrXdIYZLokiwgDDe4ywXuIW4U7/tA88anw=")).isTrue();
    }

    @Test
    void aBodySignedWithAnotherSecretIsRefused() {
        assertThat(signature.verifies(W2, "iqvgTqxV153ySzDAb5nZdre5C6FHDFNts4R76870fX0=")).isFalse();
    }

    @Test
    void theRawBytesAreHashedSoReserialisingBreaksTheSignature() {
        byte[] reserialised = new String(W2, StandardCharsets.UTF_8).replace(":", ": ").getBytes(StandardCharsets.UTF_8);
        assertThat(signature.verifies(reserialised, "CqoEW7ht6MrXdIYZLokiwgDDe4ywXuIW4U7/tA88anw=")).isFalse();
    }

    @Test
    void missingOrMalformedHeadersAreRefused() {
        assertThat(signature.verifies(W2, null)).isFalse();
        assertThat(signature.verifies(W2, "not base64 !!")).isFalse();
        assertThat(signature.verifies(W2, "")).isFalse();
    }

    @Test
    void duringASecretRotationEitherSecretVerifies() {
        WebhookSignature rotating = new WebhookSignature(List.of("other-secret", "test-client-secret"));
        assertThat(rotating.verifies(W2, "CqoEW7ht6MrXdIYZLokiwgDDe4ywXuIW4U7/tA88anw=")).isTrue();
        assertThat(rotating.verifies(W2, "iqvgTqxV153ySzDAb5nZdre5C6FHDFNts4R76870fX0=")).isTrue();
    }
}
