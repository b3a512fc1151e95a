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
 * A small, blocking client of the Admin GraphQL API for one shop, within Shopify's cost-based rate limit: every answer's
 * {@code extensions.cost.throttleStatus} is remembered, and before sending a query whose requested cost (as Shopify
 * reported it the last time this document was sent) the bucket cannot hold yet, the client waits for the bucket to
 * refill at its restore rate instead of being refused. When Shopify answers {@code THROTTLED} anyway (another client of
 * the same app and shop spent the bucket), it waits {@code (requestedQueryCost - currentlyAvailable) / restoreRate}
 * and sends again. HTTP 5xx answers and timeouts are retried with exponential backoff and full jitter: queries always,
 * mutations only when Shopify cannot have run them (the connection was refused, or 503).
 *
 * @param endpointTemplate the GraphQL URL with {@code {shop}} for the shop's domain, e.g.
 *                         {@code https://{shop}/admin/api/2026-07/graphql.json}
 */
public final class AdminApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_THROTTLE_RETRIES = 10;
    private static final int MAX_TRANSIENT_RETRIES = 4;
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(8);

    private final HttpClient http;
    private final URI endpoint;
    private final String accessToken;
    private final ShopId shop;
    /** The requested cost Shopify reported for each document sent, so the next send of it can wait for room. */
    private final java.util.Map<String, Double> requestedCosts = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Bucket bucket;

    /**
     * The bucket as Shopify last reported it: {@code available} points at {@code seenAt} (System.nanoTime), refilling
     * at {@code restoreRate} points a second up to {@code maximum}.
     */
    private record Bucket(double available, double maximum, double restoreRate, long seenAt) {
        double availableAt(long now) {
            return Math.min(maximum, available + restoreRate * Math.max(0, now - seenAt) / 1e9);
        }
    }

    /** The cost of one answered query, as {@code extensions.cost} gave it. {@code actual} is null when throttled. */
    public record QueryCost(double requested, Double actual, double currentlyAvailable, double maximumAvailable,
                            double restoreRate) {
    }

    private volatile QueryCost lastCost;

    /** Told, on the calling thread, before the client waits for Shopify's rate limit. */
    @FunctionalInterface
    public interface RateLimitWaits {
        RateLimitWaits NONE = (wait, refused) -> {
        };

        /**
         * @param wait    how long the client is about to wait
         * @param refused true when Shopify answered THROTTLED; false when the client paces itself before sending
         */
        void waiting(Duration wait, boolean refused);
    }

    /** The listener of the calls made by {@link #reportingWaits} on this thread. */
    private final ThreadLocal<RateLimitWaits> waits = ThreadLocal.withInitial(() -> RateLimitWaits.NONE);

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
        boolean mutation = query.stripLeading().startsWith("mutation");
        for (int attempt = 0; ; attempt++) {
            paceFor(query);
            JsonNode response = postWithRetries(request, mutation);
            remember(query, response);
            if (isThrottled(response) && attempt < MAX_THROTTLE_RETRIES) {
                Duration wait = waitForBucket(response);
                waits.get().waiting(wait, true);
                sleep(wait);
                continue;
            }
            if (response.hasNonNull("errors")) {
                throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot query Shopify for " + shop + ": "
                        + response.get("errors").toString());
            }
            return response.path("data");
        }
    }

    /**
     * Runs {@code calls} (queries of this client made on this thread) telling {@code listener} of every wait for the
     * rate limit, so a long-running step can say why it is not moving (the sync progress shows it to the merchant).
     */
    public <T> T reportingWaits(RateLimitWaits listener, java.util.function.Supplier<T> calls) {
        requireNonNull(listener, "listener is null");
        RateLimitWaits before = waits.get();
        waits.set(listener);
        try {
            return calls.get();
        }
        finally {
            waits.set(before);
        }
    }

    /** The cost of the last answered query (for logs and tests); null before the first. */
    public QueryCost lastCost() {
        return lastCost;
    }

    /** Waits until the bucket, as last reported and refilled since, holds what this document asked for last time. */
    private void paceFor(String query) {
        Bucket seen = bucket;
        Double requested = requestedCosts.get(query);
        if (seen == null || requested == null) {
            return;
        }
        double missing = Math.min(requested, seen.maximum()) - seen.availableAt(System.nanoTime());
        if (missing > 0) {
            Duration wait = Duration.ofMillis((long) Math.ceil(missing / Math.max(1, seen.restoreRate()) * 1000));
            waits.get().waiting(wait, false);
            sleep(wait);
        }
    }

    private void remember(String query, JsonNode response) {
        JsonNode cost = response.path("extensions").path("cost");
        JsonNode throttle = cost.path("throttleStatus");
        if (!cost.has("requestedQueryCost") || !throttle.has("currentlyAvailable")) {
            return;
        }
        double requested = cost.path("requestedQueryCost").asDouble();
        requestedCosts.put(query, requested);
        bucket = new Bucket(throttle.path("currentlyAvailable").asDouble(), throttle.path("maximumAvailable").asDouble(),
                throttle.path("restoreRate").asDouble(), System.nanoTime());
        lastCost = new QueryCost(requested, cost.hasNonNull("actualQueryCost")
                ? cost.get("actualQueryCost").asDouble() : null, throttle.path("currentlyAvailable").asDouble(),
                throttle.path("maximumAvailable").asDouble(), throttle.path("restoreRate").asDouble());
    }

    /** A failure Shopify may not repeat: a 5xx answer, a timeout, a refused connection. */
    private static final class TransientFailure extends RuntimeException {
        final boolean notRun;

        TransientFailure(String message, boolean notRun, Throwable cause) {
            super(message, cause);
            this.notRun = notRun;
        }
    }

    private JsonNode postWithRetries(ObjectNode request, boolean mutation) {
        for (int attempt = 0; ; attempt++) {
            try {
                return post(request);
            }
            catch (TransientFailure e) {
                // A mutation that may have run is not sent again: a second bulkOperationRunQuery or subscription
                // create would be refused or doubled; the caller's own resume logic decides.
                if (attempt >= MAX_TRANSIENT_RETRIES || (mutation && !e.notRun)) {
                    throw new DomainException(ErrorCode.UNAVAILABLE, e.getMessage(), e.getCause());
                }
                sleep(backoff(attempt));
            }
        }
    }

    /** Exponential backoff with full jitter: a random wait up to 250 ms, 500 ms, 1 s... capped at 8 s. */
    static Duration backoff(int attempt) {
        long ceiling = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(attempt, 10));
        return Duration.ofMillis(java.util.concurrent.ThreadLocalRandom.current().nextLong(ceiling + 1));
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
            if (response.statusCode() >= 500) {
                throw new TransientFailure("Cannot query Shopify for " + shop + ": HTTP " + response.statusCode(),
                        response.statusCode() == 503, null);
            }
            if (response.statusCode() != 200 && response.statusCode() != 429) {
                throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot query Shopify for " + shop + ": HTTP "
                        + response.statusCode());
            }
            return JSON.readTree(response.body());
        }
        catch (java.net.ConnectException e) {
            throw new TransientFailure("Cannot reach Shopify for " + shop + ": " + e, true, e);
        }
        catch (java.net.http.HttpTimeoutException e) {
            throw new TransientFailure("Shopify did not answer in time for " + shop + ": " + e, false, e);
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
