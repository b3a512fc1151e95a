package com.ecomcrm.api.tokens;

import com.ecomcrm.api.config.ApiConfig;
import com.ecomcrm.api.config.PostgresSettings;

import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * {@code bin/run api-server com.ecomcrm.api.tokens.ResealTokensMain}: after putting a new key first in
 * {@code ECOMCRM_TOKEN_KEYS} (the old one still listed) and restarting the API, re-encrypts every stored token with the
 * new key. When it reports {@code unreadable=0} and {@code old=0} on a second run, the old key can be removed.
 * Exit code 0 when every token is under the current key, 1 when some could not be read.
 */
public final class ResealTokensMain {
    private ResealTokensMain() {
    }

    public static void main(String[] args) {
        ApiConfig config = ApiConfig.fromEnvironment();
        PostgresSettings pg = config.postgres();
        TokenResealer.Outcome outcome = new TokenResealer(() -> {
            try {
                return DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
            }
            catch (SQLException e) {
                throw new IllegalStateException("Cannot connect to PostgreSQL: " + e.getMessage(), e);
            }
        }, config.tokenKeys()).resealAll();
        System.out.println("RESEAL current_key=" + config.tokenKeys().currentId() + " examined=" + outcome.examined()
                + " resealed=" + outcome.resealed() + " already_current=" + outcome.alreadyCurrent()
                + " unreadable=" + outcome.unreadable().size());
        outcome.unreadable().forEach(row -> System.out.println("UNREADABLE " + row));
        System.exit(outcome.unreadable().isEmpty() ? 0 : 1);
    }
}
