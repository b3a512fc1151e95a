package com.ecomcrm.api.tokens;

import com.ecomcrm.email.secrets.SecretCipher;
import com.ecomcrm.email.secrets.SecretKeys;
import com.ecomcrm.email.mail.DkimKey;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ShopId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * The second half of a key rotation: re-encrypts, under the current key, every stored token (and every sender domain's
 * sealed DKIM key) still sealed with an older one, so the old key can then be removed from {@code ECOMCRM_TOKEN_KEYS}. Each row is replaced only if it still holds
 * the ciphertext that was read (a token refreshed meanwhile is already under the current key and is left alone), so
 * it is safe to run while the API serves. Rows that no configured key opens are counted and named, never changed.
 */
public final class TokenResealer {
    private static final Logger LOG = LoggerFactory.getLogger(TokenResealer.class);

    /** What a run did. {@code unreadable} lists {@code shop column} pairs that no configured key decrypts. */
    public record Outcome(int examined, int resealed, int alreadyCurrent, List<String> unreadable) {
        public Outcome {
            unreadable = List.copyOf(unreadable);
        }
    }

    private record Column(String name, Function<ShopId, String> context) {
    }

    private static final List<Column> COLUMNS = List.of(
            new Column("access_token_ciphertext", ShopTokens::accessContext),
            new Column("refresh_token_ciphertext", ShopTokens::refreshContext));

    private final Supplier<Connection> postgres;
    private final SecretKeys keys;
    private final SecretCipher cipher;

    public TokenResealer(Supplier<Connection> postgres, SecretKeys keys) {
        this.postgres = requireNonNull(postgres, "postgres is null");
        this.keys = requireNonNull(keys, "keys is null");
        this.cipher = new SecretCipher(keys);
    }

    public Outcome resealAll() {
        int examined = 0;
        int resealed = 0;
        int current = 0;
        List<String> unreadable = new ArrayList<>();
        try (Connection connection = postgres.get()) {
            for (Column column : COLUMNS) {
                List<Object[]> rows = new ArrayList<>();
                try (PreparedStatement select = connection.prepareStatement("SELECT shop_domain, " + column.name()
                        + " FROM shops WHERE " + column.name() + " IS NOT NULL ORDER BY shop_domain");
                     ResultSet result = select.executeQuery()) {
                    while (result.next()) {
                        rows.add(new Object[]{result.getString(1), result.getBytes(2)});
                    }
                }
                for (Object[] row : rows) {
                    examined++;
                    ShopId shop = ShopId.of((String) row[0]);
                    byte[] sealed = (byte[]) row[1];
                    if (SecretCipher.keyIdOf(sealed).equals(keys.currentId())) {
                        current++;
                        continue;
                    }
                    String context = column.context().apply(shop);
                    String token;
                    try {
                        token = cipher.decrypt(sealed, context);
                    }
                    catch (DomainException e) {
                        LOG.error("Cannot re-seal {} of {}: {}", column.name(), shop, e.getMessage());
                        unreadable.add(shop.domain() + " " + column.name());
                        continue;
                    }
                    try (PreparedStatement update = connection.prepareStatement("UPDATE shops SET " + column.name()
                            + " = ? WHERE shop_domain = ? AND " + column.name() + " = ?")) {
                        update.setBytes(1, cipher.encrypt(token, context));
                        update.setString(2, shop.domain());
                        update.setBytes(3, sealed);
                        if (update.executeUpdate() == 1) {
                            resealed++;
                        }
                        else {
                            current++; // replaced meanwhile by a refresh, which sealed it with the current key
                        }
                    }
                }
            }
        }
        catch (SQLException e) {
            throw new IllegalStateException("Cannot re-seal the stored tokens: " + e.getMessage(), e);
        }
        Outcome keys = resealDkimKeys();
        return new Outcome(examined + keys.examined(), resealed + keys.resealed(), current + keys.alreadyCurrent(),
                java.util.stream.Stream.concat(unreadable.stream(), keys.unreadable().stream()).toList());
    }

    /**
     * The DKIM private keys of sender domains set up through the API ({@code sender_domains.dkim_private_key},
     * sealed with the same cipher and keys, context {@code dkim_key|<shop>|<domain>}): without this, dropping the old
     * key would leave the send job unable to sign, and every send of such a shop would be retried until it failed.
     */
    private Outcome resealDkimKeys() {
        int examined = 0;
        int resealed = 0;
        int current = 0;
        List<String> unreadable = new ArrayList<>();
        try (Connection connection = postgres.get()) {
            List<Object[]> rows = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("SELECT shop_domain, domain, dkim_private_key "
                    + "FROM sender_domains WHERE dkim_key_ref = ? AND dkim_private_key IS NOT NULL "
                    + "ORDER BY shop_domain, domain")) {
                select.setString(1, DkimKey.SEALED_REF);
                try (ResultSet result = select.executeQuery()) {
                    while (result.next()) {
                        rows.add(new Object[]{result.getString(1), result.getString(2), result.getBytes(3)});
                    }
                }
            }
            for (Object[] row : rows) {
                examined++;
                String shop = (String) row[0];
                String domain = (String) row[1];
                byte[] sealed = (byte[]) row[2];
                if (sealed.length < 2 || SecretCipher.keyIdOf(sealed).equals(keys.currentId())) {
                    current++;
                    continue;
                }
                String context = DkimKey.sealedContext(shop, domain);
                String pem;
                try {
                    pem = cipher.decrypt(sealed, context);
                }
                catch (DomainException e) {
                    LOG.error("Cannot re-seal the DKIM key of {} for {}: {}", domain, shop, e.getMessage());
                    unreadable.add(shop + " sender_domains.dkim_private_key " + domain);
                    continue;
                }
                try (PreparedStatement update = connection.prepareStatement("UPDATE sender_domains "
                        + "SET dkim_private_key = ? WHERE shop_domain = ? AND domain = ? AND dkim_private_key = ?")) {
                    update.setBytes(1, cipher.encrypt(pem, context));
                    update.setString(2, shop);
                    update.setString(3, domain);
                    update.setBytes(4, sealed);
                    if (update.executeUpdate() == 1) {
                        resealed++;
                    }
                    else {
                        current++; // a new key pair was made meanwhile, sealed with the current key
                    }
                }
            }
        }
        catch (SQLException e) {
            throw new IllegalStateException("Cannot re-seal the DKIM keys: " + e.getMessage(), e);
        }
        return new Outcome(examined, resealed, current, unreadable);
    }
}
