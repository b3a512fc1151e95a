package com.ecomcrm.testing.shopify;

import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Plays Shopify's Admin GraphQL API for one or more simulated shops, on loopback.
 *
 * <p>Routes (the shop is in the path because a loopback server cannot route on {@code Host}):
 * <ul>
 *   <li>{@code POST /shops/{shop}/admin/api/{version}/graphql.json}: needs {@code X-Shopify-Access-Token} (else 401
 *   with Shopify's body); understands {@code bulkOperationRunQuery} (a {@code customers}, {@code orders} or
 *   {@code abandonedCheckouts} query, inline
 *   or as a {@code $variable}; one running operation per shop, a second gets {@code OPERATION_IN_PROGRESS}),
 *   {@code node(id:)} / {@code bulkOperation(id:)} / {@code currentBulkOperation} and {@code bulkOperationCancel}.
 *   Every answer carries {@code extensions.cost}; with a small bucket it answers {@code THROTTLED}.</li>
 *   <li>{@code GET /bulk/{shop}/{operation number}.jsonl}: the result file of a completed operation, byte for byte
 *   {@link BulkJsonlWriter}'s output.</li>
 *   <li>{@code GET /shops/{shop}/admin/oauth/authorize} and {@code POST /shops/{shop}/admin/oauth/access_token}: the
 *   authorization-code grant, token exchange and refresh ({@link SimulatedOAuth}); the tokens it issues open the
 *   GraphQL endpoint as the static tokens of {@link ShopAccount} do. The app's {@code ECOMCRM_SHOPIFY_ADMIN_BASE} is
 *   {@link #adminBaseTemplate()}.</li>
 *   <li>GraphQL also serves {@code webhookSubscriptions} and {@code webhookSubscriptionCreate/Update/Delete}
 *   ({@link SimulatedWebhookSubscriptions}); {@link #webhookSubscriptions(ShopId)} shows what an app registered.</li>
 *   <li>GraphQL also serves the Billing API ({@link SimulatedBilling}): {@code appSubscriptionCreate},
 *   {@code appSubscriptionCancel}, {@code currentAppInstallation { activeSubscriptions }}. The confirmation URL,
 *   {@code GET /shops/{shop}/admin/charges/{n}/confirm_recurring_application_charge?signature=...}, approves the charge
 *   (or declines it with {@code &decline=1}) and redirects to the returnUrl with {@code charge_id};
 *   {@link #deliverAppSubscriptionUpdate} sends a signed {@code app_subscriptions/update}.</li>
 *   <li>GraphQL also serves {@code nodes(ids:)} and {@code node(id:)} on Refund ({@link SimulatedRefundQueries}): the
 *   shop's refunds field by field, null for an id that is not the shop's, refund lines paged by cursor, with Shopify's
 *   calculated query cost (requested before, actual after, {@code MAX_COST_EXCEEDED} over 1,000 points, THROTTLED when
 *   the bucket is short); {@link #costedQueries} and {@link #throttledAnswers} show what the app asked.
 *   {@link #failNextRequests} answers the next requests with 5xx, as Shopify fails now and then.</li>
 *   <li>{@link #deliverWebhook} delivers a webhook to the subscriptions of its topic, with Shopify's retries of a
 *   delivery not answered 2xx ({@link WebhookRetries}, by the simulator's clock) and removal of a subscription whose
 *   delivery failed every retry.</li>
 * </ul>
 * The app's {@code ECOMCRM_SHOPIFY_ADMIN_URL} is {@link #adminUrlTemplate()}:
 * {@code http://127.0.0.1:<port>/shops/{shop}/admin/api/2025-10/graphql.json}. Any {@code YYYY-MM} version is accepted
 * and echoed in {@code X-Shopify-API-Version}.
 *
 * <p>An operation is {@code CREATED} when started, {@code RUNNING} for the first {@link Options#pollsWhileRunning()}
 * reads, then {@code COMPLETED} once also {@link Options#minimumRunTime()} has passed. Bulk query arguments such as
 * {@code customers(query: "...")} are ignored: the whole store is returned, every field the app's queries select.
 * A field the simulator does not produce is refused with a userError, so a changed app query fails loudly.
 */
public final class SimulatorServer extends VerticleBase {
    public static final String INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern VERSION = Pattern.compile("\\d{4}-\\d{2}|unstable");
    private static final int RUN_COST = 10;
    private static final Pattern UPDATED_AFTER = Pattern.compile("updated_at:>'([0-9T:.Z+-]+)'");
    private static final int READ_COST = 1;
    private static final Map<BulkObjectType, Set<String>> SUPPORTED_FIELDS = Map.of(
            BulkObjectType.CUSTOMERS, Set.of("query", "customers", "edges", "node", "id", "email", "firstName",
                    "lastName", "state", "createdAt", "updatedAt", "emailMarketingConsent", "marketingState",
                    "marketingOptInLevel", "consentUpdatedAt"),
            BulkObjectType.ORDERS, Set.of("query", "orders", "edges", "node", "id", "name", "createdAt",
                    "processedAt", "updatedAt", "cancelledAt", "displayFinancialStatus", "test", "currencyCode",
                    "totalPriceSet", "totalRefundedSet", "shopMoney", "amount", "customer", "lineItems", "sku",
                    "title", "quantity", "product", "variant", "originalUnitPriceSet", "refunds"),
            BulkObjectType.ABANDONED_CHECKOUTS, Set.of("query", "abandonedCheckouts", "edges", "node", "id",
                    "abandonedCheckoutUrl", "createdAt", "updatedAt", "completedAt", "totalPriceSet", "shopMoney",
                    "amount", "currencyCode", "customer", "email"));

    /** List fields (not connections) of the bulk query types, which may not hold a connection in a bulk query. */
    private static final Map<BulkObjectType, Set<String>> LIST_FIELDS = Map.of(
            BulkObjectType.CUSTOMERS, Set.of(), BulkObjectType.ORDERS, Set.of("refunds"),
            BulkObjectType.ABANDONED_CHECKOUTS, Set.of());
    /** Shopify's userError for a connection inside a list field, e.g. {@code refunds { refundLineItems { edges ... } } }. */
    public static final String CONNECTION_IN_LIST =
            "Queries that contain a connection field within a list field are not currently supported.";

    /** A shop the simulator serves and the offline access token the app must present for it. */
    public record ShopAccount(SimulatedStore store, String accessToken) {
        public ShopAccount {
            requireNonNull(store, "store is null");
            requireNonNull(accessToken, "accessToken is null");
        }

        public ShopId shop() {
            return store.shop();
        }
    }

    /**
     * @param port                 0 for a free port
     * @param pollsWhileRunning    reads of an operation that still answer RUNNING
     * @param minimumRunTime       an operation is never COMPLETED sooner than this after it started
     * @param bucketSize           the cost bucket's {@code maximumAvailable}
     * @param restoreRate          points restored per second
     * @param throttledStatus      HTTP status of a THROTTLED answer (Shopify has been seen sending 200 and 429)
     * @param clock                time for the bucket, the operations' timestamps and token expiry
     * @param clientId             the app's client id: checked by the grant screen and the token endpoint, the
     *                             audience of session tokens
     * @param clientSecret         signs the grant screen's redirect (query HMAC) and session tokens
     * @param accessTokenLifetime  {@code expires_in} of expiring offline tokens (Shopify: 1 hour)
     * @param refreshTokenLifetime {@code refresh_token_expires_in} (Shopify: 90 days)
     */
    public record Options(int port, int pollsWhileRunning, Duration minimumRunTime, double bucketSize,
                          double restoreRate, int throttledStatus, Clock clock, String clientId, String clientSecret,
                          Duration accessTokenLifetime, Duration refreshTokenLifetime) {
        /** The development app credentials (docs/development.md), which {@code make demo} and the tests use. */
        public static final String DEV_CLIENT_ID = "ecomcrm-dev-client-id";
        public static final String DEV_CLIENT_SECRET = "ecomcrm-dev-client-secret";

        public Options {
            requireNonNull(minimumRunTime, "minimumRunTime is null");
            requireNonNull(clock, "clock is null");
            requireNonNull(clientId, "clientId is null");
            requireNonNull(clientSecret, "clientSecret is null");
            requireNonNull(accessTokenLifetime, "accessTokenLifetime is null");
            requireNonNull(refreshTokenLifetime, "refreshTokenLifetime is null");
            if (port < 0 || port > 65535 || pollsWhileRunning < 0 || bucketSize <= 0 || restoreRate <= 0) {
                throw new IllegalArgumentException("Cannot use simulator options " + port + "/" + pollsWhileRunning
                        + "/" + bucketSize + "/" + restoreRate);
            }
        }

        /**
         * A free port, one RUNNING answer per operation, Shopify's standard bucket (2000 points, 100/s), 200 on
         * THROTTLED, the development app credentials, Shopify's token lifetimes (1 hour, 90 days).
         */
        public static Options defaults() {
            return new Options(0, 1, Duration.ZERO, 2000, 100, 200, Clock.systemUTC(), DEV_CLIENT_ID,
                    DEV_CLIENT_SECRET, Duration.ofHours(1), Duration.ofDays(90));
        }

        public Options withPort(int port) {
            return new Options(port, pollsWhileRunning, minimumRunTime, bucketSize, restoreRate, throttledStatus, clock,
                    clientId, clientSecret, accessTokenLifetime, refreshTokenLifetime);
        }

        public Options withPollsWhileRunning(int polls) {
            return new Options(port, polls, minimumRunTime, bucketSize, restoreRate, throttledStatus, clock,
                    clientId, clientSecret, accessTokenLifetime, refreshTokenLifetime);
        }

        public Options withMinimumRunTime(Duration duration) {
            return new Options(port, pollsWhileRunning, duration, bucketSize, restoreRate, throttledStatus, clock,
                    clientId, clientSecret, accessTokenLifetime, refreshTokenLifetime);
        }

        public Options withBucket(double size, double restorePerSecond) {
            return new Options(port, pollsWhileRunning, minimumRunTime, size, restorePerSecond, throttledStatus, clock,
                    clientId, clientSecret, accessTokenLifetime, refreshTokenLifetime);
        }

        public Options withThrottledStatus(int status) {
            return new Options(port, pollsWhileRunning, minimumRunTime, bucketSize, restoreRate, status, clock,
                    clientId, clientSecret, accessTokenLifetime, refreshTokenLifetime);
        }

        public Options withClock(Clock newClock) {
            return new Options(port, pollsWhileRunning, minimumRunTime, bucketSize, restoreRate, throttledStatus,
                    newClock, clientId, clientSecret, accessTokenLifetime, refreshTokenLifetime);
        }

        /** The app the simulated shops install: its client id and secret. */
        public Options withApp(String newClientId, String newClientSecret) {
            return new Options(port, pollsWhileRunning, minimumRunTime, bucketSize, restoreRate, throttledStatus, clock,
                    newClientId, newClientSecret, accessTokenLifetime, refreshTokenLifetime);
        }

        public Options withTokenLifetimes(Duration accessToken, Duration refreshToken) {
            return new Options(port, pollsWhileRunning, minimumRunTime, bucketSize, restoreRate, throttledStatus, clock,
                    clientId, clientSecret, accessToken, refreshToken);
        }
    }

    /** A webhook subscription an app created in a simulated shop through the Admin API. */
    public record WebhookSubscription(String id, String topic, String uri, String format, String apiVersion) {
    }

    private final Map<String, ShopState> shops = new LinkedHashMap<>();
    private final List<ShopAccount> accounts;
    private final Options options;
    private final AtomicLong operationNumbers = new AtomicLong();
    private final SimulatedOAuth oauth;
    private final SimulatedWebhookSubscriptions subscriptions = new SimulatedWebhookSubscriptions();
    private final SimulatedBilling billing = new SimulatedBilling();
    /** Shopify allows one second to connect and five for the whole request (shopify-platform.md 3.3). */
    private final java.net.http.HttpClient webhookHttp = java.net.http.HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(1)).build();
    private final WebhookRetries webhookRetries;
    /** Which subscription each delivery still being retried belongs to, by its X-Shopify-Webhook-Id. */
    private final Map<String, SubscriptionOf> retriedDeliveries = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile HttpServer server;

    private record SubscriptionOf(ShopId shop, long number) {
    }

    public SimulatorServer(List<ShopAccount> accounts, Options options) {
        this.accounts = List.copyOf(accounts);
        this.options = requireNonNull(options, "options is null");
        this.oauth = new SimulatedOAuth(options.clientId(), options.clientSecret(), options.accessTokenLifetime(),
                options.refreshTokenLifetime(), options.clock());
        this.webhookRetries = new WebhookRetries(options.clock(), gaveUp -> {
            SubscriptionOf owner = retriedDeliveries.remove(gaveUp.webhook().webhookId());
            if (owner != null) {
                subscriptions.remove(owner.shop(), owner.number());
            }
        });
        for (ShopAccount account : this.accounts) {
            if (shops.put(account.shop().domain(), new ShopState(account, options)) != null) {
                throw new IllegalArgumentException("Cannot serve shop " + account.shop() + " twice");
            }
        }
    }

    /** {@code shopCount} shops {@code sim-1.myshopify.com}... of {@code customers} customers each, tokens from the seed. */
    public static SimulatorServer forSeed(long seed, int shopCount, int customers, Options options) {
        List<ShopAccount> accounts = new ArrayList<>();
        for (ShopId shop : SimulatedShops.domains(shopCount)) {
            accounts.add(new ShopAccount(StoreGenerator.generate(seed, shop, customers),
                    SimulatedShops.accessToken(seed, shop)));
        }
        return new SimulatorServer(accounts, options);
    }

    /** Deploys this server on {@code vertx}; the future completes once it listens. */
    public Future<SimulatorServer> deployOn(Vertx vertx) {
        return vertx.deployVerticle(this).map(id -> this);
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        router.post("/shops/:shop/admin/api/:version/graphql.json")
                .handler(BodyHandler.create().setBodyLimit(1_000_000))
                .handler(this::graphql);
        router.get("/bulk/:shop/:file").handler(this::download);
        router.get("/shops/:shop/admin/oauth/authorize").handler(this::authorize);
        router.get("/shops/:shop/admin/charges/:number/confirm_recurring_application_charge")
                .handler(this::confirmCharge);
        router.post("/shops/:shop/admin/oauth/access_token")
                .handler(BodyHandler.create().setBodyLimit(100_000))
                .handler(this::accessToken);
        return vertx.createHttpServer().requestHandler(router).listen(options.port(), "127.0.0.1")
                .onSuccess(listening -> server = listening);
    }

    @Override
    public Future<?> stop() {
        HttpServer listening = server;
        return listening == null ? Future.succeededFuture() : listening.close();
    }

    public int port() {
        HttpServer listening = server;
        if (listening == null) {
            throw new IllegalStateException("The simulator is not listening yet");
        }
        return listening.actualPort();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** The value for the app's {@code ECOMCRM_SHOPIFY_ADMIN_URL}. */
    public String adminUrlTemplate() {
        return baseUrl() + "/shops/{shop}/admin/api/" + SimulatedShops.API_VERSION + "/graphql.json";
    }

    /** The value for the app's {@code ECOMCRM_SHOPIFY_ADMIN_BASE}: the simulated shops' origin. */
    public String adminBaseTemplate() {
        return baseUrl() + "/shops/{shop}";
    }

    /** The webhook subscriptions the app created in {@code shop}, oldest first. */
    public List<WebhookSubscription> webhookSubscriptions(ShopId shop) {
        return subscriptions.list(shop).stream()
                .map(s -> new WebhookSubscription(s.gid(), s.topic(), s.uri(), s.format(), s.apiVersion())).toList();
    }

    /**
     * The next {@code count} successful answers of the token endpoint take effect but are never sent: the connection
     * closes instead, as when a response is lost on the way.
     */
    public void dropNextTokenResponses(int count) {
        oauth.dropNextResponses(count);
    }

    /** Whether {@code token} opens {@code shop}'s Admin API now (its static token, or one the token endpoint issued). */
    public boolean acceptsAccessToken(ShopId shop, String token) {
        ShopState state = shops.get(shop.domain());
        return state != null && token != null && (MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                state.account.accessToken().getBytes(StandardCharsets.UTF_8)) || oauth.accepts(shop, token));
    }

    /** The app subscriptions created in {@code shop}, oldest first. */
    public List<SimulatedBilling.View> appSubscriptions(ShopId shop) {
        return billing.list(shop);
    }

    /** Sets a subscription's status as Shopify would on its own (FROZEN for an unpaid bill, EXPIRED...), silently. */
    public void setAppSubscriptionStatus(ShopId shop, String subscriptionId, String status) {
        billing.setStatus(shop, subscriptionId, status, options.clock().instant());
    }

    /**
     * Delivers a signed {@code app_subscriptions/update} for the subscription with {@code status} and
     * {@code updated_at} (also {@code X-Shopify-Triggered-At}) to {@code endpoint}, as Shopify would; the
     * subscription takes that status unless {@code updatedAt} is older than its last change (a late delivery).
     * Returns the receiver's HTTP status.
     */
    public int deliverAppSubscriptionUpdate(ShopId shop, String subscriptionId, String status, Instant updatedAt,
                                            java.net.URI endpoint) {
        SimulatedWebhook webhook = billing.updateWebhook(shop, subscriptionId, status, updatedAt,
                SimulatedShops.API_VERSION);
        return new WebhookSender(java.net.http.HttpClient.newHttpClient(), endpoint, options.clientSecret())
                .send(webhook);
    }

    /**
     * Delivers {@code webhook} as Shopify would to every subscription of its topic that the app created in its shop:
     * each subscription gets its own delivery with its own {@code X-Shopify-Webhook-Id} (derived from the webhook's
     * and the subscription's ids), the same {@code X-Shopify-Event-Id}, signed with the app's secret, sent to the
     * subscription's address. A delivery not answered 2xx within five seconds is retried by
     * {@link #retryDueWebhooks()} on {@link WebhookRetrySchedule} (eight retries over four hours, by the simulator's
     * clock, always to the address it was first sent to); when the eighth retry fails too, the subscription is removed,
     * as Shopify removes a shop-specific subscription after repeated failure. Blocking (a JDK HTTP client): call it
     * from a test or worker thread, never an event loop. Returns each subscription's outcome, by subscription GID.
     */
    public Map<String, WebhookRetries.Outcome> deliverWebhook(SimulatedWebhook webhook) {
        requireNonNull(webhook, "webhook is null");
        String topic = webhook.topic().toUpperCase(java.util.Locale.ROOT).replace('/', '_');
        Map<String, WebhookRetries.Outcome> outcomes = new LinkedHashMap<>();
        for (SimulatedWebhookSubscriptions.Stored subscription : subscriptions.list(webhook.shop())) {
            if (!subscription.topic().equals(topic)) {
                continue;
            }
            SimulatedWebhook delivery = new SimulatedWebhook(webhook.shop(), webhook.topic(),
                    WebhookTimeline.uuid("delivery|" + webhook.webhookId() + "|" + subscription.gid()),
                    webhook.eventId(), webhook.triggeredAt(), webhook.apiVersion(), webhook.body());
            WebhookSender sender = new WebhookSender(webhookHttp, java.net.URI.create(subscription.uri()),
                    options.clientSecret(), WebhookRetrySchedule.ANSWER_TIMEOUT);
            retriedDeliveries.put(delivery.webhookId(), new SubscriptionOf(webhook.shop(), subscription.number()));
            WebhookRetries.Outcome outcome = webhookRetries.deliver(delivery, sender);
            if (outcome == WebhookRetries.Outcome.DELIVERED) {
                retriedDeliveries.remove(delivery.webhookId());
            }
            outcomes.put(subscription.gid(), outcome);
        }
        return outcomes;
    }

    /** Makes the webhook retries whose time has come by the simulator's clock; returns how many were made. */
    public int retryDueWebhooks() {
        int made = webhookRetries.retryDue();
        java.util.Set<String> waiting = new java.util.HashSet<>();
        webhookRetries.pending().forEach(p -> waiting.add(p.webhook().webhookId()));
        retriedDeliveries.keySet().retainAll(waiting);
        return made;
    }

    /** Every webhook delivery attempt {@link #deliverWebhook} made, first attempts and retries, in order. */
    public List<WebhookRetries.Attempt> webhookAttempts() {
        return webhookRetries.attempts();
    }

    /** When the earliest pending webhook retry is due, if any delivery is still being retried. */
    public Optional<Instant> nextWebhookRetryAt() {
        return webhookRetries.nextRetryAt();
    }

    public String graphqlUrl(ShopId shop) {
        return adminUrlTemplate().replace("{shop}", shop.domain());
    }

    public List<ShopAccount> accounts() {
        return accounts;
    }

    public Options options() {
        return options;
    }

    // ---------------------------------------------------------------------------------------------------------------

    private void graphql(RoutingContext ctx) {
        ShopState shop = shops.get(ctx.pathParam("shop"));
        String version = ctx.pathParam("version");
        if (shop == null || !VERSION.matcher(version).matches()) {
            respond(ctx, 404, JSON.createObjectNode().put("errors", "Not Found"));
            return;
        }
        ctx.response().putHeader("X-Shopify-API-Version", version);
        String token = ctx.request().getHeader("X-Shopify-Access-Token");
        if (!acceptsAccessToken(shop.account.shop(), token)) {
            respond(ctx, 401, JSON.createObjectNode().put("errors", INVALID_TOKEN));
            return;
        }
        synchronized (shop) {
            shop.graphqlRequests++;
            if (!shop.failures.isEmpty()) {
                // A server error before the request ran, as Shopify's platform answers now and then.
                int status = shop.failures.poll();
                respond(ctx, status, JSON.createObjectNode().put("errors", status == 503 ? "Service Unavailable"
                        : "Internal Server Error"));
                return;
            }
        }
        JsonNode request;
        try {
            request = ctx.body().buffer() == null ? null : JSON.readTree(ctx.body().buffer().getBytes());
        }
        catch (java.io.IOException e) {
            request = null;
        }
        if (request == null || !request.path("query").isTextual()) {
            ObjectNode errors = JSON.createObjectNode();
            errors.putObject("errors").put("query", "Required parameter missing or invalid");
            respond(ctx, 400, errors);
            return;
        }
        String document = request.get("query").asText();
        JsonNode variables = request.path("variables");
        if (SimulatedRefundQueries.handles(document)) {
            refundQuery(ctx, shop, document, variables);
            return;
        }
        boolean run = GraphqlText.calls(document, "bulkOperationRunQuery");
        int cost = run || GraphqlText.calls(document, "bulkOperationCancel")
                || SimulatedWebhookSubscriptions.isMutation(document) || SimulatedBilling.isMutation(document)
                ? RUN_COST : READ_COST;
        Instant now = options.clock().instant();
        synchronized (shop) {
            shop.refill(now);
            if (shop.available < cost) {
                ObjectNode throttled = JSON.createObjectNode();
                ObjectNode error = throttled.putArray("errors").addObject().put("message", "Throttled");
                error.putObject("extensions").put("code", "THROTTLED")
                        .put("documentation", "https://shopify.dev/api/usage/rate-limits");
                throttled.set("extensions", cost(cost, null, shop));
                respond(ctx, options.throttledStatus(), throttled);
                return;
            }
            shop.available -= cost;
        }
        Future<ObjectNode> data;
        if (SimulatedWebhookSubscriptions.handles(document)) {
            SimulatedWebhookSubscriptions.Result result = subscriptions.execute(shop.account.shop(), version, document,
                    variables, now);
            if (result.errors() != null) {
                ObjectNode failed = JSON.createObjectNode();
                failed.set("errors", result.errors());
                failed.set("extensions", cost(cost, cost, shop));
                respond(ctx, 200, failed);
                return;
            }
            data = Future.succeededFuture(result.data());
        }
        else if (SimulatedBilling.handles(document)) {
            data = Future.succeededFuture(billing.execute(shop.account.shop(), document, variables, now, baseUrl()));
        }
        else if (run) {
            data = runBulkQuery(shop, document, variables, now);
        }
        else if (GraphqlText.calls(document, "bulkOperationCancel")) {
            data = Future.succeededFuture(cancel(shop, document, variables, now));
        }
        else if (GraphqlText.calls(document, "currentBulkOperation")) {
            ObjectNode result = JSON.createObjectNode();
            Operation current;
            synchronized (shop) {
                current = shop.operations.isEmpty() ? null : shop.operations.get(shop.operations.size() - 1);
            }
            result.set("currentBulkOperation", read(shop, current, document, now));
            data = Future.succeededFuture(result);
        }
        else if (GraphqlText.calls(document, "node") || GraphqlText.calls(document, "bulkOperation")) {
            String field = GraphqlText.calls(document, "node") ? "node" : "bulkOperation";
            Optional<String> id = GraphqlText.argument(document, field, "id", variables);
            Operation operation = id.map(shop::operation).orElse(null);
            ObjectNode result = JSON.createObjectNode();
            result.set(field, read(shop, operation, document, now));
            data = Future.succeededFuture(result);
        }
        else if (GraphqlText.calls(document, "shop")) {
            data = Future.succeededFuture(shopDetails(shop.account.shop(), GraphqlText.selectedNames(document)));
        }
        else {
            ObjectNode unsupported = JSON.createObjectNode();
            unsupported.putArray("errors").addObject().put("message",
                    "The Shopify simulator does not implement this operation; it serves shop, bulk queries of customers, orders"
                            + " and abandoned checkouts (bulkOperationRunQuery, node, bulkOperation, currentBulkOperation,"
                            + " bulkOperationCancel), nodes/node on Refund, webhookSubscriptions and"
                            + " webhookSubscriptionCreate/Update/Delete,"
                            + " appSubscriptionCreate, appSubscriptionCancel and currentAppInstallation");
            unsupported.set("extensions", cost(cost, cost, shop));
            respond(ctx, 200, unsupported);
            return;
        }
        data.onComplete(done -> {
            if (done.failed()) {
                ObjectNode failure = JSON.createObjectNode();
                failure.putArray("errors").addObject().put("message", "Internal error: " + done.cause());
                respond(ctx, 500, failure);
                return;
            }
            ObjectNode response = JSON.createObjectNode();
            response.set("data", done.result());
            response.set("extensions", cost(cost, cost, shop));
            respond(ctx, 200, response);
        });
    }

    /**
     * {@code nodes(ids:)} / {@code node(id:)} on Refund, with Shopify's calculated cost: refused with
     * {@code MAX_COST_EXCEEDED} over 1,000 points, {@code THROTTLED} when the bucket cannot hold the requested cost; else
     * the bucket is charged the requested cost, the query runs, and the difference to the actual cost is refunded.
     */
    private void refundQuery(RoutingContext ctx, ShopState shop, String document, JsonNode variables) {
        List<GraphqlSelection> root;
        try {
            root = GraphqlSelection.parseOperation(document, variables);
        }
        catch (GraphqlSelection.SyntaxError e) {
            ObjectNode failed = JSON.createObjectNode();
            failed.putArray("errors").addObject().put("message", "Parse error: " + e.getMessage());
            respond(ctx, 200, failed);
            return;
        }
        int requested = SimulatedRefundQueries.requestedCost(root);
        Instant now = options.clock().instant();
        SimulatedRefundQueries.Answer answer;
        synchronized (shop) {
            shop.refill(now);
            if (requested <= SimulatedRefundQueries.MAX_QUERY_COST && shop.available < requested) {
                shop.throttledAnswers++;
                ObjectNode throttled = JSON.createObjectNode();
                ObjectNode error = throttled.putArray("errors").addObject().put("message", "Throttled");
                error.putObject("extensions").put("code", "THROTTLED")
                        .put("documentation", "https://shopify.dev/api/usage/rate-limits");
                throttled.set("extensions", cost(requested, null, shop));
                respond(ctx, options.throttledStatus(), throttled);
                return;
            }
            answer = shop.refundQueries().run(root);
            if (answer.data() != null) {
                double before = shop.available;
                shop.available -= answer.actualCost();
                List<String> asked = new ArrayList<>();
                for (GraphqlSelection field : root) {
                    field.argument("ids").forEach(id -> asked.add(id.asText()));
                    if (field.argument("id").isTextual()) {
                        asked.add(field.argument("id").asText());
                    }
                }
                shop.costedQueries.add(new CostedQuery(now, requested, answer.actualCost(), before, asked));
            }
        }
        ObjectNode response = JSON.createObjectNode();
        if (answer.errors() != null) {
            response.set("errors", answer.errors());
            response.set("extensions", cost(requested, null, shop));
        }
        else {
            response.set("data", answer.data());
            response.set("extensions", cost(requested, answer.actualCost(), shop));
        }
        respond(ctx, 200, response);
    }

    /**
     * A refund query the simulator ran for a shop: when, its requested and its actual cost, the points the bucket held
     * before it, and the refund ids it asked for ({@code nodes(ids:)} or {@code node(id:)}).
     */
    public record CostedQuery(Instant at, int requestedCost, int actualCost, double availableBefore,
                              List<String> askedIds) {
        public CostedQuery {
            askedIds = List.copyOf(askedIds);
        }
    }

    /** The refund queries answered for {@code shop} (not refused), oldest first. */
    public List<CostedQuery> costedQueries(ShopId shop) {
        ShopState state = shops.get(shop.domain());
        synchronized (state) {
            return List.copyOf(state.costedQueries);
        }
    }

    /** How many queries of {@code shop} the simulator refused as THROTTLED (refund queries). */
    public int throttledAnswers(ShopId shop) {
        ShopState state = shops.get(shop.domain());
        synchronized (state) {
            return state.throttledAnswers;
        }
    }

    /**
     * Spends {@code points} of {@code shop}'s bucket, as another client of the same app and shop would (never below
     * zero), so a test can make the app meet a THROTTLED answer.
     */
    public void spendBucket(ShopId shop, double points) {
        ShopState state = shops.get(shop.domain());
        synchronized (state) {
            state.refill(options.clock().instant());
            state.available = Math.max(0, state.available - points);
        }
    }

    /**
     * The next GraphQL requests of {@code shop} (after the access token check) are answered with these HTTP statuses
     * (5xx), one each, without running them, as Shopify's platform fails now and then.
     */
    public void failNextRequests(ShopId shop, int... statuses) {
        ShopState state = shops.get(shop.domain());
        synchronized (state) {
            for (int status : statuses) {
                state.failures.add(status);
            }
        }
    }

    /** GraphQL requests of {@code shop} that passed the token check, answered or failed. */
    public int graphqlRequests(ShopId shop) {
        ShopState state = shops.get(shop.domain());
        synchronized (state) {
            return state.graphqlRequests;
        }
    }

    /** The merchant's answer on the charge confirmation page: approve, or decline with {@code ?decline=1}. */
    private void confirmCharge(RoutingContext ctx) {
        ShopState shop = shops.get(ctx.pathParam("shop"));
        long number;
        try {
            number = Long.parseLong(ctx.pathParam("number"));
        }
        catch (NumberFormatException e) {
            number = -1;
        }
        Optional<String> next = shop == null ? Optional.empty() : billing.decide(shop.account.shop(), number,
                Optional.ofNullable(ctx.request().getParam("signature")).orElse(""),
                !"1".equals(ctx.request().getParam("decline")), options.clock().instant(), baseUrl());
        if (next.isEmpty()) {
            ctx.response().setStatusCode(404).putHeader("Content-Type", "text/plain").end("Not Found");
            return;
        }
        ctx.response().setStatusCode(302).putHeader("Location", next.get()).end();
    }

    private void authorize(RoutingContext ctx) {
        ShopState shop = shops.get(ctx.pathParam("shop"));
        if (shop == null) {
            ctx.response().setStatusCode(404).putHeader("Content-Type", "text/plain").end("Not Found");
            return;
        }
        Map<String, String> query = new LinkedHashMap<>();
        ctx.queryParams().forEach(entry -> query.putIfAbsent(entry.getKey(), entry.getValue()));
        StringBuilder error = new StringBuilder();
        Optional<String> location = oauth.authorize(shop.account.shop(), query, error);
        if (location.isEmpty()) {
            ctx.response().setStatusCode(400).putHeader("Content-Type", "text/plain").end(error.toString());
            return;
        }
        ctx.response().setStatusCode(302).putHeader("Location", location.get()).end();
    }

    private void accessToken(RoutingContext ctx) {
        ShopState shop = shops.get(ctx.pathParam("shop"));
        if (shop == null) {
            respond(ctx, 404, JSON.createObjectNode().put("errors", "Not Found"));
            return;
        }
        byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        SimulatedOAuth.Answer answer = oauth.accessToken(shop.account.shop(),
                SimulatedOAuth.fields(ctx.request().getHeader("Content-Type"), body));
        if (answer.body() == null) {
            ctx.request().connection().close();
            return;
        }
        respond(ctx, answer.status(), answer.body());
    }

    private Future<ObjectNode> runBulkQuery(ShopState shop, String document, JsonNode variables, Instant now) {
        ObjectNode data = JSON.createObjectNode();
        ObjectNode payload = data.putObject("bulkOperationRunQuery");
        Set<String> selected = GraphqlText.selectedNames(document);
        String query = GraphqlText.argument(document, "bulkOperationRunQuery", "query", variables).orElse(null);
        if (query == null) {
            return Future.succeededFuture(userError(data, payload, selected, List.of("query"),
                    "Bulk query is missing", "INVALID"));
        }
        Optional<BulkObjectType> type = GraphqlText.rootField(query).flatMap(BulkObjectType::fromRootField);
        if (type.isEmpty()) {
            return Future.succeededFuture(userError(data, payload, selected, List.of("query"),
                    "The Shopify simulator only serves bulk queries of customers, orders and abandonedCheckouts", "INVALID"));
        }
        // The one search filter the app uses (incremental catch-up): updated_at:>'2026-01-01T00:00:00Z' on the root
        // connection. Any other filter is refused, so a changed app query fails loudly rather than silently.
        Optional<String> filter = GraphqlText.argument(query, type.get().rootField(), "query", null);
        Optional<Instant> updatedAfter = Optional.empty();
        if (filter.isPresent()) {
            Matcher since = UPDATED_AFTER.matcher(filter.get());
            if (!since.matches()) {
                return Future.succeededFuture(userError(data, payload, selected, List.of("query"),
                        "The Shopify simulator only filters bulk queries by updated_at:>'<ISO time>', not '"
                                + filter.get() + "'", "INVALID"));
            }
            updatedAfter = Optional.of(Instant.parse(since.group(1)));
        }
        for (String list : LIST_FIELDS.get(type.get())) {
            Set<String> inside = GraphqlText.selectedInside(query, list);
            if (inside.contains("edges") || inside.contains("nodes") || inside.contains("pageInfo")) {
                return Future.succeededFuture(userError(data, payload, selected, List.of("query"),
                        CONNECTION_IN_LIST, "INVALID"));
            }
        }
        for (String name : GraphqlText.selectedNames(query)) {
            if (!SUPPORTED_FIELDS.get(type.get()).contains(name)) {
                return Future.succeededFuture(userError(data, payload, selected, List.of("query"),
                        "The Shopify simulator does not produce field '" + name + "' in a bulk "
                                + type.get().rootField() + " query", "INVALID"));
            }
        }
        Operation operation;
        synchronized (shop) {
            Optional<Operation> running = shop.operations.stream().filter(Operation::inProgress).findFirst();
            if (running.isPresent()) {
                return Future.succeededFuture(userError(data, payload, selected, null,
                        "A bulk query operation for this app and shop is already in progress: "
                                + running.get().gid() + ".", "OPERATION_IN_PROGRESS"));
            }
            operation = new Operation(operationNumbers.incrementAndGet(), shop.account.shop(), type.get(), query, now,
                    new FileKey(type.get(), updatedAfter.orElse(null)));
            shop.operations.add(operation);
        }
        Future<BulkJsonlWriter.BulkFile> file = shop.file(vertx, operation.file);
        return file.map(ready -> {
            payload.set("bulkOperation", operationNode(operation, shop, selected));
            payload.putArray("userErrors");
            return data;
        });
    }

    private ObjectNode cancel(ShopState shop, String document, JsonNode variables, Instant now) {
        ObjectNode data = JSON.createObjectNode();
        ObjectNode payload = data.putObject("bulkOperationCancel");
        Set<String> selected = GraphqlText.selectedNames(document);
        Operation operation = GraphqlText.argument(document, "bulkOperationCancel", "id", variables)
                .map(shop::operation).orElse(null);
        if (operation == null) {
            return userError(data, payload, selected, List.of("id"), "Bulk operation does not exist", null);
        }
        synchronized (shop) {
            if (!operation.inProgress()) {
                return userError(data, payload, selected, null, "A bulk operation cannot be canceled when it is "
                        + operation.status.toLowerCase(java.util.Locale.ROOT), null);
            }
            operation.status = "CANCELED";
            operation.completedAt = now;
        }
        payload.set("bulkOperation", operationNode(operation, shop, selected));
        payload.putArray("userErrors");
        return data;
    }

    /** Reading an operation is what moves it along: CREATED/RUNNING while polled, then COMPLETED. */
    private JsonNode read(ShopState shop, Operation operation, String document, Instant now) {
        if (operation == null) {
            return JSON.nullNode();
        }
        synchronized (shop) {
            if (operation.inProgress()) {
                operation.polls++;
                boolean ready = shop.files.get(operation.file) != null;
                boolean ranLongEnough = !now.isBefore(operation.createdAt.plus(options.minimumRunTime()));
                if (ready && ranLongEnough && operation.polls > options.pollsWhileRunning()) {
                    operation.status = "COMPLETED";
                    operation.completedAt = now;
                }
                else {
                    operation.status = "RUNNING";
                }
            }
        }
        return operationNode(operation, shop, GraphqlText.selectedNames(document));
    }

    private ObjectNode operationNode(Operation operation, ShopState shop, Set<String> selected) {
        BulkJsonlWriter.BulkFile file;
        String status;
        Instant completedAt;
        int polls;
        synchronized (shop) {
            file = shop.files.get(operation.file);
            status = operation.status;
            completedAt = operation.completedAt;
            polls = operation.polls;
        }
        boolean completed = status.equals("COMPLETED");
        long objects = file == null ? 0 : completed ? file.objectCount()
                : file.objectCount() * polls / (options.pollsWhileRunning() + 1L);
        long roots = file == null ? 0 : completed ? file.rootObjectCount()
                : file.rootObjectCount() * polls / (options.pollsWhileRunning() + 1L);
        ObjectNode all = JSON.createObjectNode();
        all.put("id", operation.gid());
        all.put("status", status);
        all.putNull("errorCode");
        all.put("createdAt", BulkJsonlWriter.timestamp(operation.createdAt));
        all.put("completedAt", BulkJsonlWriter.timestamp(completedAt));
        // UnsignedInt64 fields are strings in Shopify's JSON.
        all.put("objectCount", Long.toString(objects));
        all.put("rootObjectCount", Long.toString(roots));
        all.put("fileSize", completed && file.objectCount() > 0 ? Long.toString(file.fileSize()) : null);
        all.put("url", completed && file.objectCount() > 0 ? downloadUrl(operation) : null);
        all.putNull("partialDataUrl");
        all.put("query", operation.query);
        all.put("type", "QUERY");
        ObjectNode node = JSON.createObjectNode();
        all.fieldNames().forEachRemaining(name -> {
            if (selected.contains(name)) {
                node.set(name, all.get(name));
            }
        });
        return node.isEmpty() ? all : node;
    }

    /** Fills {@code payload} (a field of {@code data}) with a failed mutation's answer and returns {@code data}. */
    private static ObjectNode userError(ObjectNode data, ObjectNode payload, Set<String> selected, List<String> field,
                                        String message, String code) {
        payload.putNull("bulkOperation");
        ArrayNode errors = payload.putArray("userErrors");
        ObjectNode error = errors.addObject();
        if (field == null) {
            error.putNull("field");
        }
        else {
            ArrayNode path = error.putArray("field");
            field.forEach(path::add);
        }
        error.put("message", message);
        if (selected.contains("code")) {
            error.put("code", code);
        }
        return data;
    }

    private ObjectNode cost(int requested, Integer actual, ShopState shop) {
        ObjectNode extensions = JSON.createObjectNode();
        ObjectNode cost = extensions.putObject("cost");
        cost.put("requestedQueryCost", requested);
        if (actual == null) {
            cost.putNull("actualQueryCost");
        }
        else {
            cost.put("actualQueryCost", actual);
        }
        ObjectNode throttle = cost.putObject("throttleStatus");
        throttle.put("maximumAvailable", options.bucketSize());
        synchronized (shop) {
            throttle.put("currentlyAvailable", (long) Math.floor(shop.available));
        }
        throttle.put("restoreRate", options.restoreRate());
        return extensions;
    }

    private void download(RoutingContext ctx) {
        ShopState shop = shops.get(ctx.pathParam("shop"));
        String file = ctx.pathParam("file");
        Operation operation = null;
        if (shop != null && file.matches("[0-9]{1,18}\\.jsonl")) {
            operation = shop.operation("gid://shopify/BulkOperation/" + file.substring(0, file.indexOf('.')));
        }
        byte[] bytes = null;
        if (operation != null) {
            synchronized (shop) {
                if (operation.status.equals("COMPLETED")) {
                    bytes = shop.bytes.get(operation.file);
                }
            }
        }
        if (bytes == null) {
            ctx.response().setStatusCode(404).putHeader("Content-Type", "text/plain").end("Not Found");
            return;
        }
        ctx.response().setStatusCode(200).putHeader("Content-Type", "application/jsonl")
                .end(Buffer.buffer(bytes));
    }

    private String downloadUrl(Operation operation) {
        return baseUrl() + "/bulk/" + operation.shop.domain() + "/" + operation.number + ".jsonl";
    }

    private static void respond(RoutingContext ctx, int status, ObjectNode body) {
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8")
                    .end(Buffer.buffer(JSON.writeValueAsBytes(body)));
        }
        catch (JsonProcessingException e) {
            ctx.fail(500, e);
        }
    }

    /** The shop's contact email every simulated shop has: {@code owner@<handle>.example}. */
    public static String ownerEmail(ShopId shop) {
        return "owner@" + shop.handle() + ".example";
    }

    /** {@code { shop { name email currencyCode ianaTimezone myshopifyDomain } }}: the selected fields only. */
    private static ObjectNode shopDetails(ShopId shop, Set<String> selected) {
        ObjectNode data = JSON.createObjectNode();
        ObjectNode node = data.putObject("shop");
        java.util.Map<String, String> values = new LinkedHashMap<>();
        values.put("name", "Simulated " + shop.handle());
        values.put("email", ownerEmail(shop));
        values.put("currencyCode", "USD");
        values.put("ianaTimezone", WebhookPayloads.DEFAULT_ZONE.getId());
        values.put("myshopifyDomain", shop.domain());
        values.forEach((field, value) -> {
            if (selected.contains(field)) {
                node.put(field, value);
            }
        });
        return data;
    }

    /** Which result file an operation serves: a type, and for a filtered query the time objects were updated after. */
    private record FileKey(BulkObjectType type, Instant updatedAfter) {
    }

    /** A bulk operation's state; guarded by its shop's monitor. */
    private static final class Operation {
        final long number;
        final ShopId shop;
        final BulkObjectType type;
        final String query;
        final Instant createdAt;
        final FileKey file;
        String status = "CREATED";
        int polls;
        Instant completedAt;

        Operation(long number, ShopId shop, BulkObjectType type, String query, Instant createdAt, FileKey file) {
            this.number = number;
            this.shop = shop;
            this.type = type;
            this.query = query;
            this.createdAt = createdAt;
            this.file = file;
        }

        String gid() {
            return "gid://shopify/BulkOperation/" + number;
        }

        boolean inProgress() {
            return status.equals("CREATED") || status.equals("RUNNING");
        }
    }

    private static final class ShopState {
        final ShopAccount account;
        final Options options;
        final List<Operation> operations = new ArrayList<>();
        final Map<FileKey, BulkJsonlWriter.BulkFile> files = new HashMap<>();
        final Map<FileKey, byte[]> bytes = new HashMap<>();
        final Map<FileKey, Future<BulkJsonlWriter.BulkFile>> rendering = new HashMap<>();
        double available;
        Instant refilledAt;
        int throttledAnswers;
        int graphqlRequests;
        final java.util.ArrayDeque<Integer> failures = new java.util.ArrayDeque<>();
        final List<CostedQuery> costedQueries = new ArrayList<>();
        private SimulatedRefundQueries refundQueries;

        /** The shop's refunds by GID, indexed on first use. Caller holds this monitor. */
        SimulatedRefundQueries refundQueries() {
            if (refundQueries == null) {
                refundQueries = new SimulatedRefundQueries(account.store());
            }
            return refundQueries;
        }

        ShopState(ShopAccount account, Options options) {
            this.account = account;
            this.options = options;
            this.available = options.bucketSize();
        }

        void refill(Instant now) {
            if (refilledAt != null && now.isAfter(refilledAt)) {
                double seconds = Duration.between(refilledAt, now).toNanos() / 1e9;
                available = Math.min(options.bucketSize(), available + seconds * options.restoreRate());
            }
            if (refilledAt == null || now.isAfter(refilledAt)) {
                refilledAt = now;
            }
        }

        synchronized Operation operation(String gid) {
            for (Operation operation : operations) {
                if (operation.gid().equals(gid)) {
                    return operation;
                }
            }
            return null;
        }

        /** The JSONL of a type (of the objects updated after a time, for a filtered query), rendered once. */
        synchronized Future<BulkJsonlWriter.BulkFile> file(Vertx vertx, FileKey key) {
            return rendering.computeIfAbsent(key, k -> vertx.executeBlocking(() -> {
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                SimulatedStore store = k.updatedAfter() == null ? account.store()
                        : account.store().updatedAfter(k.updatedAfter());
                BulkJsonlWriter.BulkFile file = BulkJsonlWriter.write(store, k.type(), out);
                synchronized (this) {
                    bytes.put(k, out.toByteArray());
                    files.put(k, file);
                }
                return file;
            }, false));
        }
    }

    /** The shops served, by domain, for printing. */
    public Map<ShopId, String> tokens() {
        Map<ShopId, String> tokens = new LinkedHashMap<>();
        accounts.forEach(a -> tokens.put(a.shop(), a.accessToken()));
        return Collections.unmodifiableMap(tokens);
    }
}
