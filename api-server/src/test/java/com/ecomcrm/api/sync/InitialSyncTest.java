package com.ecomcrm.api.sync;

import com.ecomcrm.api.ApiMain;
import com.ecomcrm.api.config.ApiConfig;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.schema.ClickHouseTarget;
import com.ecomcrm.schema.PostgresTarget;
import com.ecomcrm.schema.SchemaMigrator;
import com.ecomcrm.testing.session.SessionTokens;
import com.ecomcrm.testing.shopify.SimulatedStore;
import com.ecomcrm.testing.shopify.SimulatorServer;
import com.ecomcrm.testing.shopify.StoreGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The initial import starts by itself when a shop installs, and a server stopped in the middle of it finishes it after
 * a restart: the bulk operation that was running is picked up again (not started anew), nothing is missing and
 * nothing is landed twice. Real PostgreSQL, Shopify played by the simulator with slow bulk operations.
 */
class InitialSyncTest {
    private static final String CLIENT_ID = "sync-test-client-id";
    private static final String SECRET = "sync-test-client-secret";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final SessionTokens SESSIONS = new SessionTokens(CLIENT_ID, SECRET, Clock.systemUTC());
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final ShopId SHOP = ShopId.of("sync-" + RUN + "-crash.myshopify.com");
    private static final ShopId OTHER = ShopId.of("sync-" + RUN + "-other.myshopify.com");
    private static final ShopId NEVER = ShopId.of("sync-" + RUN + "-never.myshopify.com");
    /** A store whose history runs into the future: some of it changes "while the server is down". */
    private static final ShopId LIVELY = ShopId.of("sync-" + RUN + "-lively.myshopify.com");
    private static SimulatedStore livelyStore;

    @TempDir
    static Path landing;

    private static Vertx vertx;
    private static SimulatorServer simulator;
    private static SimulatedStore store;
    private static ApiConfig config;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        SchemaMigrator.migrateAll(PostgresTarget.fromEnv(), ClickHouseTarget.fromEnv());
        vertx = Vertx.vertx();
        store = StoreGenerator.generate(11, SHOP, 40);
        java.time.Instant now = java.time.Instant.now();
        livelyStore = StoreGenerator.generate(14, LIVELY, 300, now.minus(Duration.ofDays(30)),
                now.plus(Duration.ofDays(3)));
        // Each bulk operation runs at least 4 seconds: long enough to stop the server in the middle of one.
        simulator = new SimulatorServer(List.of(
                new SimulatorServer.ShopAccount(store, "shpat_static_" + SHOP.handle()),
                new SimulatorServer.ShopAccount(StoreGenerator.generate(12, OTHER, 5), "shpat_static_" + OTHER.handle()),
                new SimulatorServer.ShopAccount(StoreGenerator.generate(13, NEVER, 5), "shpat_static_" + NEVER.handle()),
                new SimulatorServer.ShopAccount(livelyStore, "shpat_static_" + LIVELY.handle())),
                SimulatorServer.Options.defaults().withPort(0).withApp(CLIENT_ID, SECRET)
                        .withMinimumRunTime(Duration.ofSeconds(4)));
        simulator.deployOn(vertx).await();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        base = "http://127.0.0.1:" + port;
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("ECOMCRM_API_PORT", Integer.toString(port));
        env.put("SHOPIFY_API_KEY", CLIENT_ID);
        env.put("SHOPIFY_API_SECRET", SECRET);
        env.put("ECOMCRM_LANDING_DIR", landing.toString());
        env.put("ECOMCRM_TOKEN_KEYS", "t1:" + Base64.getEncoder().encodeToString(new byte[32]));
        env.put("ECOMCRM_SHOPIFY_ADMIN_BASE", simulator.adminBaseTemplate());
        env.put("ECOMCRM_SHOPIFY_ADMIN_URL", simulator.adminUrlTemplate());
        env.put("ECOMCRM_PUBLIC_URL", base);
        env.put("ECOMCRM_INITIAL_SYNC", "automatic");
        config = ApiConfig.from(env);
    }

    @AfterAll
    static void stop() {
        if (vertx != null) {
            vertx.close().await();
        }
    }

    @Test
    void anImportInterruptedByAStopIsResumedAfterTheRestartWithNothingMissingOrDoubled() throws Exception {
        ApiMain.Application first = startServer();
        try {
            JsonNode installed = JSON.readTree(post("/api/install/complete", SHOP).body());
            assertThat(installed.get("token").asText()).isEqualTo("EXCHANGED");
            // The import started by itself; stop the server while the customers' bulk operation is running.
            await().atMost(Duration.ofSeconds(20)).until(() -> status(SHOP, "customers").equals(List.of("RUNNING")));
        }
        finally {
            first.close().await();
        }
        assertThat(status(SHOP, "customers")).containsExactly("RUNNING");
        assertThat(status(SHOP, "orders")).isEmpty();
        String interruptedOperation = operations(SHOP, "customers").get(0);

        ApiMain.Application second = startServer();
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> "COMPLETED".equals(phase(SHOP)));
        }
        finally {
            second.close().await();
        }

        // The running operation was resumed, not started again, and each object type was landed once.
        assertThat(operations(SHOP, "customers")).containsExactly(interruptedOperation);
        assertThat(status(SHOP, "orders")).containsExactly("COMPLETED");
        List<String> customerLines = landedLines(SHOP, "customers");
        Set<String> customerIds = new HashSet<>();
        for (String line : customerLines) {
            customerIds.add(JSON.readTree(JSON.readTree(line).get("body").asText()).get("id").asText());
        }
        assertThat(customerLines).hasSize(store.customers().size());
        assertThat(customerIds).hasSize(store.customers().size());
        assertThat(landedLines(SHOP, "orders")).isNotEmpty();
        // A shop that never installed was not imported.
        assertThat(status(NEVER, "customers")).isEmpty();
        assertThat(landedLines(SHOP, "checkouts")).hasSize(store.abandonedCheckouts().size());
    }

    @Test
    void aVisitAfterTheImportCompletedStartsNothingNew() throws Exception {
        ShopId shop = OTHER;
        ApiMain.Application server = startServer();
        try {
            post("/api/install/complete", shop);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> "COMPLETED".equals(phase(shop)));
            List<String> before = operations(shop, "customers");
            // The shop's own details were read from Shopify on the way: quiet hours count in its time zone.
            assertThat(shopColumn(shop, "timezone")).isEqualTo("America/New_York");
            assertThat(shopColumn(shop, "email")).isEqualTo(SimulatorServer.ownerEmail(shop));
            assertThat(shopColumn(shop, "currency")).isEqualTo("USD");
            // Its flow library exists from the install on, every flow off until the merchant switches it on.
            assertThat(flowCount(shop, false)).isPositive();
            assertThat(flowCount(shop, true)).isZero();

            // A later change reaches the app by shop/update; a visit does not ask Shopify for the details again.
            setShopColumn(shop, "currency", "EUR");
            post("/api/install/complete", shop);
            Thread.sleep(500); // would be enough to record a new bulk operation, which is started at once

            assertThat(operations(shop, "customers")).isEqualTo(before).hasSize(1);
            assertThat(phase(shop)).isEqualTo("COMPLETED");
            assertThat(shopColumn(shop, "currency")).isEqualTo("EUR");
        }
        finally {
            server.close().await();
        }
    }

    @Test
    void afterARestartAnImportedShopCatchesUpOnlyOnWhatChangedSinceItsLastImport() throws Exception {
        ApiMain.Application first = startServer();
        try {
            post("/api/install/complete", LIVELY);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> "COMPLETED".equals(phase(LIVELY)));
        }
        finally {
            first.close().await();
        }
        int customersAfterImport = landedLines(LIVELY, "customers").size();
        assertThat(customersAfterImport).isEqualTo(livelyStore.customers().size());

        ApiMain.Application second = startServer();
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() ->
                    BulkImportTypes.ALL.stream().allMatch(type -> {
                        try {
                            return column(LIVELY, type, "status", "catch_up").equals(List.of("COMPLETED"));
                        }
                        catch (SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    }));
            // The merchant's import progress still describes the initial import.
            assertThat(phase(LIVELY)).isEqualTo("COMPLETED");
        }
        finally {
            second.close().await();
        }

        java.time.Instant since = java.time.Instant.parse(
                column(LIVELY, "customers", "to_char(updated_since AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
                        "catch_up").get(0));
        java.time.Instant importStarted = java.time.Instant.parse(
                column(LIVELY, "customers", "to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
                        "initial").get(0));
        assertThat(since).isBetween(importStarted.minus(Duration.ofHours(1)).minusSeconds(1),
                importStarted.minus(Duration.ofHours(1)));
        int expected = livelyStore.updatedAfter(since).customers().size();
        assertThat(expected).as("the store changes after the import").isPositive()
                .isLessThan(livelyStore.customers().size());
        // Exactly the customers changed since the watermark were landed again; the initial import is unchanged.
        assertThat(landedLines(LIVELY, "customers")).hasSize(customersAfterImport + expected);
        assertThat(operations(LIVELY, "customers")).hasSize(1);
    }

    /** The object types of the initial import, as the app names them. */
    private static final class BulkImportTypes {
        static final List<String> ALL = List.copyOf(com.ecomcrm.api.shopify.BulkImport.OBJECT_TYPES.keySet());
    }

    private static ApiMain.Application startServer() {
        // Each server has its own Vert.x, closed with it, as a process of its own would; the simulator outlives them.
        return ApiMain.Application.start(Vertx.vertx(), config, ClickHouseSettings.fromEnvironment(), Clock.systemUTC())
                .await();
    }

    private static HttpResponse<String> post(String path, ShopId shop) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                        .header("Authorization", "Bearer " + SESSIONS.issue(shop))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String phase(ShopId shop) throws Exception {
        HttpResponse<String> sync = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/sync"))
                        .header("Authorization", "Bearer " + SESSIONS.issue(shop)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(sync.body());
        return body.get("objects").size() == com.ecomcrm.api.shopify.BulkImport.SYNC_STEPS.size()
                ? body.get("phase").asText() : "INCOMPLETE";
    }

    private static List<String> status(ShopId shop, String objectType) throws SQLException {
        return column(shop, objectType, "status");
    }

    private static List<String> operations(ShopId shop, String objectType) throws SQLException {
        return column(shop, objectType, "bulk_operation_id");
    }

    private static List<String> column(ShopId shop, String objectType, String column) throws SQLException {
        return column(shop, objectType, column, "initial");
    }

    private static List<String> column(ShopId shop, String objectType, String column, String kind)
            throws SQLException {
        try (Connection connection = DriverManager.getConnection(config.postgres().jdbcUrl(), config.postgres().user(),
                config.postgres().password());
             PreparedStatement select = connection.prepareStatement("SELECT " + column + " FROM bulk_syncs "
                     + "WHERE shop_domain = ? AND object_type = ? AND kind = ? ORDER BY id")) {
            select.setString(1, shop.domain());
            select.setString(2, objectType);
            select.setString(3, kind);
            List<String> values = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    values.add(rows.getString(1));
                }
            }
            return values;
        }
    }

    private static long flowCount(ShopId shop, boolean enabled) throws SQLException {
        try (Connection connection = DriverManager.getConnection(config.postgres().jdbcUrl(), config.postgres().user(),
                config.postgres().password());
             PreparedStatement select = connection.prepareStatement(
                     "SELECT count(*) FROM flows WHERE shop_domain = ? AND enabled = ?")) {
            select.setString(1, shop.domain());
            select.setBoolean(2, enabled);
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private static String shopColumn(ShopId shop, String column) throws SQLException {
        try (Connection connection = DriverManager.getConnection(config.postgres().jdbcUrl(), config.postgres().user(),
                config.postgres().password());
             PreparedStatement select = connection.prepareStatement("SELECT " + column
                     + " FROM shops WHERE shop_domain = ?")) {
            select.setString(1, shop.domain());
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }

    private static void setShopColumn(ShopId shop, String column, String value) throws SQLException {
        try (Connection connection = DriverManager.getConnection(config.postgres().jdbcUrl(), config.postgres().user(),
                config.postgres().password());
             PreparedStatement update = connection.prepareStatement("UPDATE shops SET " + column
                     + " = ? WHERE shop_domain = ?")) {
            update.setString(1, value);
            update.setString(2, shop.domain());
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
    }

    /** Every landed line of the shop's bulk files of one object type, whatever day they were landed on. */
    private static List<String> landedLines(ShopId shop, String objectType) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.walk(landing)) {
            for (Path file : files.filter(f -> f.toString().contains(shop.domain()))
                    .filter(f -> f.getFileName().toString().startsWith("bulk-"))
                    .filter(f -> f.getFileName().toString().contains("-" + objectType + "."))
                    .toList()) {
                lines.addAll(Files.readAllLines(file));
            }
        }
        return lines;
    }
}
