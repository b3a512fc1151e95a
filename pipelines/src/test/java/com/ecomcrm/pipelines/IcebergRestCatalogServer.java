package com.ecomcrm.pipelines;

import com.ecomcrm.schema.PostgresMigrator;
import com.ecomcrm.schema.PostgresTarget;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.awaitility.Awaitility;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * A real Iceberg REST catalog for tests: Iceberg's own {@code RESTCatalogServer} (iceberg-open-api's test fixtures,
 * the server behind the apache/iceberg-rest-fixture image) in a child JVM, backed by a JDBC catalog in a fresh
 * PostgreSQL schema and a local warehouse folder. The client reaches it on 127.0.0.1 (Jetty binds the port on every
 * interface; the port is free and random).
 *
 * <p>A child JVM because Iceberg's server classes link against unshaded Jackson and HttpCore, which the
 * iceberg-spark-runtime jar of the pipelines relocates: the server's jars are copied to
 * {@code target/iceberg-rest-server/lib} by the pipelines pom and never join the test classpath.
 *
 * <p>The backend catalog is named {@value #BACKEND_CATALOG}, which is the {@code catalog_name} of its rows in the
 * schema's {@code iceberg_tables}: a table found there was created through the REST server, nowhere else.
 */
public final class IcebergRestCatalogServer implements AutoCloseable {
    public static final String BACKEND_CATALOG = "rest_backend";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SERVER_DIR = Path.of("target", "iceberg-rest-server");

    private final Process process;
    private final int port;
    private final String schema;
    private final PostgresTarget postgres;
    private final Path warehouse;
    private final String warehouseLocation;
    private final Path log;

    private IcebergRestCatalogServer(Process process, int port, String schema, PostgresTarget postgres,
                                     Path warehouse, String warehouseLocation, Path log) {
        this.process = process;
        this.port = port;
        this.schema = schema;
        this.postgres = postgres;
        this.warehouse = warehouse;
        this.warehouseLocation = warehouseLocation;
        this.log = log;
    }

    /** Starts a server whose catalog lives in a new schema of the configured PostgreSQL and under {@code folder}. */
    public static IcebergRestCatalogServer start(Path folder) throws IOException {
        return start(folder, null);
    }

    /**
     * Starts a server whose catalog lives in a new schema of the configured PostgreSQL and whose warehouse is
     * {@code s3://bucket/rest-warehouse} in {@code store}: the server writes the tables' metadata there through
     * S3FileIO (configured like the client, by catalog properties), as a production REST catalog on object storage.
     */
    public static IcebergRestCatalogServer startOnObjectStorage(Path folder, S3ObjectStore store) throws IOException {
        return start(folder, requireNonNull(store, "store is null"));
    }

    private static IcebergRestCatalogServer start(Path folder, S3ObjectStore store) throws IOException {
        requireNonNull(folder, "folder is null");
        PostgresTarget postgres = PostgresTarget.fromEnv();
        String schema = "rest_catalog_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
                .toLowerCase(Locale.ROOT);
        // The project's migrations create iceberg_tables and iceberg_namespace_properties (layout V1) in the schema.
        // Iceberg would not create them itself: it looks for them in every schema and finds the demo's in public.
        PostgresMigrator.migrate(postgres, schema);
        Path warehouse = Files.createDirectories(folder.resolve("rest-warehouse")).toAbsolutePath();
        String warehouseLocation = store == null ? warehouse.toUri().toString() : store.location("rest-warehouse");
        Path log = folder.resolve("rest-catalog-server.log").toAbsolutePath();
        int port = freePort();

        ProcessBuilder builder = new ProcessBuilder(javaExecutable(), "-Xmx256m", "-cp", classPath(),
                "org.apache.iceberg.rest.RESTCatalogServer");
        Map<String, String> env = builder.environment();
        // RESTCatalogServer reads its catalog from CATALOG_* variables: CATALOG_JDBC_USER is jdbc.user, "__" is "-".
        env.put("CATALOG_CATALOG__IMPL", "org.apache.iceberg.jdbc.JdbcCatalog");
        env.put("CATALOG_URI", postgres.url() + (postgres.url().contains("?") ? "&" : "?") + "currentSchema=" + schema);
        env.put("CATALOG_JDBC_USER", postgres.user());
        env.put("CATALOG_JDBC_PASSWORD", postgres.password());
        env.put("CATALOG_JDBC_SCHEMA__VERSION", "V1");
        env.put("CATALOG_WAREHOUSE", warehouseLocation);
        env.put("CATALOG_REST_PORT", Integer.toString(port));
        if (store != null) {
            // s3.path-style-access is CATALOG_S3_PATH__STYLE__ACCESS ("_" is ".", "__" is "-").
            store.fileIoProperties().forEach((key, value) -> env.put("CATALOG_"
                    + key.toUpperCase(Locale.ROOT).replace("-", "__").replace(".", "_"), value));
        }
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        IcebergRestCatalogServer server = new IcebergRestCatalogServer(builder.start(), port, schema, postgres,
                warehouse, warehouseLocation, log);
        try {
            Awaitility.await("the Iceberg REST catalog on port " + port).atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        if (!server.process.isAlive()) {
                            throw new IllegalStateException("The Iceberg REST catalog server exited: "
                                    + Files.readString(log));
                        }
                        return server.answers();
                    });
        }
        catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** The catalog's address, for {@code spark.sql.catalog.<name>.uri}. */
    public String uri() {
        return "http://127.0.0.1:" + port + "/";
    }

    public Path warehouse() {
        return warehouse;
    }

    /** Where the server puts new tables: the local warehouse folder's URI, or {@code s3://bucket/rest-warehouse}. */
    public String warehouseLocation() {
        return warehouseLocation;
    }

    /**
     * The {@code spark.*} settings that switch a catalog to this server, as an operator would pass them to
     * spark-submit ({@code --conf}) or as {@code -D} system properties: nothing else changes.
     */
    public Map<String, String> sparkSettings(Lakehouse lakehouse) {
        String prefix = "spark.sql.catalog." + lakehouse.catalog();
        return Map.of(prefix + ".catalog-impl", "org.apache.iceberg.rest.RESTCatalog",
                prefix + ".uri", uri());
    }

    /** The tables of a namespace as the REST server lists them ({@code GET /v1/namespaces/{ns}/tables}). */
    public List<String> listTables(String namespace) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(uri() + "v1/namespaces/" + namespace + "/tables")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("Cannot list the tables of " + namespace + ": HTTP "
                    + response.statusCode() + " " + response.body());
        }
        List<String> names = new ArrayList<>();
        for (JsonNode identifier : JSON.readTree(response.body()).path("identifiers")) {
            names.add(String.join(".", JSON.convertValue(identifier.path("namespace"), String[].class)) + "."
                    + identifier.path("name").asText());
        }
        return names.stream().sorted().toList();
    }

    /** {@code namespace.table -> metadata location} of the rows the server wrote to its JDBC catalog. */
    public Map<String, String> backendTables() throws Exception {
        Map<String, String> tables = new java.util.TreeMap<>();
        try (Connection pg = DriverManager.getConnection(postgres.url(), postgres.user(), postgres.password());
             var statement = pg.prepareStatement("SELECT table_namespace, table_name, metadata_location FROM "
                     + schema + ".iceberg_tables WHERE catalog_name = ?")) {
            statement.setString(1, BACKEND_CATALOG);
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    tables.put(rows.getString(1) + "." + rows.getString(2), rows.getString(3));
                }
            }
        }
        return tables;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Connection pg = DriverManager.getConnection(postgres.url(), postgres.user(), postgres.password())) {
            pg.createStatement().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
        catch (Exception e) {
            throw new IllegalStateException("Cannot drop the REST catalog's schema " + schema, e);
        }
    }

    private boolean answers() {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(uri() + "v1/config")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200;
        }
        catch (IOException e) {
            return false;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The server's own jars first, then the pipelines' runtime classpath without iceberg-spark-runtime. */
    private static String classPath() throws IOException {
        Path lib = SERVER_DIR.resolve("lib");
        Path base = SERVER_DIR.resolve("base-classpath.txt");
        if (!Files.isDirectory(lib) || !Files.exists(base)) {
            throw new IllegalStateException("Cannot start the Iceberg REST catalog: " + SERVER_DIR.toAbsolutePath()
                    + " is missing (mvn -pl pipelines generate-test-resources copies it)");
        }
        List<String> entries = new ArrayList<>();
        try (Stream<Path> jars = Files.list(lib)) {
            jars.filter(jar -> jar.toString().endsWith(".jar")).sorted()
                    .forEach(jar -> entries.add(jar.toAbsolutePath().toString()));
        }
        entries.add(Files.readString(base).trim());
        return String.join(File.pathSeparator, entries);
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "IcebergRestCatalogServer[" + uri() + ", schema=" + schema + ", log=" + log + "]";
    }
}
