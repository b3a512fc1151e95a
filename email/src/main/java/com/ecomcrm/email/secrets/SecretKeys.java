package com.ecomcrm.email.secrets;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The AES-256 keys that seal secrets at rest (Shopify tokens, DKIM private keys), from {@code ECOMCRM_TOKEN_KEYS}:
 * {@code k2:<base64 of 32 bytes>,k1:<base64 of 32 bytes>}. The first key is the current one (new ciphertexts); every
 * listed key still decrypts, so a rotation is: put the new key first, keep the old one until every row was
 * re-encrypted, then drop it. Not a record, so that no {@code toString} ever prints key material.
 */
public final class SecretKeys {
    public static final String VARIABLE = "ECOMCRM_TOKEN_KEYS";
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final int KEY_BYTES = 32;

    private final String currentId;
    private final Map<String, SecretKey> keys;

    private SecretKeys(String currentId, Map<String, SecretKey> keys) {
        this.currentId = currentId;
        this.keys = keys;
    }

    /** Parses the setting; errors name the entry at fault by position and id, never by value. */
    public static SecretKeys parse(String setting) {
        if (setting == null || setting.isBlank()) {
            throw new IllegalArgumentException("Cannot start: environment variable " + VARIABLE + " is not set; it "
                    + "holds the keys that encrypt Shopify tokens and DKIM keys, e.g. " + VARIABLE + "=k1:<base64 of 32 random "
                    + "bytes> (generate one with: openssl rand -base64 32)");
        }
        Map<String, SecretKey> keys = new LinkedHashMap<>();
        String[] entries = setting.split(",");
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i].trim();
            int colon = entry.indexOf(':');
            String where = VARIABLE + " entry " + (i + 1);
            if (colon < 0) {
                throw new IllegalArgumentException("Cannot use " + where + ": it must be <key id>:<base64 key>");
            }
            String id = entry.substring(0, colon);
            if (!KEY_ID.matcher(id).matches()) {
                throw new IllegalArgumentException("Cannot use " + where + ": the key id must be 1 to 32 of "
                        + "[A-Za-z0-9_-]");
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(entry.substring(colon + 1).trim());
            }
            catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Cannot use " + where + " (" + id + "): the key is not base64");
            }
            if (key.length != KEY_BYTES) {
                throw new IllegalArgumentException("Cannot use " + where + " (" + id + "): the key must be "
                        + KEY_BYTES + " bytes (AES-256), not " + key.length);
            }
            if (keys.put(id, new SecretKeySpec(key, "AES")) != null) {
                throw new IllegalArgumentException("Cannot use " + where + ": key id " + id + " is listed twice");
            }
        }
        return new SecretKeys(entries[0].trim().substring(0, entries[0].trim().indexOf(':')), Map.copyOf(keys));
    }

    /** The keys of {@code env}'s {@value #VARIABLE}; fails like {@link #parse} when it is missing or malformed. */
    public static SecretKeys fromEnv(Map<String, String> env) {
        return parse(env.get(VARIABLE));
    }

    public String currentId() {
        return currentId;
    }

    SecretKey current() {
        return keys.get(currentId);
    }

    Optional<SecretKey> byId(String id) {
        requireNonNull(id, "id is null");
        return Optional.ofNullable(keys.get(id));
    }

    @Override
    public String toString() {
        return "SecretKeys[current=" + currentId + ", known=" + keys.keySet() + "]";
    }
}
