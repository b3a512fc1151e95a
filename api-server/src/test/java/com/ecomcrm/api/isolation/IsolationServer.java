package com.ecomcrm.api.isolation;

import com.ecomcrm.api.ApiMain;
import com.ecomcrm.api.config.ApiConfig;
import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.schema.ClickHouseMigrator;
import com.ecomcrm.schema.ClickHouseTarget;
import com.ecomcrm.schema.PostgresMigrator;
import com.ecomcrm.schema.PostgresTarget;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * The API server as deployed (ApiMain.Application) on a PostgreSQL database and a ClickHouse database of its own,
 * created for this run and dropped after it, so no other test's rows can be seen or confused with a leak.
 * Shopify's endpoints point at a closed loopback port: routes that call Shopify fail fast instead of reaching out.
 */
final class IsolationServer implements AutoCloseable {
    static final String CLIENT_ID = "isolation-test-client-id";
    static final String SECRET = "isolation-test-client-secret";
    private static final String CLOSED_PORT = "http://127.0.0.1:9";

    private final ApiMain.Application application;
    private final ClickHouseGateway clickHouse;
    private final String base;
    private final String postgresDatabase;
    private final ClickHouseTarget clickHouseTarget;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private IsolationServer(ApiMain.Application application, ClickHouseGateway clickHouse, String postgresDatabase,
                            ClickHouseTarget clickHouseTarget) {
        this.application = application;
        this.clickHouse = clickHouse;
        this.base = "http://127.0.0.1:" + application.server().actualPort();
        this.postgresDatabase = postgresDatabase;
        this.clickHouseTarget = clickHouseTarget;
    }

    /** @param extra email settings on top of the process environment (SMTP port, DNS resolver...) */
    static IsolationServer start(String run, Path landing, Map<String, String> extra) {
        String database = "isolation_" + run;
        PostgresTarget shared = PostgresTarget.fromEnv();
        adminPostgres(shared, "CREATE DATABASE " + database);
        String url = shared.url().substring(0, shared.url().lastIndexOf('/') + 1) + database;
        PostgresMigrator.migrate(new PostgresTarget(url, shared.user(), shared.password()));
        ClickHouseTarget clickHouseTarget = ClickHouseTarget.fromEnv().withDatabase(database);
        new ClickHouseMigrator(clickHouseTarget).migrate();
        ClickHouseSettings clickHouseSettings = ClickHouseSettings.fromEnvironment().withDatabase(database);

        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("ECOMCRM_PG_URL", url);
        env.put("ECOMCRM_API_PORT", "0");
        env.put("SHOPIFY_API_KEY", CLIENT_ID);
        env.put("SHOPIFY_API_SECRET", SECRET);
        env.put("ECOMCRM_LANDING_DIR", landing.toString());
        env.put("ECOMCRM_TOKEN_KEYS", "iso1:" + Base64.getEncoder().encodeToString(new byte[32]));
        env.put("ECOMCRM_INITIAL_SYNC", "manual");
        env.put("ECOMCRM_SHOPIFY_ADMIN_BASE", CLOSED_PORT + "/{shop}");
        env.put("ECOMCRM_SHOPIFY_ADMIN_URL", CLOSED_PORT + "/{shop}/admin/api/2026-07/graphql.json");
        // The injection attacks call test-send dozens of times; the per-shop limit is tested elsewhere.
        env.put("ECOMCRM_TEST_SENDS_PER_MINUTE", "100000");
        env.putAll(extra);
        ApiMain.Application application = ApiMain.Application.start(Vertx.vertx(), ApiConfig.from(env),
                clickHouseSettings, Clock.systemUTC(), env).await();
        return new IsolationServer(application, ClickHouseGateway.connect(clickHouseSettings), database,
                clickHouseTarget);
    }

    /** One HTTP exchange, as the attack saw it. */
    record Answer(int status, String body, Map<String, List<String>> headers) {
        Answer {
            requireNonNull(body, "body is null");
            requireNonNull(headers, "headers is null");
        }

        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst().orElse(null);
        }
    }

    /** Sends the request with the given Authorization header value (null: none) and extra headers. */
    Answer send(ApiRequest request, String authorization, Map<String, String> headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + request.uri()))
                .timeout(Duration.ofSeconds(30))
                .method(request.method(), request.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(request.body(), StandardCharsets.UTF_8));
        if (request.body() != null) {
            builder.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        headers.forEach(builder::header);
        try {
            HttpResponse<String> response = http.send(builder.build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(response.statusCode(), response.body() == null ? "" : response.body(),
                    response.headers().map());
        }
        catch (java.io.IOException e) {
            throw new IllegalStateException("Cannot call " + request + ": " + e.getMessage(), e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SQL on the server's own pool (fixtures and checks). */
    List<Row> sql(String statement, Object... params) {
        List<Row> rows = new ArrayList<>();
        application.postgres().preparedQuery(statement).execute(Tuple.wrap(new ArrayList<>(Arrays.asList(params))))
                .await().forEach(rows::add);
        return rows;
    }

    ClickHouseGateway clickHouse() {
        return clickHouse;
    }

    @Override
    public void close() {
        try {
            application.close().await();
            clickHouse.close();
        }
        finally {
            adminPostgres(PostgresTarget.fromEnv(), "DROP DATABASE IF EXISTS " + postgresDatabase + " WITH (FORCE)");
            dropClickHouse(clickHouseTarget);
        }
    }

    private static void adminPostgres(PostgresTarget target, String statement) {
        try (Connection connection = DriverManager.getConnection(target.url(), target.user(), target.password());
             Statement sql = connection.createStatement()) {
            sql.execute(statement);
        }
        catch (SQLException e) {
            throw new IllegalStateException("Cannot run '" + statement + "': " + e.getMessage(), e);
        }
    }

    private void dropClickHouse(ClickHouseTarget target) {
        HttpRequest.Builder drop = HttpRequest.newBuilder(URI.create(target.url() + "/"))
                .POST(HttpRequest.BodyPublishers.ofString("DROP DATABASE IF EXISTS `" + target.database() + "`"));
        if (target.user() != null && !target.user().isEmpty()) {
            drop.header("X-ClickHouse-User", target.user());
            if (target.password() != null && !target.password().isEmpty()) {
                drop.header("X-ClickHouse-Key", target.password());
            }
        }
        try {
            http.send(drop.build(), HttpResponse.BodyHandlers.discarding());
        }
        catch (java.io.IOException e) {
            throw new IllegalStateException("Cannot drop " + target.database() + ": " + e.getMessage(), e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
