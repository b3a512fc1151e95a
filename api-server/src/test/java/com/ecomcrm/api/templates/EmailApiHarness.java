package com.ecomcrm.api.templates;

import com.ecomcrm.api.ApiMain;
import com.ecomcrm.api.config.ApiConfig;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.schema.PostgresTarget;
import com.ecomcrm.schema.PostgresMigrator;
import com.ecomcrm.testing.session.SessionTokens;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The API server as deployed (ApiMain.Application on the real PostgreSQL), called over HTTP with Vert.x's
 * WebClient with a valid session token per shop. Tests pass the email settings (SMTP port, DNS resolver) in.
 */
public final class EmailApiHarness implements AutoCloseable {
    public static final String CLIENT_ID = "email-api-test-client-id";
    public static final String SECRET = "email-api-test-client-secret";
    public static final String TOKEN_KEYS = "e1:" + Base64.getEncoder().encodeToString(new byte[32]);

    private final ApiMain.Application application;
    private final WebClient client;
    private final SessionTokens sessions = new SessionTokens(CLIENT_ID, SECRET, Clock.systemUTC());

    private EmailApiHarness(ApiMain.Application application, WebClient client) {
        this.application = application;
        this.client = client;
    }

    /** Starts the server with {@code emailEnvironment} on top of the process environment. */
    public static EmailApiHarness start(Path landing, Map<String, String> emailEnvironment) {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        // PostgreSQL only: these routes never read ClickHouse.
        PostgresMigrator.migrate(PostgresTarget.fromEnv());
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("ECOMCRM_API_PORT", "0");
        env.put("SHOPIFY_API_KEY", CLIENT_ID);
        env.put("SHOPIFY_API_SECRET", SECRET);
        env.put("ECOMCRM_LANDING_DIR", landing.toString());
        env.put("ECOMCRM_TOKEN_KEYS", TOKEN_KEYS);
        env.putAll(emailEnvironment);
        Vertx vertx = Vertx.vertx();
        ApiMain.Application application = ApiMain.Application.start(vertx, ApiConfig.from(env),
                ClickHouseSettings.fromEnvironment(), Clock.systemUTC(), env).await();
        WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
                .setDefaultPort(application.server().actualPort()));
        return new EmailApiHarness(application, client);
    }

    /** A call's answer: status, body as JSON (null when not JSON), headers. */
    public record Answer(int status, JsonObject json, String body, Map<String, String> headers) {
        public String errorField() {
            return json.getJsonObject("error").getString("field");
        }

        public String errorMessage() {
            return json.getJsonObject("error").getString("message");
        }
    }

    public Answer get(ShopId shop, String path) {
        return call(shop, HttpMethod.GET, path, null);
    }

    public Answer call(ShopId shop, HttpMethod method, String path, Object body) {
        var request = client.request(method, path).putHeader("Authorization", "Bearer " + sessions.issue(shop));
        HttpResponse<Buffer> response = (body == null ? request.send()
                : request.putHeader("Content-Type", "application/json")
                .sendBuffer(Buffer.buffer(body instanceof JsonObject json ? json.encode() : body.toString()))).await();
        String text = response.bodyAsString();
        JsonObject json = null;
        if (text != null && text.startsWith("{")) {
            json = new JsonObject(text);
        }
        Map<String, String> headers = new HashMap<>();
        response.headers().forEach(h -> headers.put(h.getKey().toLowerCase(), h.getValue()));
        return new Answer(response.statusCode(), json, text, headers);
    }

    /** Runs SQL on the server's own pool (fixtures and checks). */
    public List<Row> sql(String statement, Object... params) {
        List<Row> rows = new ArrayList<>();
        application.postgres().preparedQuery(statement).execute(Tuple.wrap(new ArrayList<>(java.util.Arrays.asList(params)))).await()
                .forEach(rows::add);
        return rows;
    }

    public ApiMain.Application application() {
        return application;
    }

    @Override
    public void close() {
        application.close().await();
    }
}
