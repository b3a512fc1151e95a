package com.ecomcrm.jobs;

import com.ecomcrm.schema.PostgresTarget;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/** The PostgreSQL connection pool of the jobs. */
public final class Database {
    private Database() {
    }

    /**
     * A pool on {@code target}; with {@code schema} non-null every connection works in that schema
     * ({@code currentSchema}), which is how tests use a throwaway schema.
     */
    public static HikariDataSource pool(PostgresTarget target, String schema, int size) {
        HikariConfig config = new HikariConfig();
        String url = target.url();
        if (schema != null) {
            url += (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        }
        config.setJdbcUrl(url);
        config.setUsername(target.user());
        config.setPassword(target.password());
        config.setMaximumPoolSize(size);
        config.setPoolName("ecomcrm-jobs");
        return new HikariDataSource(config);
    }
}
