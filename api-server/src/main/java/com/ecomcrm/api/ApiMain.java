package com.ecomcrm.api;

import com.ecomcrm.api.serving.ServingCache;
import com.ecomcrm.api.serving.ServingClickHouse;
import com.ecomcrm.api.analytics.ClickHouseKpiReader;
import com.ecomcrm.api.analytics.ClickHouseMovementReader;
import com.ecomcrm.api.analytics.KpisHandler;
import com.ecomcrm.api.app.DashboardPage;
import com.ecomcrm.api.app.DashboardRoutes;
import com.ecomcrm.api.analytics.SegmentMovementHandler;
import com.ecomcrm.api.auth.SessionTokenHandler;
import com.ecomcrm.api.auth.SessionTokenVerifier;
import com.ecomcrm.api.billing.BillingHandlers;
import com.ecomcrm.api.billing.BillingStore;
import com.ecomcrm.api.billing.ShopifyBilling;
import com.ecomcrm.api.billing.SubscriptionWebhook;
import com.ecomcrm.api.compliance.ComplianceExportHandlers;
import com.ecomcrm.api.compliance.ComplianceWebhook;
import com.ecomcrm.api.compliance.ExportFolder;
import com.ecomcrm.api.config.ApiConfig;
import com.ecomcrm.api.customers.ClickHouseCustomerReader;
import com.ecomcrm.api.customers.ClickHouseCustomerOrderReader;
import com.ecomcrm.api.customers.CustomerHandlers;
import com.ecomcrm.api.customers.CustomerOrderHandler;
import com.ecomcrm.api.config.PostgresSettings;
import com.ecomcrm.api.install.AuthCallbackHandler;
import com.ecomcrm.api.install.InstallCompleteHandler;
import com.ecomcrm.api.install.InstallHandler;
import com.ecomcrm.api.insights.ClickHouseInsightReader;
import com.ecomcrm.api.insights.InsightHandlers;
import com.ecomcrm.api.insights.InsightStates;
import com.ecomcrm.api.performance.ClickHouseEmailPerformanceReader;
import com.ecomcrm.api.performance.EmailPerformanceHandler;
import com.ecomcrm.api.install.OAuthStates;
import com.ecomcrm.api.install.QueryHmac;
import com.ecomcrm.api.install.SignedRequestCheck;
import com.ecomcrm.api.segments.ClickHouseSegmentReader;
import com.ecomcrm.api.segments.SegmentsHandler;
import com.ecomcrm.api.plans.PlanGate;
import com.ecomcrm.api.privacy.PrivacyPage;
import com.ecomcrm.api.privacy.PrivacySettings;
import com.ecomcrm.api.shop.ShopHandler;
import com.ecomcrm.api.shop.ShopProfileStore;
import com.ecomcrm.api.shopify.AdminApiClient;
import com.ecomcrm.api.shopify.BulkImport;
import com.ecomcrm.api.shopify.ShopDetailsSync;
import com.ecomcrm.api.sync.InitialSync;
import com.ecomcrm.api.sync.SyncProgressHandler;
import com.ecomcrm.api.templates.EmailApi;
import com.ecomcrm.api.sync.SyncTrigger;
import com.ecomcrm.api.tokens.AccessTokenClient;
import com.ecomcrm.api.tokens.OfflineTokens;
import com.ecomcrm.api.tokens.ShopTokens;
import com.ecomcrm.email.secrets.SecretCipher;
import com.ecomcrm.api.tracking.TrackingHandlers;
import com.ecomcrm.api.tracking.TrackingStore;
import com.ecomcrm.api.webhooks.WebhookDeliveryCheck;
import com.ecomcrm.api.webhooks.WebhookEffects;
import com.ecomcrm.api.webhooks.WebhookHandler;
import com.ecomcrm.api.webhooks.WebhookIntake;
import com.ecomcrm.api.webhooks.WebhookReceipts;
import com.ecomcrm.api.webhooks.WebhookRegistrar;
import com.ecomcrm.api.webhooks.WebhookSetup;
import com.ecomcrm.api.webhooks.WebhookSignature;
import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.landing.LandingLayout;
import com.ecomcrm.landing.LandingZone;
import com.ecomcrm.tracking.TrackingLinks;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpClient;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Starts the API server from the environment: {@code bin/run api-server com.ecomcrm.api.ApiMain}.
 */
public final class ApiMain {
    private static final Logger LOG = LoggerFactory.getLogger(ApiMain.class);

    private ApiMain() {
    }

    public static void main(String[] args) {
        ApiConfig config = ApiConfig.fromEnvironment();
        Vertx vertx = Vertx.vertx();
        Application application = Application.start(vertx, config, ClickHouseSettings.fromEnvironment(), Clock.systemUTC())
                .await();
        LOG.info("API server listening on http://{}:{}", config.host(), application.server().actualPort());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> application.close().await()));
    }

    /**
     * Everything the server holds open, so tests and the shutdown hook can close it in one call.
     *
     * @param offlineTokens a shop's usable offline access token (stored, refreshed or exchanged)
     * @param shopTokens    the encrypted token store behind it
     */
    public record Application(Vertx vertx, ApiServer server, Pool postgres, ClickHouseGateway clickHouse,
                              LandingZone landingZone, OfflineTokens offlineTokens, ShopTokens shopTokens,
                              InitialSync initialSync, List<Supplier<Future<Void>>> intakes) {
        public static Future<Application> start(Vertx vertx, ApiConfig config, ClickHouseSettings clickHouseSettings,
                                                Clock clock) {
            return start(vertx, config, clickHouseSettings, clock, System.getenv());
        }

        /** @param environment the email routes' settings (ECOMCRM_SMTP_*, ECOMCRM_DNS_RESOLVER...): tests pass theirs */
        public static Future<Application> start(Vertx vertx, ApiConfig config, ClickHouseSettings clickHouseSettings,
                                                Clock clock, Map<String, String> environment) {
            Pool postgres = postgresPool(vertx, config.postgres());
            ClickHouseGateway clickHouse = ClickHouseGateway.connect(clickHouseSettings);
            // The dashboard's reads of the serving tables, answered from memory while the shop's publication is the one
            // they were read under (ServingClickHouse); ECOMCRM_SERVING_CACHE_MB=0 turns it off.
            ServingClickHouse serving = ServingClickHouse.cached(clickHouse,
                    new ServingCache(ServingCache.Settings.from(environment)));
            LandingZone landingZone = new LandingZone(new LandingLayout(config.landingDirectory()), clock);
            // Shopify's endpoints are called from worker threads; redirects are never followed (a token endpoint
            // answering 3xx is a misconfiguration to see, not to obey).
            HttpClient shopifyHttp = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                    .followRedirects(HttpClient.Redirect.NEVER).build();
            ShopTokens shopTokens = new ShopTokens(postgres, new SecretCipher(config.tokenKeys()));
            AccessTokenClient accessTokens = new AccessTokenClient(shopifyHttp, config.shopify(), config.clientId(),
                    config.clientSecret());
            OfflineTokens offlineTokens = new OfflineTokens(vertx, shopTokens, accessTokens, clock);
            WebhookSetup webhookSetup = new WebhookSetup(vertx, new WebhookRegistrar(shopifyHttp, config.shopify()),
                    shopTokens, clock);
            SignedRequestCheck signedRequests = new SignedRequestCheck(new QueryHmac(config.webhookSecrets()), clock,
                    config.shopify().timestampWindow());
            OAuthStates states = new OAuthStates(postgres, clock);
            // Same key and base URL as the sender (module jobs): ECOMCRM_TRACKING_KEY, ECOMCRM_PUBLIC_URL.
            TrackingLinks trackingLinks = TrackingLinks.fromEnv(environment);
            if (trackingLinks.usesDevelopmentKey()) {
                LOG.warn("Tracking links are signed with the published development key (ECOMCRM_TRACKING_KEY unset or "
                        + "the dev value), so anyone can forge them. Set a secret key everywhere but on a development "
                        + "machine.");
            }
            TrackingStore trackingStore = new TrackingStore(postgres);
            com.ecomcrm.api.tracking.TrackingIntake trackingIntake = new com.ecomcrm.api.tracking.TrackingIntake(
                    vertx, intakePool(vertx, config.postgres()), trackingStore, landingZone,
                    com.ecomcrm.api.tracking.TrackingIntake.settingsFrom(environment));
            TrackingHandlers tracking = new TrackingHandlers(vertx, trackingLinks, trackingStore, trackingIntake,
                    landingZone, clock, "true".equalsIgnoreCase(environment.get("ECOMCRM_TRUST_FORWARDED_FOR")));

            InitialSync initialSync = new InitialSync((shop, accessToken) -> new BulkImport(
                    new AdminApiClient(shopifyHttp, config.shopify().graphqlUrl(), shop, accessToken), landingZone,
                    jdbc(config.postgres()), clock, Duration.ofSeconds(2), Duration.ofHours(6)),
                    (shop, accessToken) -> new ShopDetailsSync(jdbc(config.postgres())).refresh(shop,
                            new AdminApiClient(shopifyHttp, config.shopify().graphqlUrl(), shop, accessToken)),
                    jdbc(config.postgres()));
            SyncTrigger imports = config.initialSync() == ApiConfig.InitialSyncMode.AUTOMATIC
                    ? SyncTrigger.automatic(initialSync)
                    : SyncTrigger.MANUAL;
            com.ecomcrm.api.flows.FlowStore flowLibrary = new com.ecomcrm.api.flows.FlowStore(postgres);
            // An installed shop has its flow library (every flow off) from the start, so the first night's insights
            // can already say which flow would reach its customers.
            SyncTrigger syncTrigger = (shop, accessToken) -> {
                flowLibrary.ensureLibrary(shop).onFailure(failure ->
                        LOG.warn("Cannot create the flow library of {}: {}", shop, failure.getMessage()));
                imports.tokenAvailable(shop, accessToken);
            };

            BillingStore billingStore = new BillingStore(postgres);
            // Test charges (no money moves) unless ECOMCRM_BILLING_TEST=false, which only production sets.
            boolean testCharges = !"false".equalsIgnoreCase(environment.get("ECOMCRM_BILLING_TEST"));
            BillingHandlers billing = new BillingHandlers(vertx, billingStore,
                    new ShopifyBilling(shopifyHttp, config.shopify().graphqlUrl()), offlineTokens, config.shopify(),
                    config.clientId(), testCharges, clock);

            WebhookIntake webhookIntake = new WebhookIntake(vertx, intakePool(vertx, config.postgres()),
                    new WebhookReceipts(), landingZone, new WebhookEffects(shopTokens,
                    new SubscriptionWebhook(billingStore), new ComplianceWebhook(postgres)),
                    WebhookIntake.settingsFrom(environment));
            ApiServer server = new ApiServer(config.host(), config.port(), new ApiServer.Handlers(
                    new SessionTokenHandler(new SessionTokenVerifier(config.clientId(), config.clientSecret(), clock)),
                    new WebhookHandler(new WebhookDeliveryCheck(new WebhookSignature(config.webhookSecrets())),
                            webhookIntake, clock),
                    new SegmentsHandler(vertx, new ClickHouseSegmentReader(serving)),
                    new InstallHandler(signedRequests, states, config.shopify(), config.clientId()),
                    new AuthCallbackHandler(vertx, signedRequests, states, accessTokens, shopTokens, webhookSetup,
                            syncTrigger, config.shopify(), config.clientId(), clock),
                    new InstallCompleteHandler(offlineTokens, webhookSetup, syncTrigger),
                    new SyncProgressHandler(postgres),
                    new SegmentMovementHandler(vertx, new ClickHouseMovementReader(serving)),
                    new KpisHandler(vertx, new ClickHouseKpiReader(serving)),
                    tracking,
                    new CustomerHandlers(vertx, new ClickHouseCustomerReader(serving)),
                    billing,
                    new DashboardRoutes(DashboardPage.fromClasspath(config.clientId())),
                    new ComplianceExportHandlers(vertx, postgres, ExportFolder.fromEnvironment(environment)),
                    EmailApi.create(vertx, postgres, new SecretCipher(config.tokenKeys()), trackingLinks, environment,
                            clock),
                    new EmailPerformanceHandler(vertx, new ClickHouseEmailPerformanceReader(serving), clock),
                    new InsightHandlers(vertx, new ClickHouseInsightReader(serving),
                            new InsightStates(postgres)),
                    new CustomerOrderHandler(vertx, new ClickHouseCustomerReader(serving),
                            new ClickHouseCustomerOrderReader(serving)),
                    new ShopHandler(new ShopProfileStore(postgres)),
                    new PrivacyPage(PrivacySettings.fromEnvironment(environment)),
                    new PlanGate(billingStore)));
            return vertx.deployVerticle(server)
                    .onSuccess(id -> {
                        if (config.initialSync() == ApiConfig.InitialSyncMode.AUTOMATIC) {
                            resumeImports(vertx, initialSync, offlineTokens);
                        }
                    })
                    .map(id -> new Application(vertx, server, postgres, clickHouse, landingZone, offlineTokens,
                            shopTokens, initialSync, List.<Supplier<Future<Void>>>of(webhookIntake::close,
                            trackingIntake::close)));
        }

        public Future<Void> close() {
            initialSync.close();
            // The intakes first: what they hold is recorded and answered before the pools and the landing zone go.
            List<Future<Void>> drained = intakes.stream().map(Supplier::get).toList();
            return Future.join(drained).transform(ignored -> vertx.close()).onComplete(done -> {
                clickHouse.close();
                landingZone.close();
            });
        }
    }

    /**
     * Unfinished initial imports of the previous process, resumed with each shop's stored token; then every other
     * imported shop catches up on what changed while the server was down.
     */
    private static void resumeImports(Vertx vertx, InitialSync initialSync, OfflineTokens tokens) {
        java.util.function.Function<com.ecomcrm.domain.ShopId, Optional<String>> stored = shop -> {
            try {
                return Optional.of(tokens.forShop(shop, Optional.empty()).toCompletionStage().toCompletableFuture()
                        .get(30, java.util.concurrent.TimeUnit.SECONDS).accessToken());
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
            catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException noToken) {
                LOG.warn("No usable token for {}: {}", shop, noToken.getMessage());
                return Optional.empty();
            }
        };
        vertx.executeBlocking(() -> {
            List<com.ecomcrm.domain.ShopId> resumed = initialSync.resumeUnfinished(stored);
            List<com.ecomcrm.domain.ShopId> caughtUp = initialSync.catchUpAll(stored);
            LOG.info("Imports at start-up: {} resumed, {} catching up on changes made while the server was down",
                    resumed.size(), caughtUp.size());
            return resumed;
        }, false);
    }

    /** Plain JDBC connections for the background imports (BulkImport is blocking code on its own threads). */
    private static Supplier<Connection> jdbc(PostgresSettings settings) {
        return () -> {
            try {
                return DriverManager.getConnection(settings.jdbcUrl(), settings.user(), settings.password());
            }
            catch (SQLException e) {
                throw new IllegalStateException("Cannot connect to PostgreSQL: " + e.getMessage(), e);
            }
        };
    }

    /**
     * An intake's own connections (one pool per intake): its transactions stay open across a landing fsync, so they
     * must not take the dashboard's connections; and they commit asynchronously (GroupCommit says why that is durable
     * enough).
     */
    static Pool intakePool(Vertx vertx, PostgresSettings settings) {
        return com.ecomcrm.api.groupcommit.GroupCommit.connections(vertx, connectOptions(settings));
    }

    private static PgConnectOptions connectOptions(PostgresSettings settings) {
        return new PgConnectOptions()
                .setHost(settings.host())
                .setPort(settings.port())
                .setDatabase(settings.database())
                .setUser(settings.user())
                .setPassword(settings.password());
    }

    static Pool postgresPool(Vertx vertx, PostgresSettings settings) {
        return PgBuilder.pool()
                .with(new PoolOptions().setMaxSize(8))
                .connectingTo(new PgConnectOptions()
                        .setHost(settings.host())
                        .setPort(settings.port())
                        .setDatabase(settings.database())
                        .setUser(settings.user())
                        .setPassword(settings.password()))
                .using(vertx)
                .build();
    }
}
