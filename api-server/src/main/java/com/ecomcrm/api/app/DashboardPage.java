package com.ecomcrm.api.app;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The dashboard's {@code index.html}, answered for {@code /app/} and every client route under it (the single-page
 * app's own router picks the screen). The API key goes in at serving time, not at build time, so one build runs
 * against any app configuration. App Bridge is loaded only when Shopify admin opened the page ({@code embedded=1} or a
 * {@code host} parameter): standalone (demo, development, browser tests) it would only try to talk to a parent frame
 * that is not there.
 */
public final class DashboardPage implements Handler<RoutingContext> {
    /** The marker in {@code src/main/frontend/index.html} that this handler replaces. */
    static final String MARKER = "<!--ecomcrm:head-->";
    static final String APP_BRIDGE = "https://cdn.shopify.com/shopifycloud/app-bridge.js";
    static final String CLASSPATH_INDEX = "webroot/index.html";

    private final Optional<String> standalone;
    private final Optional<String> embedded;

    DashboardPage(Optional<String> template, String apiKey) {
        requireNonNull(template, "template is null");
        requireNonNull(apiKey, "apiKey is null");
        template.ifPresent(t -> {
            if (!t.contains(MARKER)) {
                throw new IllegalArgumentException("Cannot serve the dashboard: index.html has no " + MARKER
                        + " marker; was it built from src/main/frontend?");
            }
        });
        String meta = "<meta name=\"shopify-api-key\" content=\"" + attribute(apiKey) + "\" />";
        // App Bridge must be the first script of the page, loaded synchronously, before the app's module script.
        this.standalone = template.map(t -> t.replace(MARKER, meta));
        this.embedded = template.map(t -> t.replace(MARKER, meta + "\n    <script src=\"" + APP_BRIDGE + "\"></script>"));
    }

    /** The page built into the jar ({@code target/classes/webroot/index.html}), if the frontend was built. */
    public static DashboardPage fromClasspath(String apiKey) {
        return new DashboardPage(readClasspath(CLASSPATH_INDEX), apiKey);
    }

    @Override
    public void handle(RoutingContext ctx) {
        MultiMap query = ctx.queryParams();
        ctx.response()
                .putHeader(FrameAncestors.HEADER, FrameAncestors.policy(Optional.ofNullable(query.get("shop"))))
                // The page names the hashed assets of one build: always revalidate it, so a deploy is seen at once.
                .putHeader("Cache-Control", "no-cache");
        Optional<String> page = isEmbedded(query) ? embedded : standalone;
        if (page.isEmpty()) {
            ctx.response().setStatusCode(503).putHeader("Content-Type", "text/plain; charset=utf-8")
                    .end("The dashboard was not built into this server (built with -Dskip.frontend=true?). Build "
                            + "api-server without that flag to serve it.");
            return;
        }
        ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").end(page.get());
    }

    static boolean isEmbedded(MultiMap query) {
        return "1".equals(query.get("embedded")) || Optional.ofNullable(query.get("host")).filter(h -> !h.isBlank())
                .isPresent();
    }

    private static Optional<String> readClasspath(String resource) {
        try (InputStream in = DashboardPage.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? Optional.empty() : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + resource, e);
        }
    }

    private static String attribute(String value) {
        return value.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
