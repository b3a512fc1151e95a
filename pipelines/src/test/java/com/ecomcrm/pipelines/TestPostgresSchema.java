package com.ecomcrm.pipelines;

import com.ecomcrm.schema.PostgresMigrator;
import com.ecomcrm.schema.PostgresTarget;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A PostgreSQL schema of one test class's own on the project's real server, migrated to the current version and
 * dropped at {@link #close()}: test classes that write the operational tables (sends, events, the records of what a
 * night read) run side by side, in two test JVMs, without seeing each other's rows.
 */
final class TestPostgresSchema implements AutoCloseable {
    private final PostgresTarget target;
    private final String name;

    private TestPostgresSchema(PostgresTarget target, String name) {
        this.target = target;
        this.name = name;
    }

    /** A new schema, migrated (the server from the environment, as everywhere in the tests). */
    static TestPostgresSchema create() {
        PostgresTarget target = PostgresTarget.fromEnv();
        String name = "ecomcrm_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        PostgresMigrator.migrate(target, name);
        return new TestPostgresSchema(target, name);
    }

    String name() {
        return name;
    }

    /** The environment's settings, with this schema as PostgreSQL's current schema and the given warehouse. */
    PipelineSettings settings(Path warehouseDir) {
        PipelineSettings env = PipelineSettings.fromEnvironment().withWarehouseDir(warehouseDir);
        return new PipelineSettings(url(), target.user(), target.password(), env.warehouseDir(), env.landingDir(),
                env.sparkMaster());
    }

    /** A connection whose unqualified table names are this schema's. */
    Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), target.user(), target.password());
    }

    private String url() {
        return target.url() + (target.url().contains("?") ? "&" : "?") + "currentSchema=" + name;
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = DriverManager.getConnection(target.url(), target.user(), target.password());
             Statement drop = c.createStatement()) {
            drop.execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
        }
    }
}
