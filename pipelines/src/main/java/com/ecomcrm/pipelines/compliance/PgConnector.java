package com.ecomcrm.pipelines.compliance;

import com.ecomcrm.pipelines.PipelineSettings;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Connections to the operational PostgreSQL tables: the pipelines' database, in a given schema (tests use a
 * throwaway one; production the default). The Iceberg JDBC catalog is reached by Spark separately.
 */
public record PgConnector(String url, String user, String password, Optional<String> schema) {
    public PgConnector {
        requireNonNull(url, "url is null");
        requireNonNull(user, "user is null");
        requireNonNull(password, "password is null");
        requireNonNull(schema, "schema is null");
    }

    public static PgConnector of(PipelineSettings settings) {
        return new PgConnector(settings.pgUrl(), settings.pgUser(), settings.pgPassword(), Optional.empty());
    }

    public PgConnector inSchema(String name) {
        return new PgConnector(url, user, password, Optional.of(name));
    }

    public Connection open() throws SQLException {
        Connection connection = DriverManager.getConnection(url, user, password);
        if (schema.isPresent()) {
            connection.setSchema(schema.get());
        }
        return connection;
    }

    /** The schema unqualified names resolve to. */
    public String currentSchema(Connection connection) throws SQLException {
        return schema.isPresent() ? schema.get() : connection.getSchema();
    }

    @Override
    public String toString() {
        return "PgConnector[url=" + url + ", user=" + user + ", schema=" + schema.orElse("(default)") + "]";
    }
}
