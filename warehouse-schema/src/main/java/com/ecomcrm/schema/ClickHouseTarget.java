package com.ecomcrm.schema;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where the ClickHouse migrations go: the HTTP interface URL (e.g. {@code http://127.0.0.1:58123}), the database
 * (created if missing) and credentials (empty password allowed).
 */
public record ClickHouseTarget(String url, String database, String user, String password) {
    public static final String DEFAULT_URL = "http://127.0.0.1:58123";
    public static final String DEFAULT_DATABASE = "ecomcrm";
    public static final String DEFAULT_USER = "default";

    private static final Pattern DATABASE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    public ClickHouseTarget {
        requireNonNull(url, "url is null");
        requireNonNull(database, "database is null");
        if (!DATABASE_NAME.matcher(database).matches()) {
            throw new IllegalArgumentException("Invalid ClickHouse database name '" + database
                    + "': letters, digits and '_' only, not starting with a digit");
        }
        url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        user = user == null || user.isEmpty() ? DEFAULT_USER : user;
        password = password == null ? "" : password;
    }

    /**
     * From {@code ECOMCRM_CH_URL}, {@code ECOMCRM_CH_DATABASE}, {@code ECOMCRM_CH_USER}, {@code ECOMCRM_CH_PASSWORD},
     * with the dev defaults.
     */
    public static ClickHouseTarget fromEnv() {
        return fromEnv(System.getenv());
    }

    public static ClickHouseTarget fromEnv(Map<String, String> env) {
        String password = env.get("ECOMCRM_CH_PASSWORD");
        return new ClickHouseTarget(
                Env.get(env, "ECOMCRM_CH_URL", DEFAULT_URL),
                Env.get(env, "ECOMCRM_CH_DATABASE", DEFAULT_DATABASE),
                Env.get(env, "ECOMCRM_CH_USER", DEFAULT_USER),
                password == null ? "" : password);
    }

    /** The same server and credentials, another database (tests use a throwaway one). */
    public ClickHouseTarget withDatabase(String otherDatabase) {
        return new ClickHouseTarget(url, otherDatabase, user, password);
    }

    @Override
    public String toString() {
        return "ClickHouseTarget[url=" + url + ", database=" + database + ", user=" + user + "]";
    }
}
