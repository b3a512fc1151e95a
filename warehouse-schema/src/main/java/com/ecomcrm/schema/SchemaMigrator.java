package com.ecomcrm.schema;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies every migration: PostgreSQL (Flyway) then ClickHouse. Run as a program it reads the settings from the
 * environment ({@code ECOMCRM_PG_*}, {@code ECOMCRM_CH_*}, docs/development.md) and exits non-zero on failure.
 */
public final class SchemaMigrator {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrator.class);

    private SchemaMigrator() {
    }

    /**
     * What one run applied.
     *
     * @param postgresApplied how many PostgreSQL migrations were applied
     * @param clickHouseApplied the ClickHouse versions applied, in order
     */
    public record Result(int postgresApplied, List<Integer> clickHouseApplied) {
        public Result {
            clickHouseApplied = List.copyOf(clickHouseApplied);
        }
    }

    /** Migrates PostgreSQL, then ClickHouse; stops at the first failure. */
    public static Result migrateAll(PostgresTarget postgres, ClickHouseTarget clickHouse) {
        int pg = PostgresMigrator.migrate(postgres);
        List<Integer> ch = new ClickHouseMigrator(clickHouse).migrate();
        return new Result(pg, ch);
    }

    /** Migrates the databases named by the environment. */
    public static Result migrateAll() {
        return migrateAll(PostgresTarget.fromEnv(), ClickHouseTarget.fromEnv());
    }

    public static void main(String[] args) {
        PostgresTarget postgres = PostgresTarget.fromEnv();
        ClickHouseTarget clickHouse = ClickHouseTarget.fromEnv();
        try {
            Result result = migrateAll(postgres, clickHouse);
            LOG.info("Migrated {} ({} applied) and {} (versions applied: {})", postgres, result.postgresApplied(),
                    clickHouse, result.clickHouseApplied());
        }
        catch (RuntimeException e) {
            LOG.error("Migration failed: {}", e.getMessage(), e);
            System.exit(1);
        }
    }
}
