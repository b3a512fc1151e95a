package com.ecomcrm.api.tracking;

import com.ecomcrm.domain.ShopId;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Base64;

/** The bytes the tracking routes answer with: the pixel, the small HTML pages, the 400 for a bad token. */
final class TrackingPages {
    /** A 1x1 GIF89a whose one pixel is transparent (colour index 0 with the transparency extension), 42 bytes. */
    static final Buffer PIXEL = Buffer.buffer(Base64.getDecoder()
            .decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"));

    // Header names and values of the two hot answers, encoded once (ASCII strings Netty copies as bytes) rather than
    // converted from Strings on every pixel and redirect.
    private static final CharSequence CACHE_CONTROL = HttpHeaders.createOptimized("Cache-Control");
    private static final CharSequence NO_STORE = HttpHeaders.createOptimized(
            "no-store, no-cache, must-revalidate, max-age=0, private");
    private static final CharSequence PRAGMA = HttpHeaders.createOptimized("Pragma");
    private static final CharSequence NO_CACHE = HttpHeaders.createOptimized("no-cache");
    private static final CharSequence EXPIRES = HttpHeaders.createOptimized("Expires");
    private static final CharSequence ZERO = HttpHeaders.createOptimized("0");
    private static final CharSequence CONTENT_TYPE_OPTIONS = HttpHeaders.createOptimized("X-Content-Type-Options");
    private static final CharSequence NOSNIFF = HttpHeaders.createOptimized("nosniff");
    private static final CharSequence CONTENT_TYPE = HttpHeaders.createOptimized("Content-Type");
    private static final CharSequence IMAGE_GIF = HttpHeaders.createOptimized("image/gif");
    private static final CharSequence LOCATION = HttpHeaders.createOptimized("Location");
    private static final CharSequence REFERRER_POLICY = HttpHeaders.createOptimized("Referrer-Policy");
    private static final CharSequence NO_REFERRER = HttpHeaders.createOptimized("no-referrer");

    private static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'";

    private TrackingPages() {
    }

    /** Nothing a tracking route answers may be cached: every fetch of the pixel or the link must reach us. */
    static HttpServerResponse noStore(HttpServerResponse response) {
        return response.putHeader(CACHE_CONTROL, NO_STORE)
                .putHeader(PRAGMA, NO_CACHE)
                .putHeader(EXPIRES, ZERO)
                .putHeader(CONTENT_TYPE_OPTIONS, NOSNIFF);
    }

    static void pixel(RoutingContext ctx) {
        noStore(ctx.response()).setStatusCode(200).putHeader(CONTENT_TYPE, IMAGE_GIF).end(PIXEL);
    }

    /** 302 to exactly the signed destination ({@link TrackingHandlers#destinationRefusal} passed it). */
    static void redirect(RoutingContext ctx, String url) {
        noStore(ctx.response()).setStatusCode(302)
                .putHeader(LOCATION, url)
                // The token must not travel to the destination in a Referer header.
                .putHeader(REFERRER_POLICY, NO_REFERRER)
                .end();
    }

    /**
     * 400 for a token that is unsigned, altered, of the wrong kind, or names a destination we never redirect to. A
     * browser gets a short page, anything else the API's JSON error shape. Never a Location header.
     */
    static void badToken(RoutingContext ctx, String message) {
        String accept = ctx.request().getHeader("Accept");
        if (accept != null && accept.contains("text/html")) {
            html(ctx, 400, "Link not valid", "<h1>This link does not work</h1><p>" + escape(message) + "</p>");
            return;
        }
        noStore(ctx.response()).setStatusCode(400).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("error", new JsonObject().put("code", "INVALID_INPUT")
                        .put("field", "token").put("message", message)).encode());
    }

    static void unsubscribeForm(RoutingContext ctx, ShopId shop, String email, boolean alreadyUnsubscribed) {
        if (alreadyUnsubscribed) {
            html(ctx, 200, "Unsubscribed", "<h1>You are unsubscribed</h1><p><strong>" + escape(mask(email))
                    + "</strong> no longer receives marketing emails from <strong>" + escape(shop.handle())
                    + "</strong>.</p>");
            return;
        }
        // No action attribute: the form posts back to this very URL, token included.
        html(ctx, 200, "Unsubscribe", "<h1>Unsubscribe</h1><p>Stop marketing emails from <strong>"
                + escape(shop.handle()) + "</strong> to <strong>" + escape(mask(email)) + "</strong>?</p>"
                + "<form method=\"post\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
                + "<button type=\"submit\">Unsubscribe</button></form>");
    }

    static void unsubscribed(RoutingContext ctx, ShopId shop, boolean again) {
        html(ctx, 200, "Unsubscribed", "<h1>You are unsubscribed</h1><p>" + (again ? "You were already unsubscribed. "
                : "") + "You will no longer receive marketing emails from <strong>" + escape(shop.handle())
                + "</strong>. Order and shipping emails from the store are not affected.</p>");
    }

    /** The unsubscribe link of a test send, followed by the merchant: nothing happens, and the page says so. */
    static void testEmail(RoutingContext ctx, ShopId shop) {
        html(ctx, 200, "Test email", "<h1>This was a test email</h1><p>This link unsubscribes a customer from "
                + "marketing emails of <strong>" + escape(shop.handle()) + "</strong>. It came in a test email, so "
                + "nothing changed: your address is still subscribed and this click is not counted in your email "
                + "results.</p>");
    }

    static void noSuchSubscription(RoutingContext ctx) {
        html(ctx, 404, "Not found", "<h1>We cannot find this subscription</h1><p>The email this link came from no "
                + "longer exists. Nothing was changed.</p>");
    }

    static void tryAgain(RoutingContext ctx) {
        html(ctx, 503, "Try again", "<h1>Please try again in a minute</h1><p>We could not record your request just "
                + "now. Nothing was lost; the link keeps working.</p>");
    }

    private static void html(RoutingContext ctx, int status, String title, String body) {
        noStore(ctx.response()).setStatusCode(status)
                .putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Content-Security-Policy", CSP)
                .putHeader("Referrer-Policy", "no-referrer")
                .end("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                        + "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                        + "<meta name=\"robots\" content=\"noindex\"><title>" + escape(title) + "</title>"
                        + "<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;"
                        + "color:#222}button{font-size:1rem;padding:.6rem 1.2rem;cursor:pointer}</style></head><body><main>"
                        + body + "</main></body></html>");
    }

    /** {@code ana@example.com} -> {@code a**@example.com}: enough to recognise, not enough to harvest. */
    static String mask(String email) {
        int at = email.indexOf('@');
        if (at <= 0) {
            return "***";
        }
        return email.charAt(0) + "*".repeat(Math.max(2, Math.min(at - 1, 6))) + email.substring(at);
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
