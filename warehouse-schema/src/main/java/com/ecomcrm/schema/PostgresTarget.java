package com.ecomcrm.schema;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/** Where the PostgreSQL migrations go: a JDBC URL and credentials. */
public record PostgresTarget(String url, String user, String password) {
    public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:55432/ecomcrm";
    public static final String DEFAULT_USER = "ecomcrm";
    public static final String DEFAULT_PASSWORD = "ecomcrm";

    public PostgresTarget {
        requireNonNull(url, "url is null");
        requireNonNull(user, "user is null");
        password = password == null ? "" : password;
    }

    /** From {@code ECOMCRM_PG_URL}, {@code ECOMCRM_PG_USER}, {@code ECOMCRM_PG_PASSWORD}, with the dev defaults. */
    public static PostgresTarget fromEnv() {
        return fromEnv(System.getenv());
    }

    public static PostgresTarget fromEnv(Map<String, String> env) {
        return new PostgresTarget(
                Env.get(env, "ECOMCRM_PG_URL", DEFAULT_URL),
                Env.get(env, "ECOMCRM_PG_USER", DEFAULT_USER),
                Env.get(env, "ECOMCRM_PG_PASSWORD", DEFAULT_PASSWORD));
    }

    @Override
    public String toString() {
        return "PostgresTarget[url=" + url + ", user=" + user + "]";
    }
}
