package com.ecomcrm.email.mail;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opens secrets the API server sealed at rest with its AES-256-GCM token cipher (api-server's
 * {@code com.ecomcrm.api.tokens.TokenCipher}, keys from {@code ECOMCRM_TOKEN_KEYS}): here, the DKIM private keys
 * of sender domains set up through the API. Decrypt only: the send job never seals anything. The format is
 * TokenCipher's, {@code version (1) | key id length (1) | key id | nonce (12) | ciphertext and 16-byte tag}, with the
 * context as associated data; an api-server test seals with TokenCipher and opens with this class, so the two
 * cannot drift apart unnoticed.
 */
public final class SealedKeys {
    /** The variable that holds the keys ({@code id:base64,...}, the first one current), as on the API server. */
    public static final String VARIABLE = "ECOMCRM_TOKEN_KEYS";
    private static final byte FORMAT_VERSION = 1;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private SealedKeys() {
    }

    /** The plaintext of {@code sealed}, bound to {@code context}; fails naming the context, never the secret. */
    public static String open(byte[] sealed, String context, Map<String, String> env) {
        requireNonNull(sealed, "sealed is null");
        requireNonNull(context, "context is null");
        ByteBuffer in = ByteBuffer.wrap(sealed);
        if (in.remaining() < 2 || in.get() != FORMAT_VERSION) {
            throw new IllegalArgumentException("Cannot open " + context + ": unknown format");
        }
        int idLength = in.get() & 0xff;
        if (in.remaining() < idLength + NONCE_BYTES + TAG_BITS / 8) {
            throw new IllegalArgumentException("Cannot open " + context + ": it is truncated");
        }
        byte[] id = new byte[idLength];
        in.get(id);
        String keyId = new String(id, StandardCharsets.US_ASCII);
        byte[] key = keys(env).get(keyId);
        if (key == null) {
            throw new IllegalArgumentException("Cannot open " + context + ": key " + keyId + " is not in " + VARIABLE);
        }
        byte[] nonce = new byte[NONCE_BYTES];
        in.get(nonce);
        byte[] rest = new byte[in.remaining()];
        in.get(rest);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(rest), StandardCharsets.UTF_8);
        }
        catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("Cannot open " + context + ": it was altered, or sealed for another "
                    + "context or with another key", e);
        }
    }

    private static Map<String, byte[]> keys(Map<String, String> env) {
        String setting = env.get(VARIABLE);
        if (setting == null || setting.isBlank()) {
            throw new IllegalArgumentException("Cannot open sealed keys: " + VARIABLE + " is not set");
        }
        Map<String, byte[]> keys = new HashMap<>();
        for (String entry : setting.split(",")) {
            int colon = entry.indexOf(':');
            if (colon > 0) {
                try {
                    keys.put(entry.substring(0, colon).strip(),
                            Base64.getDecoder().decode(entry.substring(colon + 1).strip()));
                }
                catch (IllegalArgumentException e) {
                    // a malformed entry: the API server refuses to start with it; here it simply matches nothing
                }
            }
        }
        return keys;
    }
}
