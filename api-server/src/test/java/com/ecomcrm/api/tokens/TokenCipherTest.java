package com.ecomcrm.api.tokens;

import com.ecomcrm.domain.DomainException;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenCipherTest {
    private static final String K1 = key();
    private static final String K2 = key();
    private static final String CONTEXT = "shops.access_token|demo-store.myshopify.com";

    @Test
    void aTokenSurvivesTheRoundTripAndIsNotStoredInTheClear() {
        TokenCipher cipher = new TokenCipher(TokenKeys.parse("k1:" + K1));

        byte[] sealed = cipher.encrypt("shpat_secret-token", CONTEXT);

        assertThat(new String(sealed, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("shpat_secret");
        assertThat(cipher.decrypt(sealed, CONTEXT)).isEqualTo("shpat_secret-token");
        assertThat(TokenCipher.keyIdOf(sealed)).isEqualTo("k1");
    }

    @Test
    void theSameTokenEncryptsDifferentlyEachTimeBecauseTheNonceIsRandom() {
        TokenCipher cipher = new TokenCipher(TokenKeys.parse("k1:" + K1));

        assertThat(cipher.encrypt("shpat_x", CONTEXT)).isNotEqualTo(cipher.encrypt("shpat_x", CONTEXT));
    }

    @Test
    void anyAlteredByteIsDetected() {
        TokenCipher cipher = new TokenCipher(TokenKeys.parse("k1:" + K1));
        byte[] sealed = cipher.encrypt("shpat_secret-token", CONTEXT);

        for (int i = 4; i < sealed.length; i++) {
            byte[] tampered = sealed.clone();
            tampered[i] ^= 0x01;
            assertThatThrownBy(() -> cipher.decrypt(tampered, CONTEXT)).as("byte %d", i)
                    .isInstanceOf(DomainException.class).hasMessageStartingWith("Cannot decrypt " + CONTEXT);
        }
    }

    @Test
    void aCiphertextMovedToAnotherShopOrColumnDoesNotDecrypt() {
        TokenCipher cipher = new TokenCipher(TokenKeys.parse("k1:" + K1));
        byte[] sealed = cipher.encrypt("shpat_secret-token", CONTEXT);

        assertThatThrownBy(() -> cipher.decrypt(sealed, "shops.access_token|other.myshopify.com"))
                .hasMessageContaining("another context");
        assertThatThrownBy(() -> cipher.decrypt(sealed, "shops.refresh_token|demo-store.myshopify.com"))
                .isInstanceOf(DomainException.class);
    }

    @Test
    void afterARotationOldValuesStillDecryptAndNewOnesUseTheNewKey() {
        byte[] underOldKey = new TokenCipher(TokenKeys.parse("k1:" + K1)).encrypt("shpat_old", CONTEXT);
        TokenCipher rotated = new TokenCipher(TokenKeys.parse("k2:" + K2 + ", k1:" + K1));

        assertThat(rotated.decrypt(underOldKey, CONTEXT)).isEqualTo("shpat_old");
        byte[] underNewKey = rotated.encrypt("shpat_new", CONTEXT);
        assertThat(TokenCipher.keyIdOf(underNewKey)).isEqualTo("k2");
        // Once k1 is dropped, its values are unreadable, and the error says which key is missing.
        assertThatThrownBy(() -> new TokenCipher(TokenKeys.parse("k2:" + K2)).decrypt(underOldKey, CONTEXT))
                .hasMessageContaining("key k1 is not in ECOMCRM_TOKEN_KEYS");
    }

    @Test
    void badKeySettingsAreRefusedNamingTheEntryButNeverTheKey() {
        assertThatThrownBy(() -> TokenKeys.parse(null)).hasMessageContaining("ECOMCRM_TOKEN_KEYS is not set");
        assertThatThrownBy(() -> TokenKeys.parse("k1:" + K1 + ",k2"))
                .hasMessageContaining("entry 2").hasMessageContaining("<key id>:<base64 key>");
        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> TokenKeys.parse("k1:" + shortKey))
                .hasMessageContaining("must be 32 bytes").hasMessageNotContaining(shortKey);
        assertThatThrownBy(() -> TokenKeys.parse("k1:" + K1 + ",k1:" + K2)).hasMessageContaining("listed twice");
        assertThatThrownBy(() -> TokenKeys.parse("k 1:" + K1)).hasMessageContaining("key id");
        assertThat(TokenKeys.parse("k2:" + K2 + ",k1:" + K1).toString()).doesNotContain(K1).doesNotContain(K2);
    }

    private static String key() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
