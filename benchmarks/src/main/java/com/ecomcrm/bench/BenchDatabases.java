package com.ecomcrm.bench;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.schema.ClickHouseTarget;
import com.ecomcrm.schema.PostgresTarget;
import com.ecomcrm.schema.SchemaMigrator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The benchmark's own throwaway world: databases {@code ecomcrm_bench} in PostgreSQL and ClickHouse (dropped and
 * migrated afresh), and {@code var/bench/} for the landing zone and the Iceberg warehouse (emptied first). The demo's
 * and the tests' data are never touched.
 */
public record BenchDatabases(PostgresTarget postgres, ClickHouseSettings clickHouse, Path landing, Path warehouse,
                             Path work) {
    public static final String DATABASE = "ecomcrm_bench";

    public static BenchDatabases fresh(Path repositoryRoot) throws IOException, SQLException {
        return fresh(repositoryRoot, DATABASE, "var/bench");
    }

    /**
     * Another runner's own throwaway world (e.g. {@code bin/bench-intake}: {@code ecomcrm_bench_intake}), so it can run
     * beside {@code bin/bench} without dropping its databases.
     */
    public static BenchDatabases fresh(Path repositoryRoot, String database, String folder)
            throws IOException, SQLException {
        if (!database.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("Cannot create bench database '" + database + "': not a plain name");
        }
        Path work = repositoryRoot.resolve(folder);
        deleteTree(work);
        Path landing = Files.createDirectories(work.resolve("landing"));
        Path warehouse = Files.createDirectories(work.resolve("warehouse"));

        PostgresTarget main = PostgresTarget.fromEnv();
        try (Connection connection = DriverManager.getConnection(main.url(), main.user(), main.password());
             Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            statement.execute("CREATE DATABASE " + database);
        }
        PostgresTarget postgres = new PostgresTarget(
                main.url().replaceFirst("/[^/?]+(\\?.*)?$", "/" + database + "$1"), main.user(), main.password());
        try (ClickHouseGateway admin = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment())) {
            admin.admin().execute("DROP DATABASE IF EXISTS " + database);
        }
        SchemaMigrator.migrateAll(postgres, ClickHouseTarget.fromEnv().withDatabase(database));
        return new BenchDatabases(postgres, ClickHouseSettings.fromEnvironment().withDatabase(database), landing,
                warehouse, work);
    }

    /** The environment of the API and the pipeline: the process's own, pointed at the benchmark's databases. */
    public Map<String, String> environment(String clientId, String clientSecret) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("ECOMCRM_PG_URL", postgres.url());
        env.put("ECOMCRM_CH_DATABASE", clickHouse.database());
        env.put("ECOMCRM_LANDING_DIR", landing.toString());
        env.put("ECOMCRM_WAREHOUSE_DIR", warehouse.toString());
        env.put("ECOMCRM_API_PORT", "0");
        env.put("SHOPIFY_API_KEY", clientId);
        env.put("SHOPIFY_API_SECRET", clientSecret);
        return env;
    }

    public Connection connect() {
        try {
            return DriverManager.getConnection(postgres.url(), postgres.user(), postgres.password());
        }
        catch (SQLException e) {
            throw new IllegalStateException("Cannot connect to " + postgres + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
