package com.ecomcrm.api.config;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Where Shopify is and what the app asks of it. The URLs are templates with {@code {shop}} so the simulator can play
 * Shopify on loopback; the Admin API version is pinned in one place, the GraphQL URL, and read from there.
 *
 * @param adminBase        {@code ECOMCRM_SHOPIFY_ADMIN_BASE}: the shop's origin, {@code https://{shop}}; the grant screen is
 *                         {@code {adminBase}/admin/oauth/authorize}, the token endpoint {@code .../admin/oauth/access_token}
 * @param graphqlUrl       {@code ECOMCRM_SHOPIFY_ADMIN_URL}: {@code https://{shop}/admin/api/2026-07/graphql.json}
 * @param scopes           {@code ECOMCRM_SHOPIFY_SCOPES}: the access scopes the app needs (and checks it was granted)
 * @param publicUrl        {@code ECOMCRM_PUBLIC_URL}: where Shopify reaches the app (OAuth callback, webhooks)
 * @param timestampWindow  {@code ECOMCRM_OAUTH_TIMESTAMP_WINDOW_SECONDS}: how far a signed {@code timestamp} may be
 *                         from our clock (Shopify's JS library uses 90 s)
 */
public record ShopifySettings(String adminBase, String graphqlUrl, List<String> scopes, URI publicUrl,
                              Duration timestampWindow) {
    public static final String DEFAULT_ADMIN_BASE = "https://{shop}";
    public static final String DEFAULT_GRAPHQL_URL = "https://{shop}/admin/api/2026-07/graphql.json";
    /**
     * Abandoned checkouts need {@code read_orders} (GraphQL {@code AbandonedCheckout}: "Requires read_orders access
     * scope"; the checkouts/* webhooks too). There is no {@code read_checkouts} scope for them.
     */
    public static final String DEFAULT_SCOPES = "read_customers,read_orders";
    public static final String DEFAULT_PUBLIC_URL = "http://127.0.0.1:58080";
    private static final Pattern VERSION = Pattern.compile("/admin/api/([0-9]{4}-[0-9]{2}|unstable)/graphql\\.json$");

    public ShopifySettings {
        requireNonNull(adminBase, "adminBase is null");
        requireNonNull(graphqlUrl, "graphqlUrl is null");
        requireNonNull(publicUrl, "publicUrl is null");
        requireNonNull(timestampWindow, "timestampWindow is null");
        scopes = List.copyOf(scopes);
        if (!adminBase.contains("{shop}")) {
            throw new IllegalArgumentException("Cannot use ECOMCRM_SHOPIFY_ADMIN_BASE: it must contain {shop}");
        }
        if (!graphqlUrl.contains("{shop}") || !VERSION.matcher(graphqlUrl).find()) {
            throw new IllegalArgumentException("Cannot use ECOMCRM_SHOPIFY_ADMIN_URL: it must contain {shop} and end "
                    + "with /admin/api/<YYYY-MM>/graphql.json");
        }
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException("Cannot use ECOMCRM_SHOPIFY_SCOPES: no scope listed");
        }
    }

    static ShopifySettings from(Function<String, String> env) {
        String publicUrl = ApiConfig.orDefault(env, "ECOMCRM_PUBLIC_URL", DEFAULT_PUBLIC_URL);
        URI uri;
        try {
            uri = URI.create(publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl);
        }
        catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Cannot use ECOMCRM_PUBLIC_URL: '" + publicUrl + "' is not a URL");
        }
        if (uri.getHost() == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
            throw new IllegalArgumentException("Cannot use ECOMCRM_PUBLIC_URL: '" + publicUrl + "' is not an http(s) URL");
        }
        String window = ApiConfig.orDefault(env, "ECOMCRM_OAUTH_TIMESTAMP_WINDOW_SECONDS", "90");
        long seconds;
        try {
            seconds = Long.parseLong(window.trim());
        }
        catch (NumberFormatException e) {
            seconds = -1;
        }
        if (seconds <= 0) {
            throw new IllegalArgumentException("Cannot use ECOMCRM_OAUTH_TIMESTAMP_WINDOW_SECONDS: '" + window
                    + "' is not a positive number of seconds");
        }
        return new ShopifySettings(
                ApiConfig.orDefault(env, "ECOMCRM_SHOPIFY_ADMIN_BASE", DEFAULT_ADMIN_BASE),
                ApiConfig.orDefault(env, "ECOMCRM_SHOPIFY_ADMIN_URL", DEFAULT_GRAPHQL_URL),
                Arrays.stream(ApiConfig.orDefault(env, "ECOMCRM_SHOPIFY_SCOPES", DEFAULT_SCOPES).split(","))
                        .map(String::trim).filter(s -> !s.isEmpty()).toList(),
                uri,
                Duration.ofSeconds(seconds));
    }

    /** The Admin API version every GraphQL call and every webhook subscription uses. */
    public String apiVersion() {
        Matcher matcher = VERSION.matcher(graphqlUrl);
        matcher.find();
        return matcher.group(1);
    }

    public URI shopOrigin(String shopDomain) {
        return URI.create(adminBase.replace("{shop}", shopDomain));
    }

    public URI authorizeUrl(String shopDomain) {
        return URI.create(shopOrigin(shopDomain) + "/admin/oauth/authorize");
    }

    public URI accessTokenUrl(String shopDomain) {
        return URI.create(shopOrigin(shopDomain) + "/admin/oauth/access_token");
    }

    /** Must match one of {@code [auth] redirect_urls} in the app's configuration exactly. */
    public String callbackUrl() {
        return publicUrl + "/auth/callback";
    }

    public String webhookUrl() {
        return publicUrl + "/webhooks";
    }
}
