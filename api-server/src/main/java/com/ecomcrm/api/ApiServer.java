package com.ecomcrm.api;

import com.ecomcrm.api.analytics.KpisHandler;
import com.ecomcrm.api.app.DashboardRoutes;
import com.ecomcrm.api.analytics.SegmentMovementHandler;
import com.ecomcrm.api.auth.SessionTokenHandler;
import com.ecomcrm.api.billing.BillingHandlers;
import com.ecomcrm.api.compliance.ComplianceExportHandlers;
import com.ecomcrm.api.customers.CustomerHandlers;
import com.ecomcrm.api.customers.CustomerOrderHandler;
import com.ecomcrm.api.templates.EmailApi;
import com.ecomcrm.api.http.ErrorResponses;
import com.ecomcrm.api.install.AuthCallbackHandler;
import com.ecomcrm.api.install.InstallCompleteHandler;
import com.ecomcrm.api.install.InstallHandler;
import com.ecomcrm.api.insights.InsightHandlers;
import com.ecomcrm.api.performance.EmailPerformanceHandler;
import com.ecomcrm.api.plans.PlanGate;
import com.ecomcrm.api.plans.PredictionParameters;
import com.ecomcrm.api.privacy.PrivacyPage;
import com.ecomcrm.api.segments.SegmentsHandler;
import com.ecomcrm.api.shop.ShopHandler;
import com.ecomcrm.api.sync.SyncProgressHandler;
import com.ecomcrm.api.tracking.TrackingHandlers;
import com.ecomcrm.api.webhooks.WebhookHandler;
import com.ecomcrm.domain.PlanFeature;
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
    /** An RFC 8058 one-click body is {@code List-Unsubscribe=One-Click}; nothing legitimate is larger than this. */
    private static final long MAX_UNSUBSCRIBE_BYTES = 4 * 1024;
    /** {@code {"plan": "growth"}}. */
    private static final long MAX_BILLING_BYTES = 4 * 1024;
    /** A template body is capped at 256 KiB by its handler; JSON escaping can double it. */
    private static final long MAX_EMAIL_API_BYTES = 600 * 1024;

    /** Every handler the route table uses. */
    public record Handlers(SessionTokenHandler sessionTokens, WebhookHandler webhooks, SegmentsHandler segments,
                           InstallHandler install, AuthCallbackHandler authCallback,
                           InstallCompleteHandler installComplete, SyncProgressHandler sync,
                           SegmentMovementHandler segmentMovement, KpisHandler kpis,
                           TrackingHandlers tracking, CustomerHandlers customers,
                           BillingHandlers billing, DashboardRoutes dashboard,
                           ComplianceExportHandlers complianceExports, EmailApi email,
                           EmailPerformanceHandler emailPerformance, InsightHandlers insights,
                           CustomerOrderHandler customerOrders, ShopHandler shop, PrivacyPage privacy,
                           PlanGate plans) {
        public Handlers {
            requireNonNull(sessionTokens, "sessionTokens is null");
            requireNonNull(webhooks, "webhooks is null");
            requireNonNull(segments, "segments is null");
            requireNonNull(install, "install is null");
            requireNonNull(authCallback, "authCallback is null");
            requireNonNull(installComplete, "installComplete is null");
            requireNonNull(sync, "sync is null");
            requireNonNull(segmentMovement, "segmentMovement is null");
            requireNonNull(kpis, "kpis is null");
            requireNonNull(tracking, "tracking is null");
            requireNonNull(customers, "customers is null");
            requireNonNull(billing, "billing is null");
            requireNonNull(dashboard, "dashboard is null");
            requireNonNull(complianceExports, "complianceExports is null");
            requireNonNull(email, "email is null");
            requireNonNull(emailPerformance, "emailPerformance is null");
            requireNonNull(insights, "insights is null");
            requireNonNull(customerOrders, "customerOrders is null");
            requireNonNull(shop, "shop is null");
            requireNonNull(privacy, "privacy is null");
            requireNonNull(plans, "plans is null");
        }
    }

    private final String host;
    private final int port;
    private final Handlers handlers;
    private HttpServer server;

    public ApiServer(String host, int port, Handlers handlers) {
        this.host = requireNonNull(host, "host is null");
        this.port = port;
        this.handlers = requireNonNull(handlers, "handlers is null");
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        ErrorResponses errors = new ErrorResponses();

        router.get("/health").handler(ctx -> ctx.json(new io.vertx.core.json.JsonObject().put("status", "UP")));

        router.route("/webhooks").method(HttpMethod.POST)
                .handler(BodyHandler.create().setBodyLimit(MAX_WEBHOOK_BYTES).setHandleFileUploads(false))
                .handler(handlers.webhooks());

        // Email tracking, reached from inside emails: the signed token in the path is the only credential.
        router.get("/t/o/:token").handler(handlers.tracking().open());
        router.route("/t/c/:token").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(handlers.tracking().click());
        router.get("/u/:token").handler(handlers.tracking().unsubscribePage());
        router.post("/u/:token")
                .handler(BodyHandler.create().setBodyLimit(MAX_UNSUBSCRIBE_BYTES).setHandleFileUploads(false))
                .handler(handlers.tracking().unsubscribe());

        // Shopify-signed browser redirects of the authorization-code grant (query-string HMAC, no session token).
        router.get("/auth/install").handler(handlers.install());
        router.get("/auth/callback").handler(handlers.authCallback());
        // The Billing API's returnUrl: not signed by Shopify; the handler re-reads the subscriptions from Shopify.
        router.get("/billing/return").handler(handlers.billing().returned());
        // The privacy policy: public, linked from the App Store listing and the dashboard's Settings.
        router.get("/privacy").handler(handlers.privacy().handler());

        // Everything under /api is called by App Bridge with a session token.
        router.route("/api/*").handler(handlers.sessionTokens());
        // Features per plan (PlanGate): refused with 403 PLAN_REQUIRED, or left out of the answer (predictions).
        PlanGate plans = handlers.plans();
        router.get("/api/segments").handler(plans.load()).handler(handlers.segments());
        router.get("/api/segments/movement").handler(plans.require(PlanFeature.SEGMENT_MOVEMENT))
                .handler(handlers.segmentMovement());
        router.get("/api/kpis").handler(handlers.kpis());
        router.get("/api/email-performance").handler(handlers.emailPerformance());
        router.get("/api/insights").handler(plans.load()).handler(handlers.insights().list());
        router.post("/api/insights/:id/dismiss").handler(handlers.insights().dismiss());
        router.post("/api/insights/:id/done").handler(handlers.insights().done());
        router.get("/api/customers").handler(plans.requireForParameters(PlanFeature.PREDICTIONS,
                PredictionParameters.ALL)).handler(handlers.customers().list());
        router.get("/api/customers.csv").handler(plans.require(PlanFeature.CSV_EXPORT))
                .handler(plans.requireForParameters(PlanFeature.PREDICTIONS, PredictionParameters.ALL))
                .handler(handlers.customers().csv());
        router.get("/api/customers/:id").handler(plans.load()).handler(handlers.customers().detail());
        router.get("/api/customers/:id/orders").handler(handlers.customerOrders());
        router.get("/api/shop").handler(handlers.shop());
        router.post("/api/install/complete").handler(handlers.installComplete());
        router.get("/api/sync").handler(handlers.sync());
        router.get("/api/billing").handler(handlers.billing().status());
        router.post("/api/billing/subscribe")
                .handler(BodyHandler.create().setBodyLimit(MAX_BILLING_BYTES).setHandleFileUploads(false))
                .handler(handlers.billing().subscribe());
        router.get("/api/compliance/exports").handler(handlers.complianceExports().list());
        router.get("/api/compliance/exports/:id").handler(handlers.complianceExports().download());
        // The email engine: flows, templates (preview, test send), settings, sender domain.
        router.routeWithRegex("/api/(flows|templates|settings|sender-domain)(/.*)?")
                .method(HttpMethod.POST).method(HttpMethod.PUT).method(HttpMethod.PATCH)
                .handler(BodyHandler.create().setBodyLimit(MAX_EMAIL_API_BYTES).setHandleFileUploads(false));
        router.get("/api/flows").handler(handlers.email().flows().list());
        router.get("/api/flows/:id").handler(handlers.email().flows().get());
        router.patch("/api/flows/:id").handler(handlers.email().flows().patch());
        router.get("/api/customers/:id/emails").handler(handlers.email().flows().customerEmails());
        router.get("/api/templates").handler(handlers.email().templates().list());
        router.post("/api/templates").handler(handlers.email().templates().create());
        router.post("/api/templates/preview").handler(handlers.email().templates().preview());
        router.get("/api/templates/:id").handler(handlers.email().templates().get());
        router.put("/api/templates/:id").handler(handlers.email().templates().update());
        router.get("/api/templates/:id/versions").handler(handlers.email().templates().versions());
        router.get("/api/templates/:id/versions/:version").handler(handlers.email().templates().version());
        router.post("/api/templates/:id/test-send").handler(handlers.email().templates().testSend());
        router.get("/api/merge-tags").handler(handlers.email().templates().mergeTags());
        router.get("/api/settings").handler(handlers.email().settings().get());
        router.put("/api/settings").handler(plans.load()).handler(handlers.email().settings().put());
        router.get("/api/sender-domain").handler(handlers.email().settings().senderDomain().get());
        router.put("/api/sender-domain").handler(plans.require(PlanFeature.OWN_SENDER_DOMAIN))
                .handler(handlers.email().settings().senderDomain().put());
        router.post("/api/sender-domain/verify").handler(plans.require(PlanFeature.OWN_SENDER_DOMAIN))
                .handler(handlers.email().settings().senderDomain().verify());

        // The embedded dashboard (single-page app) under /app/, and / sending Shopify's app URL there.
        handlers.dashboard().mount(router);

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
