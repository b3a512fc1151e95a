package com.ecomcrm.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against the real PostgreSQL, in a throwaway schema {@code ecomcrm_test_<random>} dropped afterwards. */
class PostgresMigratorTest {
    private PostgresTarget target;
    private String schema;

    @BeforeEach
    void throwawaySchema() {
        target = Servers.postgres();
        schema = Servers.throwawayName();
    }

    @AfterEach
    void dropSchema() throws SQLException {
        if (target != null) {
            try (Connection c = connect(); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    @Test
    void migratingTwiceAppliesNothingTheSecondTime() throws Exception {
        assertThat(PostgresMigrator.migrate(target, schema)).isEqualTo(migrationFileCount());
        assertThat(PostgresMigrator.migrate(target, schema)).isZero();

        assertThat(tables()).contains("shops", "webhook_receipts", "bulk_syncs", "landing_rejects", "pipeline_runs",
                "iceberg_tables", "iceberg_namespace_properties");
    }

    /** The columns Iceberg 1.10's JdbcCatalog (schema V1) reads and writes, as it would create them. */
    @Test
    void icebergCatalogTablesMatchJdbcCatalog() throws SQLException {
        PostgresMigrator.migrate(target, schema);

        assertThat(columns("iceberg_tables")).containsExactly(
                "catalog_name character varying(255) NO", "table_namespace character varying(255) NO",
                "table_name character varying(255) NO", "metadata_location character varying(1000) YES",
                "previous_metadata_location character varying(1000) YES", "iceberg_type character varying(5) YES");
        assertThat(columns("iceberg_namespace_properties")).containsExactly(
                "catalog_name character varying(255) NO", "namespace character varying(255) NO",
                "property_key character varying(255) NO", "property_value character varying(1000) YES");
    }

    @Test
    void shopsDefaultToTheFreePlan() throws SQLException {
        PostgresMigrator.migrate(target, schema);
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO " + schema + ".shops (shop_domain) VALUES ('a.myshopify.com')");
            try (ResultSet rs = s.executeQuery("SELECT plan, created_at IS NOT NULL FROM " + schema + ".shops")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("free");
                assertThat(rs.getBoolean(2)).isTrue();
            }
        }
    }

    /** The real default schema (what the services use): after one run, a second applies nothing. */
    @Test
    void theDefaultSchemaIsUpToDateAfterOneRun() {
        PostgresMigrator.migrate(target);
        assertThat(PostgresMigrator.migrate(target)).isZero();
    }

    private List<String> tables() throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
        }
        return tables;
    }

    private List<String> columns(String table) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT column_name, data_type, character_maximum_length, is_nullable FROM information_schema.columns "
                        + "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1) + " " + rs.getString(2) + "(" + rs.getInt(3) + ") "
                            + rs.getString(4));
                }
            }
        }
        return columns;
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(target.url(), target.user(), target.password());
    }

    /** Every V*.sql under db/postgres in this build: a fresh schema gets all of them, whatever their number. */
    private static int migrationFileCount() throws Exception {
        java.net.URL dir = PostgresMigratorTest.class.getClassLoader().getResource("db/postgres");
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of(dir.toURI()))) {
            return (int) files.filter(f -> f.getFileName().toString().matches("V\\d+__.*\\.sql")).count();
        }
    }
}
