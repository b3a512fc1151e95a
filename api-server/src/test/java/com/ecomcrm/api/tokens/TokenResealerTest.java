package com.ecomcrm.api.tokens;

import com.ecomcrm.email.secrets.SecretCipher;
import com.ecomcrm.email.secrets.SecretKeys;
import com.ecomcrm.email.mail.DkimKey;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.schema.PostgresMigrator;
import com.ecomcrm.schema.PostgresTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.Locale;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Key rotation, second half: tokens sealed with the old key are re-sealed with the new one, on the real PostgreSQL. */
class TokenResealerTest {
    private static final String OLD = "k0:" + Base64.getEncoder().encodeToString(filled(1));
    private static final String NEW = "k1:" + Base64.getEncoder().encodeToString(filled(2));
    private static final String FOREIGN = "kx:" + Base64.getEncoder().encodeToString(filled(3));
    private static final ShopId ALPHA = ShopId.of("reseal-alpha.myshopify.com");
    private static final ShopId BETA = ShopId.of("reseal-beta.myshopify.com");
    private static final ShopId GAMMA = ShopId.of("reseal-gamma.myshopify.com");

    private PostgresTarget target;
    private String schema;

    private static byte[] filled(int value) {
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) value);
        return key;
    }

    @BeforeEach
    void createSchema() {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        target = PostgresTarget.fromEnv();
        schema = "reseal_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10).toLowerCase(Locale.ROOT);
        PostgresMigrator.migrate(target, schema);
    }

    @AfterEach
    void dropSchema() throws SQLException {
        if (schema != null) {
            try (Connection c = connect(); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    @Test
    void tokensUnderTheOldKeyAreResealedWithTheNewOneAndStillDecryptToTheSameToken() throws Exception {
        SecretCipher old = new SecretCipher(SecretKeys.parse(OLD));
        SecretCipher foreign = new SecretCipher(SecretKeys.parse(FOREIGN));
        insert(ALPHA, old.encrypt("shpat_alpha", ShopTokens.accessContext(ALPHA)),
                old.encrypt("shprt_alpha", ShopTokens.refreshContext(ALPHA)));
        SecretKeys rotated = SecretKeys.parse(NEW + "," + OLD);
        insert(BETA, new SecretCipher(rotated).encrypt("shpat_beta", ShopTokens.accessContext(BETA)), null);
        insert(GAMMA, foreign.encrypt("shpat_gamma", ShopTokens.accessContext(GAMMA)), null);

        TokenResealer.Outcome first = new TokenResealer(this::connect, rotated).resealAll();

        assertThat(first.examined()).isEqualTo(4);
        assertThat(first.resealed()).isEqualTo(2);
        assertThat(first.alreadyCurrent()).isEqualTo(1);
        assertThat(first.unreadable()).containsExactly(GAMMA.domain() + " access_token_ciphertext");
        SecretCipher current = new SecretCipher(SecretKeys.parse(NEW));
        assertThat(SecretCipher.keyIdOf(read(ALPHA, "access_token_ciphertext"))).isEqualTo("k1");
        assertThat(current.decrypt(read(ALPHA, "access_token_ciphertext"), ShopTokens.accessContext(ALPHA)))
                .isEqualTo("shpat_alpha");
        assertThat(current.decrypt(read(ALPHA, "refresh_token_ciphertext"), ShopTokens.refreshContext(ALPHA)))
                .isEqualTo("shprt_alpha");
        // The row no key opens is left exactly as it was.
        assertThat(foreign.decrypt(read(GAMMA, "access_token_ciphertext"), ShopTokens.accessContext(GAMMA)))
                .isEqualTo("shpat_gamma");

        TokenResealer.Outcome second = new TokenResealer(this::connect, rotated).resealAll();
        assertThat(second.resealed()).isZero();
        assertThat(second.alreadyCurrent()).isEqualTo(3);
    }

    @Test
    void sealedDkimKeysOfSenderDomainsAreResealedSoTheSendJobStillSignsAfterTheOldKeyIsDropped() throws Exception {
        SecretKeys rotated = SecretKeys.parse(NEW + "," + OLD);
        String pem = "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n";
        byte[] underOld = new SecretCipher(SecretKeys.parse(OLD)).encrypt(pem,
                DkimKey.sealedContext(ALPHA.domain(), "alpha.example"));
        try (Connection c = connect(); PreparedStatement insert = c.prepareStatement("""
                INSERT INTO sender_domains (shop_domain, domain, dkim_selector, dkim_key_ref, dkim_private_key,
                                            verified_at) VALUES (?, 'alpha.example', 'ecomcrm1', 'sealed:', ?, now())""")) {
            insert.setString(1, ALPHA.domain());
            insert.setBytes(2, underOld);
            insert.executeUpdate();
        }

        TokenResealer.Outcome outcome = new TokenResealer(this::connect, rotated).resealAll();

        assertThat(outcome.resealed()).isEqualTo(1);
        byte[] now;
        try (Connection c = connect(); PreparedStatement select = c.prepareStatement(
                "SELECT dkim_private_key FROM sender_domains WHERE shop_domain = ?")) {
            select.setString(1, ALPHA.domain());
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                now = rows.getBytes(1);
            }
        }
        assertThat(SecretCipher.keyIdOf(now)).isEqualTo("k1");
        // The new key alone opens it, with the context the send job uses.
        assertThat(new SecretCipher(SecretKeys.parse(NEW)).decrypt(now,
                DkimKey.sealedContext(ALPHA.domain(), "alpha.example"))).isEqualTo(pem);
        assertThat(new TokenResealer(this::connect, rotated).resealAll().resealed()).isZero();
    }

    private Connection connect() {
        try {
            Connection connection = DriverManager.getConnection(target.url(), target.user(), target.password());
            try (Statement s = connection.createStatement()) {
                s.execute("SET search_path TO " + schema);
            }
            return connection;
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void insert(ShopId shop, byte[] access, byte[] refresh) throws SQLException {
        try (Connection c = connect(); PreparedStatement insert = c.prepareStatement("""
                INSERT INTO shops (shop_domain, installed_at, access_token_ciphertext, refresh_token_ciphertext)
                VALUES (?, now(), ?, ?)""")) {
            insert.setString(1, shop.domain());
            insert.setBytes(2, access);
            insert.setBytes(3, refresh);
            insert.executeUpdate();
        }
    }

    private byte[] read(ShopId shop, String column) throws SQLException {
        try (Connection c = connect(); PreparedStatement select = c.prepareStatement(
                "SELECT " + column + " FROM shops WHERE shop_domain = ?")) {
            select.setString(1, shop.domain());
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getBytes(1);
            }
        }
    }
}
