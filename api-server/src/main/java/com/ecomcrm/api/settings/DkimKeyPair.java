package com.ecomcrm.api.settings;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;

import static java.util.Objects.requireNonNull;

/**
 * A freshly generated DKIM key pair: RSA 2048 (what every receiver verifies; 1024 is deprecated), the private half
 * as unencrypted PKCS#8 PEM (what the send job's {@code DkimKey.parsePem} reads), the public half as base64 of the
 * SubjectPublicKeyInfo, the {@code p=} of the DNS record. Not a record: no {@code toString} prints the key.
 */
public final class DkimKeyPair {
    private static final int BITS = 2048;

    private final String privateKeyPem;
    private final String publicKeyBase64;

    private DkimKeyPair(String privateKeyPem, String publicKeyBase64) {
        this.privateKeyPem = requireNonNull(privateKeyPem, "privateKeyPem is null");
        this.publicKeyBase64 = requireNonNull(publicKeyBase64, "publicKeyBase64 is null");
    }

    public static DkimKeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(BITS);
            KeyPair pair = generator.generateKeyPair();
            String pem = "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(pair.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
            return new DkimKeyPair(pem, Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()));
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA key generation is not available", e);
        }
    }

    public String privateKeyPem() {
        return privateKeyPem;
    }

    public String publicKeyBase64() {
        return publicKeyBase64;
    }

    @Override
    public String toString() {
        return "DkimKeyPair[RSA " + BITS + "]";
    }
}
