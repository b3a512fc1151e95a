package com.ecomcrm.api.app;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

import static java.util.Objects.requireNonNull;

/**
 * The embedded dashboard's routes: {@code /} and {@code /app} send the browser to {@code /app/} keeping the query
 * string (Shopify opens the app URL with {@code ?shop=...&host=...&embedded=1}); {@code /app/assets/*} are the
 * build's content-hashed files, cached for a year; any other path under {@code /app/} without a file extension is a
 * client route and gets the page (the single-page app's fallback). A missing asset stays a 404, so a stale page
 * asking for an old chunk fails visibly instead of receiving HTML as JavaScript.
 */
public final class DashboardRoutes {
    static final String BASE = "/app/";
    /** Hashed file names never change content: the browser may keep them as long as it likes. */
    static final long ASSET_MAX_AGE_SECONDS = 365L * 24 * 60 * 60;

    private final DashboardPage page;

    public DashboardRoutes(DashboardPage page) {
        this.page = requireNonNull(page, "page is null");
    }

    public void mount(Router router) {
        router.get("/").handler(DashboardRoutes::toApp);
        router.get("/app/assets/*").handler(StaticHandler.create("webroot/assets")
                .setCachingEnabled(true)
                .setMaxAgeSeconds(ASSET_MAX_AGE_SECONDS)
                .setDirectoryListing(false)
                .setIncludeHidden(false))
                // StaticHandler answers what it has; what it lacks comes here and becomes the router's JSON 404.
                .handler(ctx -> ctx.fail(404));
        router.get("/app/*").handler(this::pageOrNext);
    }

    private void pageOrNext(RoutingContext ctx) {
        // "/app/*" also matches "/app" (Vert.x ignores a trailing slash when matching): relative asset URLs need the
        // slash, so that one is redirected, keeping the query string.
        if (ctx.request().path().equals("/app")) {
            toApp(ctx);
            return;
        }
        String path = ctx.normalizedPath();
        String last = path.substring(path.lastIndexOf('/') + 1);
        if (last.isEmpty() || last.equals("index.html") || !last.contains(".")) {
            page.handle(ctx);
        }
        else {
            ctx.next();
        }
    }

    private static void toApp(RoutingContext ctx) {
        String query = ctx.request().query();
        ctx.response().setStatusCode(302)
                .putHeader("Location", BASE + (query == null || query.isEmpty() ? "" : "?" + query))
                .end();
    }
}
