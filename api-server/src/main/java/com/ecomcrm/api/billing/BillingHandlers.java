package com.ecomcrm.api.billing;

import com.ecomcrm.domain.QuotaMonth;
import com.ecomcrm.api.auth.SessionTokenHandler;
import com.ecomcrm.api.config.ShopifySettings;
import com.ecomcrm.api.http.ParameterException;
import com.ecomcrm.api.install.AppHome;
import com.ecomcrm.api.tokens.OfflineTokens;
import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.PlanFeature;
import com.ecomcrm.domain.ShopId;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The billing routes (Shopify Billing API, "manual pricing"; shopify-platform.md section 7):
 * <ul>
 *   <li>{@code GET /api/billing} (session token): the effective plan, the subscription (status, test, trial end,
 *   period end), a pending approval if any, this calendar month's usage in the shop's time zone against the plan's
 *   quota ({@code usage.emails_used}: the send job's own quota rule, the month's counter {@code emails_sent} plus
 *   {@code emails_sending} in flight plus {@code emails_outcome_unknown} held; see {@link BillingStore.QuotaUsage}),
 *   the sends held for quota ({@code usage.held_for_quota}: count, since, resets_at, owner_notified_at), the
 *   contacts against the plan's limit ({@code usage.contacts}, {@code contacts_limit}, {@code over_contacts_limit},
 *   {@code contacts_beyond_limit}, {@code skipped_for_contacts_limit} this month; contact: see {@link Plans}), the
 *   current plan's {@code features}, and the catalogue.</li>
 *   <li>{@code POST /api/billing/subscribe {"plan": name}} (session token): a paid plan creates a subscription with
 *   {@code appSubscriptionCreate} through the shop's offline token and answers {@code {"confirmation_url": ...}}, where
 *   the dashboard sends the merchant (top window). The plan's trial is offered only to a shop that never had an
 *   active subscription. {@code free} cancels the active subscriptions ({@code appSubscriptionCancel}) and answers
 *   {@code {"plan":"free","confirmation_url":null}}. Changing between paid plans is a new subscription: once approved,
 *   Shopify replaces the old one (replacementBehavior STANDARD) and the app marks it cancelled.</li>
 *   <li>{@code GET /billing/return?shop=...&charge_id=...}: the subscription's {@code returnUrl}. Shopify does not sign
 *   this redirect (and {@code charge_id} is not documented for the Billing API), so nothing in the query string is
 *   trusted: the app re-reads {@code currentAppInstallation.activeSubscriptions} with the shop's offline token and
 *   stores what Shopify says, then sends the merchant to the app in their admin.</li>
 * </ul>
 */
public final class BillingHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(BillingHandlers.class);

    private final Vertx vertx;
    private final BillingStore store;
    private final ShopifyBilling shopify;
    private final OfflineTokens tokens;
    private final ShopifySettings settings;
    private final String clientId;
    private final boolean testCharges;
    private final Clock clock;

    /**
     * @param testCharges {@code ECOMCRM_BILLING_TEST} (default true): create test charges, no money moves; set it to
     *                    false only in production
     */
    public BillingHandlers(Vertx vertx, BillingStore store, ShopifyBilling shopify, OfflineTokens tokens,
                           ShopifySettings settings, String clientId, boolean testCharges, Clock clock) {
        this.vertx = requireNonNull(vertx, "vertx is null");
        this.store = requireNonNull(store, "store is null");
        this.shopify = requireNonNull(shopify, "shopify is null");
        this.tokens = requireNonNull(tokens, "tokens is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.clientId = requireNonNull(clientId, "clientId is null");
        this.testCharges = testCharges;
        this.clock = requireNonNull(clock, "clock is null");
    }

    public Handler<RoutingContext> status() {
        return ctx -> status(SessionTokenHandler.identity(ctx).shop()).onSuccess(ctx::json).onFailure(ctx::fail);
    }

    public Handler<RoutingContext> subscribe() {
        return ctx -> {
            ShopId shop = SessionTokenHandler.identity(ctx).shop();
            Plans.Plan plan;
            try {
                plan = Plans.require(planParameter(ctx));
            }
            catch (DomainException e) {
                ctx.fail(e);
                return;
            }
            tokens.forShop(shop, Optional.of(SessionTokenHandler.verifiedToken(ctx)))
                    .compose(token -> plan.free() ? downgradeToFree(shop, token.accessToken())
                            : create(shop, plan, token.accessToken()))
                    .onSuccess(ctx::json).onFailure(ctx::fail);
        };
    }

    public Handler<RoutingContext> returned() {
        return ctx -> {
            ShopId shop;
            try {
                shop = ShopId.of(Optional.ofNullable(ctx.request().getParam("shop")).orElse(""));
            }
            catch (RuntimeException e) {
                ctx.fail(new ParameterException(ErrorCode.INVALID_INPUT, "shop",
                        "Cannot finish the subscription: parameter shop is not a myshopify.com domain"));
                return;
            }
            tokens.forShop(shop, Optional.empty())
                    .compose(token -> vertx.executeBlocking(() -> shopify.active(shop, token.accessToken()), false))
                    .compose(active -> record(shop, active))
                    .onSuccess(activePlan -> ctx.response().setStatusCode(302)
                            .putHeader("Location", AppHome.url(shop, Optional.empty(), clientId)
                                    + "?billing=" + URLEncoder.encode(activePlan, StandardCharsets.UTF_8))
                            .end())
                    .onFailure(ctx::fail);
        };
    }

    private static String planParameter(RoutingContext ctx) {
        JsonObject body;
        try {
            body = ctx.body() == null || ctx.body().buffer() == null || ctx.body().length() == 0 ? null
                    : ctx.body().asJsonObject();
        }
        catch (DecodeException | ClassCastException e) {
            throw new ParameterException(ErrorCode.INVALID_INPUT, "plan",
                    "Cannot change plan: the body must be a JSON object {\"plan\": name}");
        }
        Object plan = body == null ? null : body.getValue("plan");
        return plan instanceof String name ? name : null;
    }

    private Future<JsonObject> create(ShopId shop, Plans.Plan plan, String accessToken) {
        String returnUrl = settings.publicUrl() + "/billing/return?shop="
                + URLEncoder.encode(shop.domain(), StandardCharsets.UTF_8);
        return store.everActivated(shop)
                .compose(hadOne -> {
                    int trialDays = hadOne ? 0 : plan.trialDays();
                    return vertx.executeBlocking(() -> shopify.create(shop, accessToken, plan, returnUrl,
                            testCharges, trialDays), false)
                            .compose(created -> store.recordPending(shop, created.subscription().id(), plan.name(),
                                            testCharges, trialDays, created.confirmationUrl(), clock.instant())
                                    .map(done -> new JsonObject()
                                            .put("plan", plan.name())
                                            .put("subscription_id", created.subscription().id())
                                            .put("status", created.subscription().status())
                                            .put("test", testCharges)
                                            .put("trial_days", trialDays)
                                            .put("confirmation_url", created.confirmationUrl())));
                });
    }

    /** Cancels every active subscription Shopify reports (not only those the app stored), then stores the result. */
    private Future<JsonObject> downgradeToFree(ShopId shop, String accessToken) {
        return vertx.executeBlocking(() -> {
                    List<BillingStore.StatusChange> changes = new ArrayList<>();
                    for (ShopifyBilling.RemoteSubscription active : shopify.active(shop, accessToken)) {
                        String status = shopify.cancel(shop, accessToken, active.id());
                        changes.add(new BillingStore.StatusChange(active.id(), Optional.ofNullable(active.name()),
                                status, clock.instant(), Optional.empty()));
                    }
                    return changes;
                }, false)
                .compose(changes -> {
                    Future<Boolean> all = Future.succeededFuture(true);
                    for (BillingStore.StatusChange change : changes) {
                        all = all.compose(x -> store.apply(shop, change));
                    }
                    return all.map(x -> new JsonObject().put("plan", Plans.FREE).put("cancelled",
                            new JsonArray(changes.stream().map(BillingStore.StatusChange::subscriptionId).toList()))
                            .putNull("confirmation_url"));
                });
    }

    /** Stores the subscriptions Shopify reports active; answers the plan now in effect. */
    private Future<String> record(ShopId shop, List<ShopifyBilling.RemoteSubscription> active) {
        Instant now = clock.instant();
        Future<Boolean> all = Future.succeededFuture(true);
        for (ShopifyBilling.RemoteSubscription subscription : active) {
            if (!"ACTIVE".equals(subscription.status())) {
                continue;
            }
            if (subscription.test() != testCharges) {
                LOG.warn("Shop {} has a {} subscription {} while the app makes {} charges", shop,
                        subscription.test() ? "test" : "real", subscription.id(), testCharges ? "test" : "real");
            }
            all = all.compose(x -> store.apply(shop, new BillingStore.StatusChange(subscription.id(),
                    Optional.ofNullable(subscription.name()), "ACTIVE", now, subscription.currentPeriodEnd())));
        }
        return all.compose(x -> store.shop(shop)).map(BillingStore.ShopPlan::plan);
    }

    Future<JsonObject> status(ShopId shop) {
        Instant now = clock.instant();
        return store.shop(shop).compose(shopPlan -> {
            QuotaMonth quotaMonth = QuotaMonth.of(shopPlan.timezone(), now);
            ZoneId zone = quotaMonth.zone();
            ZonedDateTime monthStart = quotaMonth.start();
            ZonedDateTime nextMonth = quotaMonth.end();
            Future<Map<String, long[]>> limits = store.limits();
            // The send job's quota rule on the month's counter (keyed by the month's first day in the shop's zone).
            Future<BillingStore.QuotaUsage> used = store.quotaUsage(shop, quotaMonth.month(),
                    monthStart.toInstant());
            Future<Long> contacts = store.contacts(shop);
            Future<Optional<BillingStore.Subscription>> current = store.current(shop);
            Future<Optional<BillingStore.Subscription>> pending = store.pending(shop);
            Future<BillingStore.QuotaHold> hold = store.quotaHold(shop, monthStart.toInstant());
            Future<Long> skipped = store.skippedForContactsLimit(shop, monthStart.toInstant());
            return Future.all(List.of(limits, used, contacts, current, pending, hold, skipped)).map(done -> {
                Map<String, long[]> quota = limits.result();
                long[] mine = quota.getOrDefault(shopPlan.plan(), quota.getOrDefault(Plans.FREE, new long[]{0, 0}));
                JsonObject usage = new JsonObject()
                        .put("period_start", monthStart.toOffsetDateTime().toString())
                        .put("period_end", nextMonth.toOffsetDateTime().toString())
                        .put("time_zone", zone.getId())
                        // What the quota counts (the send job's check): SENT this month, being sent right now,
                        // and held with an unknown outcome (they may have gone out).
                        .put("emails_sent", used.result().sent())
                        .put("emails_sending", used.result().sending())
                        .put("emails_outcome_unknown", used.result().outcomeUnknown())
                        .put("emails_used", used.result().used())
                        .put("emails_limit", mine[0])
                        .put("emails_remaining", Math.max(0, mine[0] - used.result().used()))
                        .put("contacts", contacts.result())
                        .put("contacts_limit", mine[1])
                        // Over the contacts limit the flows do not email the newest contacts beyond it (jobs
                        // ContactsLimit); nothing is deleted and an upgrade lifts it.
                        .put("over_contacts_limit", contacts.result() > mine[1])
                        .put("contacts_beyond_limit", Math.max(0, contacts.result() - mine[1]))
                        .put("skipped_for_contacts_limit", skipped.result())
                        .put("over_quota", used.result().used() >= mine[0])
                        // Sends waiting for quota (nothing is dropped): they go out at resets_at or after an upgrade.
                        .put("held_for_quota", new JsonObject()
                                .put("count", hold.result().held())
                                .put("since", hold.result().since().map(Instant::toString).orElse(null))
                                .put("resets_at", nextMonth.toOffsetDateTime().toString())
                                .put("owner_notified_at", hold.result().ownerNotifiedAt().map(Instant::toString)
                                        .orElse(null)));
                JsonArray plans = new JsonArray();
                for (Plans.Plan plan : Plans.ALL) {
                    long[] limit = quota.getOrDefault(plan.name(), new long[]{0, 0});
                    plans.add(new JsonObject()
                            .put("name", plan.name())
                            .put("display_name", plan.displayName())
                            .put("price", new JsonObject().put("amount", plan.monthlyPrice().toPlainString())
                                    .put("currency_code", Plans.CURRENCY))
                            .put("interval", Plans.INTERVAL)
                            .put("trial_days", plan.trialDays())
                            .put("monthly_emails", limit[0])
                            .put("contacts", limit[1])
                            .put("features", new JsonArray(plan.features()))
                            .put("current", plan.name().equals(shopPlan.plan())));
                }
                return new JsonObject()
                        .put("shop", shop.domain())
                        .put("plan", shopPlan.plan())
                        // What the current plan includes: the dashboard shows an upgrade prompt for the rest.
                        .put("features", new JsonArray(PlanFeature.of(shopPlan.plan()).stream()
                                .map(PlanFeature::key).toList()))
                        .put("subscription", current.result().map(BillingHandlers::json).orElse(null))
                        .put("pending", pending.result().map(BillingHandlers::json).orElse(null))
                        .put("usage", usage)
                        .put("plans", plans);
            });
        });
    }

    private static JsonObject json(BillingStore.Subscription s) {
        return new JsonObject()
                .put("id", s.id())
                .put("plan", s.plan())
                .put("status", s.status())
                .put("test", s.test())
                .put("trial_days", s.trialDays())
                .put("trial_ends_at", s.trialEndsAt().map(Instant::toString).orElse(null))
                .put("activated_at", s.activatedAt().map(Instant::toString).orElse(null))
                .put("current_period_end", s.currentPeriodEnd().map(Instant::toString).orElse(null))
                .put("confirmation_url", "PENDING".equals(s.status()) ? s.confirmationUrl().orElse(null) : null);
    }
}
