package com.ecomcrm.api.config;

import java.net.URI;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/** Where the operational PostgreSQL is, from {@code ECOMCRM_PG_URL} (a JDBC URL, shared with Flyway and Spark). */
public record PostgresSettings(String jdbcUrl, String host, int port, String database, String user, String password) {
    public PostgresSettings {
        requireNonNull(jdbcUrl, "jdbcUrl is null");
        requireNonNull(host, "host is null");
        requireNonNull(database, "database is null");
        requireNonNull(user, "user is null");
        requireNonNull(password, "password is null");
    }

    static PostgresSettings from(Function<String, String> env) {
        String jdbcUrl = ApiConfig.orDefault(env, "ECOMCRM_PG_URL", "jdbc:postgresql://127.0.0.1:55432/ecomcrm");
        if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("Cannot use ECOMCRM_PG_URL: it must start with jdbc:postgresql://");
        }
        URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
        if (uri.getHost() == null || uri.getPath() == null || uri.getPath().length() < 2) {
            throw new IllegalArgumentException("Cannot use ECOMCRM_PG_URL: it must name a host and a database");
        }
        return new PostgresSettings(jdbcUrl, uri.getHost(), uri.getPort() == -1 ? 5432 : uri.getPort(),
                uri.getPath().substring(1),
                ApiConfig.orDefault(env, "ECOMCRM_PG_USER", "ecomcrm"),
                ApiConfig.orDefault(env, "ECOMCRM_PG_PASSWORD", "ecomcrm"));
    }
}
