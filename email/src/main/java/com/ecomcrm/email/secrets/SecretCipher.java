package com.ecomcrm.email.secrets;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

import static java.util.Objects.requireNonNull;

/**
 * The one cipher for secrets at rest: the shops' Shopify tokens (api-server) and the DKIM private keys of sender
 * domains set up through the API (sealed by api-server, opened by the send job in jobs). AES-256-GCM; a ciphertext is
 * {@code version (1) | key id length (1) | key id | nonce (12) | encrypted secret and 16-byte tag}: the key id lets any
 * known key decrypt while new values always use the current key, so keys rotate without a flag day. The bytes are
 * exactly those the api-server's former {@code TokenCipher} wrote (a test opens a value it sealed), so rows written
 * before this class existed still open.
 *
 * <p>Every value is bound to a context (e.g. {@code access_token|shop.myshopify.com}) as GCM associated data, so a
 * ciphertext copied to another shop's row or into the refresh-token column does not decrypt.
 */
public final class SecretCipher {
    private static final byte FORMAT_VERSION = 1;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeys keys;
    private final SecureRandom random = new SecureRandom();

    public SecretCipher(SecretKeys keys) {
        this.keys = requireNonNull(keys, "keys is null");
    }

    /** Seals {@code plaintext} under the current key, bound to {@code context}. */
    public byte[] encrypt(String plaintext, String context) {
        requireNonNull(plaintext, "plaintext is null");
        requireNonNull(context, "context is null");
        byte[] keyId = keys.currentId().getBytes(StandardCharsets.US_ASCII);
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] sealed = run(Cipher.ENCRYPT_MODE, keys.current(), nonce, context,
                plaintext.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.allocate(2 + keyId.length + NONCE_BYTES + sealed.length)
                .put(FORMAT_VERSION).put((byte) keyId.length).put(keyId).put(nonce).put(sealed).array();
    }

    /** Opens a value sealed under any known key for exactly {@code context}; fails naming the context only. */
    public String decrypt(byte[] ciphertext, String context) {
        requireNonNull(ciphertext, "ciphertext is null");
        requireNonNull(context, "context is null");
        ByteBuffer in = ByteBuffer.wrap(ciphertext);
        if (in.remaining() < 2 || in.get() != FORMAT_VERSION) {
            throw unreadable(context, "unknown format");
        }
        int idLength = in.get() & 0xff;
        if (in.remaining() < idLength + NONCE_BYTES + TAG_BITS / 8) {
            throw unreadable(context, "it is truncated");
        }
        byte[] keyId = new byte[idLength];
        in.get(keyId);
        String id = new String(keyId, StandardCharsets.US_ASCII);
        SecretKey key = keys.byId(id).orElseThrow(() -> unreadable(context, "key " + id + " is not in "
                + SecretKeys.VARIABLE));
        byte[] nonce = new byte[NONCE_BYTES];
        in.get(nonce);
        byte[] sealed = new byte[in.remaining()];
        in.get(sealed);
        return new String(run(Cipher.DECRYPT_MODE, key, nonce, context, sealed), StandardCharsets.UTF_8);
    }

    /** The id of the key that sealed {@code ciphertext}: a row not under the current key is due for re-encryption. */
    public static String keyIdOf(byte[] ciphertext) {
        return new String(ciphertext, 2, ciphertext[1] & 0xff, StandardCharsets.US_ASCII);
    }

    private static byte[] run(int mode, SecretKey key, byte[] nonce, String context, byte[] input) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(input);
        }
        catch (AEADBadTagException e) {
            throw unreadable(context, "it was altered, or sealed for another context");
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is not available", e);
        }
    }

    private static DomainException unreadable(String context, String why) {
        // The context names column and shop, never the secret.
        return new DomainException(ErrorCode.INTERNAL, "Cannot decrypt " + context + ": " + why);
    }
}
