package com.ecomcrm.api.shopify;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * A small, blocking client of the Admin GraphQL API for one shop. It waits and retries when Shopify answers
 * {@code THROTTLED}, using the bucket's restore rate from {@code extensions.cost.throttleStatus}.
 *
 * @param endpointTemplate the GraphQL URL with {@code {shop}} for the shop's domain, e.g.
 *                         {@code https://{shop}/admin/api/2026-07/graphql.json}
 */
public final class AdminApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_THROTTLE_RETRIES = 10;

    private final HttpClient http;
    private final URI endpoint;
    private final String accessToken;
    private final ShopId shop;

    public AdminApiClient(HttpClient http, String endpointTemplate, ShopId shop, String accessToken) {
        this.http = requireNonNull(http, "http is null");
        this.shop = requireNonNull(shop, "shop is null");
        this.accessToken = requireNonNull(accessToken, "accessToken is null");
        this.endpoint = URI.create(endpointTemplate.replace("{shop}", shop.domain()));
    }

    /** Runs a query or mutation and returns its {@code data}; GraphQL errors become a {@link DomainException}. */
    public JsonNode graphql(String query, ObjectNode variables) {
        ObjectNode request = JSON.createObjectNode().put("query", query);
        if (variables != null) {
            request.set("variables", variables);
        }
        for (int attempt = 0; ; attempt++) {
            JsonNode response = post(request);
            if (isThrottled(response) && attempt < MAX_THROTTLE_RETRIES) {
                sleep(waitForBucket(response));
                continue;
            }
            if (response.hasNonNull("errors")) {
                throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot query Shopify for " + shop + ": "
                        + response.get("errors").toString());
            }
            return response.path("data");
        }
    }

    /** Streams a file Shopify serves, such as a bulk operation's result. The caller closes the stream. */
    public InputStream download(String url) {
        try {
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofMinutes(30)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot download bulk result for " + shop
                        + ": HTTP " + response.statusCode());
            }
            return response.body();
        }
        catch (IOException e) {
            throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot download bulk result for " + shop + ": " + e, e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DomainException(ErrorCode.UNAVAILABLE, "Interrupted while downloading for " + shop, e);
        }
    }

    private JsonNode post(ObjectNode request) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoint)
                            .timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/json")
                            .header("X-Shopify-Access-Token", accessToken)
                            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 401 || response.statusCode() == 403) {
                throw new DomainException(ErrorCode.UNAUTHENTICATED, "Cannot query Shopify for " + shop
                        + ": the access token was refused (HTTP " + response.statusCode() + ")");
            }
            if (response.statusCode() != 200 && response.statusCode() != 429) {
                throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot query Shopify for " + shop + ": HTTP "
                        + response.statusCode());
            }
            return JSON.readTree(response.body());
        }
        catch (IOException e) {
            throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot reach Shopify for " + shop + ": " + e, e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DomainException(ErrorCode.UNAVAILABLE, "Interrupted while querying Shopify for " + shop, e);
        }
    }

    private static boolean isThrottled(JsonNode response) {
        for (JsonNode error : response.path("errors")) {
            if ("THROTTLED".equals(error.path("extensions").path("code").asText())) {
                return true;
            }
        }
        return false;
    }

    /** How long until the bucket holds what the query asked for, from the throttle status Shopify reported. */
    static Duration waitForBucket(JsonNode response) {
        JsonNode cost = response.path("extensions").path("cost");
        double requested = cost.path("requestedQueryCost").asDouble(50);
        double available = cost.path("throttleStatus").path("currentlyAvailable").asDouble(0);
        double restoreRate = cost.path("throttleStatus").path("restoreRate").asDouble(50);
        double seconds = Math.max(0.1, (requested - available) / Math.max(1, restoreRate));
        return Duration.ofMillis((long) (seconds * 1000));
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DomainException(ErrorCode.UNAVAILABLE, "Interrupted while waiting for Shopify's rate limit", e);
        }
    }
}
