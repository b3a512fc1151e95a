package com.ecomcrm.clickhouse;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;

import java.net.URI;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Where the gateway finds ClickHouse. Read from the environment (docs/development.md) so tests, the local demo and
 * production differ only in variables, never in code.
 *
 * @param url      HTTP endpoint, e.g. {@code http://127.0.0.1:58123}
 * @param database the database every statement runs in (tables are never qualified in SQL)
 * @param user     ClickHouse user
 * @param password ClickHouse password, may be empty; never printed (see {@link #toString()})
 */
public record ClickHouseSettings(String url, String database, String user, String password) {
    public static final String DEFAULT_URL = "http://127.0.0.1:58123";
    public static final String DEFAULT_DATABASE = "ecomcrm";
    public static final String DEFAULT_USER = "default";

    public ClickHouseSettings {
        requireNonNull(url, "url is null");
        requireNonNull(database, "database is null");
        requireNonNull(user, "user is null");
        requireNonNull(password, "password is null");
        url = stripTrailingSlash(url.trim());
        // Fail at start-up on a malformed URL rather than on the first query, which may come much later.
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot use ClickHouse URL '" + url + "': " + e.getMessage(), e);
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new DomainException(ErrorCode.INVALID_INPUT,
                    "Cannot use ClickHouse URL '" + url + "': expected http(s)://host:port");
        }
        // The database name goes into the client's settings, not SQL, but keep it to the same safe alphabet.
        SqlLiterals.identifier(database);
    }

    /** Settings from {@code ECOMCRM_CH_URL}, {@code ECOMCRM_CH_DATABASE}, {@code ECOMCRM_CH_USER}, {@code ECOMCRM_CH_PASSWORD}. */
    public static ClickHouseSettings fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /** Same as {@link #fromEnvironment()} over a given map, so the defaults can be tested without touching the process. */
    public static ClickHouseSettings fromEnvironment(Map<String, String> env) {
        return new ClickHouseSettings(
                valueOr(env, "ECOMCRM_CH_URL", DEFAULT_URL),
                valueOr(env, "ECOMCRM_CH_DATABASE", DEFAULT_DATABASE),
                valueOr(env, "ECOMCRM_CH_USER", DEFAULT_USER),
                env.getOrDefault("ECOMCRM_CH_PASSWORD", ""));
    }

    /** The same settings pointed at another database (tests and ops use {@code default} to create {@code ecomcrm}). */
    public ClickHouseSettings withDatabase(String otherDatabase) {
        return new ClickHouseSettings(url, otherDatabase, user, password);
    }

    @Override
    public String toString() {
        return "ClickHouseSettings[url=" + url + ", database=" + database + ", user=" + user
                + ", password=" + (password.isEmpty() ? "(empty)" : "***") + "]";
    }

    private static String valueOr(Map<String, String> env, String name, String fallback) {
        String value = env.get(name);
        // An exported-but-empty variable means "not set" (bin/dev-env style `: "${X:=}"`), except for the password.
        return value == null || value.isBlank() ? fallback : value;
    }

    private static String stripTrailingSlash(String value) {
        String v = value;
        while (v.endsWith("/")) {
            v = v.substring(0, v.length() - 1);
        }
        return v;
    }
}
