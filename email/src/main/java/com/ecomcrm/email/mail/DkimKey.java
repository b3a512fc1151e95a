package com.ecomcrm.email.mail;

import static java.util.Objects.requireNonNull;

import com.ecomcrm.email.secrets.SecretCipher;
import com.ecomcrm.email.secrets.SecretKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

/**
 * A DKIM signing identity: {@code d=} domain, {@code s=} selector and the RSA private key whose public half is
 * published at {@code <selector>._domainkey.<domain>}.
 */
public record DkimKey(String domain, String selector, RSAPrivateKey privateKey) {
    public DkimKey {
        requireNonNull(domain, "domain is null");
        requireNonNull(selector, "selector is null");
        requireNonNull(privateKey, "privateKey is null");
        domain = domain.toLowerCase(Locale.ROOT);
    }

    /** Reads an unencrypted PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}) RSA key. */
    public static RSAPrivateKey parsePem(String pem) {
        requireNonNull(pem, "pem is null");
        if (pem.contains("BEGIN RSA PRIVATE KEY")) {
            throw new IllegalArgumentException("DKIM key is PKCS#1; convert it: openssl pkcs8 -topk8 -nocrypt");
        }
        String base64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
        try {
            return (RSAPrivateKey) KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        }
        catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new IllegalArgumentException("Cannot read the DKIM private key (PKCS#8 PEM, RSA): "
                    + e.getMessage(), e);
        }
    }

    /**
     * Loads the PEM a key reference names: {@code file:<path>} or {@code env:<VARIABLE>} (the variable holds the
     * PEM text). Keys are never stored in the database, only these references.
     */
    public static RSAPrivateKey load(String ref, Map<String, String> env) {
        requireNonNull(ref, "ref is null");
        if (ref.startsWith("file:")) {
            try {
                return parsePem(Files.readString(Path.of(ref.substring("file:".length()))));
            }
            catch (IOException e) {
                throw new UncheckedIOException("Cannot read the DKIM key file of " + ref, e);
            }
        }
        if (ref.startsWith("env:")) {
            String pem = env.get(ref.substring("env:".length()));
            if (pem == null || pem.isBlank()) {
                throw new IllegalArgumentException("DKIM key variable " + ref.substring(4) + " is not set");
            }
            return parsePem(pem);
        }
        throw new IllegalArgumentException("DKIM key reference must be file:<path> or env:<VARIABLE>");
    }

    /** The {@code dkim_key_ref} of a key sealed in its {@code sender_domains} row by the API server. */
    public static final String SEALED_REF = "sealed:";

    /**
     * The AES-GCM context the API server seals a shop's DKIM key under ({@code dkim_key|<shop>|<domain>}): a sealed
     * key copied into another shop's or domain's row does not open.
     */
    public static String sealedContext(String shopDomain, String domain) {
        return "dkim_key|" + shopDomain + "|" + domain;
    }

    /**
     * Opens a key the API server sealed for {@code shopDomain}'s {@code domain}, with the keys of
     * {@code ECOMCRM_TOKEN_KEYS} in {@code env} (the send job's view of the same setting the API server reads).
     */
    public static RSAPrivateKey unseal(byte[] sealed, String shopDomain, String domain, Map<String, String> env) {
        return unseal(sealed, shopDomain, domain, new SecretCipher(SecretKeys.fromEnv(env)));
    }

    /** Opens a key sealed for {@code shopDomain}'s {@code domain} with {@code cipher} (the API server's own). */
    public static RSAPrivateKey unseal(byte[] sealed, String shopDomain, String domain, SecretCipher cipher) {
        requireNonNull(sealed, "sealed is null");
        return parsePem(cipher.decrypt(sealed, sealedContext(shopDomain, domain)));
    }

    @Override
    public String toString() {
        return "DkimKey[d=" + domain + ", s=" + selector + "]";
    }
}
