package com.ecomcrm.api;

import com.ecomcrm.api.auth.SessionTokenHandler;
import com.ecomcrm.api.http.ErrorResponses;
import com.ecomcrm.api.segments.SegmentsHandler;
import com.ecomcrm.api.webhooks.WebhookHandler;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

import static java.util.Objects.requireNonNull;

/**
 * The HTTP surface, as one table of routes. Handlers are built by {@link ApiMain} (or a test) and injected here.
 */
public final class ApiServer extends VerticleBase {
    /** Shopify's largest payloads (orders with hundreds of lines) stay well below this. */
    private static final long MAX_WEBHOOK_BYTES = 10L * 1024 * 1024;

    private final String host;
    private final int port;
    private final SessionTokenHandler sessionTokens;
    private final WebhookHandler webhooks;
    private final SegmentsHandler segments;
    private HttpServer server;

    public ApiServer(String host, int port, SessionTokenHandler sessionTokens, WebhookHandler webhooks,
                     SegmentsHandler segments) {
        this.host = requireNonNull(host, "host is null");
        this.port = port;
        this.sessionTokens = requireNonNull(sessionTokens, "sessionTokens is null");
        this.webhooks = requireNonNull(webhooks, "webhooks is null");
        this.segments = requireNonNull(segments, "segments is null");
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        ErrorResponses errors = new ErrorResponses();

        router.get("/health").handler(ctx -> ctx.json(new io.vertx.core.json.JsonObject().put("status", "UP")));

        router.route("/webhooks").method(HttpMethod.POST)
                .handler(BodyHandler.create().setBodyLimit(MAX_WEBHOOK_BYTES).setHandleFileUploads(false))
                .handler(webhooks);

        router.route("/api/*").handler(sessionTokens);
        router.get("/api/segments").handler(segments);

        router.route().failureHandler(errors);
        // Unknown paths and wrong methods get the same JSON error shape as everything else.
        router.errorHandler(404, errors);
        router.errorHandler(405, errors);

        return vertx.createHttpServer().requestHandler(router).listen(port, host)
                .onSuccess(listening -> server = listening);
    }

    /** The port actually listened on (useful when started on port 0). */
    public int actualPort() {
        return server.actualPort();
    }
}
