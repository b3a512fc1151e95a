package com.ecomcrm.email.secrets;

import com.ecomcrm.domain.DomainException;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one AES-GCM cipher of secrets at rest: format, tamper detection, context binding, rotation. */
class SecretCipherTest {
    private static final String K1 = key();
    private static final String K2 = key();
    private static final String CONTEXT = "shops.access_token|demo-store.myshopify.com";

    @Test
    void aTokenSurvivesTheRoundTripAndIsNotStoredInTheClear() {
        SecretCipher cipher = new SecretCipher(SecretKeys.parse("k1:" + K1));

        byte[] sealed = cipher.encrypt("shpat_secret-token", CONTEXT);

        assertThat(new String(sealed, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("shpat_secret");
        assertThat(cipher.decrypt(sealed, CONTEXT)).isEqualTo("shpat_secret-token");
        assertThat(SecretCipher.keyIdOf(sealed)).isEqualTo("k1");
    }

    /** Sealed by api-server's TokenCipher before the cipher moved here (key: the bytes 0..31, key id k1). */
    private static final String SEALED_BY_THE_OLD_TOKEN_CIPHER = "AQJrMQ8lOSKN8PMb3IAYjPYDDBaO4IzPs/tkZuumupb59uztU/3BvLQx"
            + "NvFDQCX1faRBBitc3QbjWiOv3sqH6sYxtg==";
    private static final String KEY_OF_THE_OLD_VALUE = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    @Test
    void aValueSealedBeforeTheCipherMovedStillOpensSoExistingRowsStayReadable() {
        byte[] stored = Base64.getDecoder().decode(SEALED_BY_THE_OLD_TOKEN_CIPHER);

        assertThat(new SecretCipher(SecretKeys.parse("k1:" + KEY_OF_THE_OLD_VALUE)).decrypt(stored, CONTEXT))
                .isEqualTo("shpat_sealed-by-the-old-TokenCipher");
        assertThat(SecretCipher.keyIdOf(stored)).isEqualTo("k1");
        // Still readable after a rotation that keeps k1 behind the new current key.
        assertThat(new SecretCipher(SecretKeys.parse("k2:" + K2 + ",k1:" + KEY_OF_THE_OLD_VALUE))
                .decrypt(stored, CONTEXT)).isEqualTo("shpat_sealed-by-the-old-TokenCipher");
    }

    @Test
    void theLayoutIsVersionKeyIdNonceThenCiphertextAndTag() {
        byte[] sealed = new SecretCipher(SecretKeys.parse("key-7:" + K1)).encrypt("abc", CONTEXT);

        assertThat(sealed[0]).isEqualTo((byte) 1);
        assertThat(sealed[1]).isEqualTo((byte) 5);
        assertThat(new String(sealed, 2, 5, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("key-7");
        assertThat(sealed).hasSize(2 + 5 + 12 + 3 + 16);
    }

    @Test
    void keysComeFromTheSameVariableOnEveryProcess() {
        SecretKeys keys = SecretKeys.fromEnv(java.util.Map.of("ECOMCRM_TOKEN_KEYS", "k2:" + K2 + ",k1:" + K1));

        assertThat(keys.currentId()).isEqualTo("k2");
        assertThatThrownBy(() -> SecretKeys.fromEnv(java.util.Map.of()))
                .hasMessageContaining("ECOMCRM_TOKEN_KEYS is not set");
    }

    @Test
    void theSameTokenEncryptsDifferentlyEachTimeBecauseTheNonceIsRandom() {
        SecretCipher cipher = new SecretCipher(SecretKeys.parse("k1:" + K1));

        assertThat(cipher.encrypt("shpat_x", CONTEXT)).isNotEqualTo(cipher.encrypt("shpat_x", CONTEXT));
    }

    @Test
    void anyAlteredByteIsDetected() {
        SecretCipher cipher = new SecretCipher(SecretKeys.parse("k1:" + K1));
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
        SecretCipher cipher = new SecretCipher(SecretKeys.parse("k1:" + K1));
        byte[] sealed = cipher.encrypt("shpat_secret-token", CONTEXT);

        assertThatThrownBy(() -> cipher.decrypt(sealed, "shops.access_token|other.myshopify.com"))
                .hasMessageContaining("another context");
        assertThatThrownBy(() -> cipher.decrypt(sealed, "shops.refresh_token|demo-store.myshopify.com"))
                .isInstanceOf(DomainException.class);
    }

    @Test
    void afterARotationOldValuesStillDecryptAndNewOnesUseTheNewKey() {
        byte[] underOldKey = new SecretCipher(SecretKeys.parse("k1:" + K1)).encrypt("shpat_old", CONTEXT);
        SecretCipher rotated = new SecretCipher(SecretKeys.parse("k2:" + K2 + ", k1:" + K1));

        assertThat(rotated.decrypt(underOldKey, CONTEXT)).isEqualTo("shpat_old");
        byte[] underNewKey = rotated.encrypt("shpat_new", CONTEXT);
        assertThat(SecretCipher.keyIdOf(underNewKey)).isEqualTo("k2");
        // Once k1 is dropped, its values are unreadable, and the error says which key is missing.
        assertThatThrownBy(() -> new SecretCipher(SecretKeys.parse("k2:" + K2)).decrypt(underOldKey, CONTEXT))
                .hasMessageContaining("key k1 is not in ECOMCRM_TOKEN_KEYS");
    }

    @Test
    void badKeySettingsAreRefusedNamingTheEntryButNeverTheKey() {
        assertThatThrownBy(() -> SecretKeys.parse(null)).hasMessageContaining("ECOMCRM_TOKEN_KEYS is not set");
        assertThatThrownBy(() -> SecretKeys.parse("k1:" + K1 + ",k2"))
                .hasMessageContaining("entry 2").hasMessageContaining("<key id>:<base64 key>");
        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> SecretKeys.parse("k1:" + shortKey))
                .hasMessageContaining("must be 32 bytes").hasMessageNotContaining(shortKey);
        assertThatThrownBy(() -> SecretKeys.parse("k1:" + K1 + ",k1:" + K2)).hasMessageContaining("listed twice");
        assertThatThrownBy(() -> SecretKeys.parse("k 1:" + K1)).hasMessageContaining("key id");
        assertThat(SecretKeys.parse("k2:" + K2 + ",k1:" + K1).toString()).doesNotContain(K1).doesNotContain(K2);
    }

    private static String key() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
