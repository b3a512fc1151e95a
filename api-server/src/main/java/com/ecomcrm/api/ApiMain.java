package com.ecomcrm.api;

import com.ecomcrm.api.analytics.ClickHouseKpiReader;
import com.ecomcrm.api.analytics.ClickHouseMovementReader;
import com.ecomcrm.api.analytics.KpisHandler;
import com.ecomcrm.api.analytics.SegmentMovementHandler;
import com.ecomcrm.api.auth.SessionTokenHandler;
import com.ecomcrm.api.auth.SessionTokenVerifier;
import com.ecomcrm.api.billing.BillingHandlers;
import com.ecomcrm.api.billing.BillingStore;
import com.ecomcrm.api.billing.ShopifyBilling;
import com.ecomcrm.api.billing.SubscriptionWebhook;
import com.ecomcrm.api.config.ApiConfig;
import com.ecomcrm.api.customers.ClickHouseCustomerReader;
import com.ecomcrm.api.customers.CustomerHandlers;
import com.ecomcrm.api.config.PostgresSettings;
import com.ecomcrm.api.install.AuthCallbackHandler;
import com.ecomcrm.api.install.InstallCompleteHandler;
import com.ecomcrm.api.install.InstallHandler;
import com.ecomcrm.api.install.OAuthStates;
import com.ecomcrm.api.install.QueryHmac;
import com.ecomcrm.api.install.SignedRequestCheck;
import com.ecomcrm.api.segments.ClickHouseSegmentReader;
import com.ecomcrm.api.segments.SegmentsHandler;
import com.ecomcrm.api.sync.SyncProgressHandler;
import com.ecomcrm.api.tokens.AccessTokenClient;
import com.ecomcrm.api.tokens.OfflineTokens;
import com.ecomcrm.api.tokens.ShopTokens;
import com.ecomcrm.api.tokens.TokenCipher;
import com.ecomcrm.api.tracking.TrackingHandlers;
import com.ecomcrm.api.tracking.TrackingStore;
import com.ecomcrm.api.webhooks.WebhookDeliveryCheck;
import com.ecomcrm.api.webhooks.WebhookHandler;
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
import java.time.Clock;
import java.time.Duration;

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
                              LandingZone landingZone, OfflineTokens offlineTokens, ShopTokens shopTokens) {
        public static Future<Application> start(Vertx vertx, ApiConfig config, ClickHouseSettings clickHouseSettings,
                                                Clock clock) {
            Pool postgres = postgresPool(vertx, config.postgres());
            ClickHouseGateway clickHouse = ClickHouseGateway.connect(clickHouseSettings);
            LandingZone landingZone = new LandingZone(new LandingLayout(config.landingDirectory()), clock);
            // Shopify's endpoints are called from worker threads; redirects are never followed (a token endpoint
            // answering 3xx is a misconfiguration to see, not to obey).
            HttpClient shopifyHttp = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                    .followRedirects(HttpClient.Redirect.NEVER).build();
            ShopTokens shopTokens = new ShopTokens(postgres, new TokenCipher(config.tokenKeys()));
            AccessTokenClient accessTokens = new AccessTokenClient(shopifyHttp, config.shopify(), config.clientId(),
                    config.clientSecret());
            OfflineTokens offlineTokens = new OfflineTokens(vertx, shopTokens, accessTokens, clock);
            WebhookSetup webhookSetup = new WebhookSetup(vertx, new WebhookRegistrar(shopifyHttp, config.shopify()),
                    shopTokens, clock);
            SignedRequestCheck signedRequests = new SignedRequestCheck(new QueryHmac(config.webhookSecrets()), clock,
                    config.shopify().timestampWindow());
            OAuthStates states = new OAuthStates(postgres, clock);
            // Same key and base URL as the sender (module jobs): ECOMCRM_TRACKING_KEY, ECOMCRM_PUBLIC_URL.
            TrackingLinks trackingLinks = TrackingLinks.fromEnv(System.getenv());
            if (trackingLinks.usesDevelopmentKey()) {
                LOG.warn("Tracking links are signed with the published development key (ECOMCRM_TRACKING_KEY unset or "
                        + "the dev value), so anyone can forge them. Set a secret key everywhere but on a development "
                        + "machine.");
            }
            TrackingHandlers tracking = new TrackingHandlers(vertx, trackingLinks, new TrackingStore(postgres),
                    landingZone, clock, "true".equalsIgnoreCase(System.getenv("ECOMCRM_TRUST_FORWARDED_FOR")));

            BillingStore billingStore = new BillingStore(postgres);
            // Test charges (no money moves) unless ECOMCRM_BILLING_TEST=false, which only production sets.
            boolean testCharges = !"false".equalsIgnoreCase(System.getenv("ECOMCRM_BILLING_TEST"));
            BillingHandlers billing = new BillingHandlers(vertx, billingStore,
                    new ShopifyBilling(shopifyHttp, config.shopify().graphqlUrl()), offlineTokens, config.shopify(),
                    config.clientId(), testCharges, clock);

            ApiServer server = new ApiServer(config.host(), config.port(), new ApiServer.Handlers(
                    new SessionTokenHandler(new SessionTokenVerifier(config.clientId(), config.clientSecret(), clock)),
                    new WebhookHandler(vertx, new WebhookDeliveryCheck(new WebhookSignature(config.webhookSecrets())),
                            new WebhookReceipts(postgres), landingZone, shopTokens, clock,
                            new SubscriptionWebhook(billingStore)),
                    new SegmentsHandler(vertx, new ClickHouseSegmentReader(clickHouse)),
                    new InstallHandler(signedRequests, states, config.shopify(), config.clientId()),
                    new AuthCallbackHandler(vertx, signedRequests, states, accessTokens, shopTokens, webhookSetup,
                            config.shopify(), config.clientId(), clock),
                    new InstallCompleteHandler(offlineTokens, webhookSetup),
                    new SyncProgressHandler(postgres),
                    new SegmentMovementHandler(vertx, new ClickHouseMovementReader(clickHouse)),
                    new KpisHandler(vertx, new ClickHouseKpiReader(clickHouse)),
                    tracking,
                    new CustomerHandlers(vertx, new ClickHouseCustomerReader(clickHouse)),
                    billing));
            return vertx.deployVerticle(server)
                    .map(id -> new Application(vertx, server, postgres, clickHouse, landingZone, offlineTokens,
                            shopTokens));
        }

        public Future<Void> close() {
            return vertx.close().onComplete(done -> {
                clickHouse.close();
                landingZone.close();
            });
        }
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
