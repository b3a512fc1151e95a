package com.ecomcrm.schema;

import static java.util.Objects.requireNonNull;

import com.ecomcrm.domain.ErrorCode;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Applies the PostgreSQL migrations ({@code classpath:db/postgres}, Flyway's {@code V<n>__<description>.sql}) with
 * Flyway: forward only, a changed applied migration fails validation, running again applies nothing.
 */
public final class PostgresMigrator {
    /** Flyway location of the PostgreSQL migrations. */
    public static final String LOCATION = "classpath:db/postgres";

    private PostgresMigrator() {
    }

    /**
     * Migrates the database's default schema ({@code public} for the dev settings).
     *
     * @return how many migrations this call applied
     */
    public static int migrate(PostgresTarget target) {
        return migrate(target, null);
    }

    /**
     * Migrates the given schema (created if missing; tests use a throwaway one), or the default schema when
     * {@code schema} is null. The migrations' unqualified names resolve to that schema.
     *
     * @return how many migrations this call applied
     */
    public static int migrate(PostgresTarget target, String schema) {
        requireNonNull(target, "target is null");
        var config = Flyway.configure(PostgresMigrator.class.getClassLoader())
                .dataSource(target.url(), target.user(), target.password())
                .locations(LOCATION)
                .failOnMissingLocations(true);
        if (schema != null) {
            config = config.schemas(schema).createSchemas(true);
        }
        try {
            MigrateResult result = config.load().migrate();
            return result.migrationsExecuted;
        }
        catch (FlywayException e) {
            throw new MigrationException(ErrorCode.INTERNAL,
                    "PostgreSQL migration failed for " + target.url() + ": " + e.getMessage(), e);
        }
    }
}
