package com.ecomcrm.api.billing;

import com.ecomcrm.domain.ShopId;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Billing state in PostgreSQL: {@code app_subscriptions} (V7), {@code shops.plan} (the effective plan the send job
 * reads), {@code plan_limits} (V6), and the usage counts. Every statement is keyed by the shop.
 *
 * <p>{@code shops.plan} is never set directly: after each change it is recomputed as the plan of the shop's newest
 * {@code ACTIVE} subscription, else {@code free}. So a cancellation of a subscription that was already replaced does
 * not drop the shop to free, and a {@code FROZEN} subscription counts as free until Shopify reports it active again.
 */
public final class BillingStore {
    /** The contact condition on {@code consent c}: the same text as jobs {@code ContactsLimit.CONTACT}. */
    static final String CONTACT = "c.marketing_state = 'SUBSCRIBED' AND c.email IS NOT NULL AND c.email <> '' "
            + "AND NOT EXISTS (SELECT 1 FROM suppressions x WHERE x.shop_domain = c.shop_domain AND x.email = c.email)";

    private final Pool postgres;

    public BillingStore(Pool postgres) {
        this.postgres = requireNonNull(postgres, "postgres is null");
    }

    /** The shop's row: its plan (free when absent or unknown) and time zone (empty when unset). */
    public record ShopPlan(String plan, Optional<String> timezone) {
    }

    /** One stored subscription. */
    public record Subscription(String id, String plan, String status, boolean test, int trialDays,
                               Optional<String> confirmationUrl, Optional<Instant> activatedAt,
                               Optional<Instant> trialEndsAt, Optional<Instant> currentPeriodEnd, Instant statusAt) {
    }

    /** A status change reported by Shopify: {@code at} is when it was true there. */
    public record StatusChange(String subscriptionId, Optional<String> subscriptionName, String status, Instant at,
                               Optional<Instant> currentPeriodEnd) {
        public StatusChange {
            requireNonNull(subscriptionId, "subscriptionId is null");
            requireNonNull(subscriptionName, "subscriptionName is null");
            requireNonNull(status, "status is null");
            requireNonNull(at, "at is null");
            requireNonNull(currentPeriodEnd, "currentPeriodEnd is null");
        }
    }

    public Future<ShopPlan> shop(ShopId shop) {
        return postgres.preparedQuery("SELECT plan, timezone FROM shops WHERE shop_domain = $1")
                .execute(Tuple.of(shop.domain()))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return new ShopPlan(Plans.FREE, Optional.empty());
                    }
                    Row row = rows.iterator().next();
                    return new ShopPlan(Plans.orFree(row.getString("plan")).name(),
                            Optional.ofNullable(row.getString("timezone")).filter(s -> !s.isBlank()));
                });
    }

    /** plan -> (monthly_emails, contacts). */
    public Future<Map<String, long[]>> limits() {
        return postgres.query("SELECT plan, monthly_emails, contacts FROM plan_limits").execute().map(rows -> {
            Map<String, long[]> limits = new LinkedHashMap<>();
            rows.forEach(row -> limits.put(row.getString("plan"), new long[]{row.getLong("monthly_emails"),
                    row.getLong("contacts")}));
            return limits;
        });
    }

    /**
     * What counts against the plan's monthly quota right now, by the send job's own rule (jobs
     * {@code SendingRules.monthlyUsage}, the same three terms), so the dashboard and the send job never disagree:
     *
     * @param sent           the shop's counter for the quota month ({@code shop_monthly_sends}, V16): non-test sends
     *                       SENT in that month in the shop's time zone, added to by the send job in the statement
     *                       that marks them SENT (the ledger's sent_at rows are never counted: the counter is the
     *                       quota)
     * @param sending        non-test sends a worker is sending right now (claimed, SENDING)
     * @param outcomeUnknown non-test sends held this month because they may or may not have gone out
     */
    public record QuotaUsage(long sent, long sending, long outcomeUnknown) {
        /** What the quota check counts: a send whose fate is open is counted as if it went out. */
        public long used() {
            return sent + sending + outcomeUnknown;
        }
    }

    /**
     * The quota usage of the month whose first day (in the shop's time zone) is {@code month} and first instant
     * {@code monthStart}; see {@link QuotaUsage}.
     */
    public Future<QuotaUsage> quotaUsage(ShopId shop, LocalDate month, Instant monthStart) {
        return postgres.preparedQuery("SELECT "
                        + "coalesce((SELECT sent FROM shop_monthly_sends WHERE shop_domain = $1 AND month = $2), 0) "
                        + "AS sent, "
                        + "(SELECT count(*) FROM sends WHERE shop_domain = $1 AND status = 'SENDING' AND NOT is_test) "
                        + "AS sending, "
                        + "(SELECT count(*) FROM sends WHERE shop_domain = $1 AND status = 'HELD' "
                        + "AND skip_reason IN ('lease_expired_outcome_unknown', 'smtp_outcome_unknown') "
                        + "AND NOT is_test AND updated_at >= $3) AS outcome_unknown")
                .execute(Tuple.of(shop.domain(), month, utc(monthStart)))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new QuotaUsage(row.getLong("sent"), row.getLong("sending"), row.getLong("outcome_unknown"));
                });
    }

    /**
     * Sends the send job holds because the quota is used up: how many, since when (the oldest hold), and when the
     * owner was emailed about it in the quota period starting at {@code periodStart} (jobs QuotaNotices, V13).
     */
    public record QuotaHold(long held, Optional<Instant> since, Optional<Instant> ownerNotifiedAt) {
        public QuotaHold {
            requireNonNull(since, "since is null");
            requireNonNull(ownerNotifiedAt, "ownerNotifiedAt is null");
        }
    }

    public Future<QuotaHold> quotaHold(ShopId shop, Instant periodStart) {
        Future<Row> held = postgres.preparedQuery("SELECT count(*) AS held, min(updated_at) AS since FROM sends "
                        + "WHERE shop_domain = $1 AND status = 'HELD' AND skip_reason = 'quota'")
                .execute(Tuple.of(shop.domain())).map(rows -> rows.iterator().next());
        Future<Optional<Instant>> notified = postgres.preparedQuery("SELECT sent_at FROM quota_notices "
                        + "WHERE shop_domain = $1 AND period_start = $2 AND status = 'SENT'")
                .execute(Tuple.of(shop.domain(), utc(periodStart)))
                .map(rows -> rows.size() == 0 ? Optional.<Instant>empty()
                        : instant(rows.iterator().next().getOffsetDateTime("sent_at")));
        return Future.all(held, notified).map(done -> new QuotaHold(held.result().getLong("held"),
                instant(held.result().getOffsetDateTime("since")), notified.result()));
    }

    /**
     * Contacts: the shop's customers the flows can email, as the send job counts them (jobs {@code ContactsLimit}):
     * a {@code consent} row with an email address, marketing state {@code SUBSCRIBED}, the address not suppressed.
     * Customers who never agreed to marketing, unsubscribed, bounced or were redacted are not contacts. PostgreSQL
     * rather than the ClickHouse publication because it is current to the last webhook, not to the last nightly
     * publish.
     */
    public Future<Long> contacts(ShopId shop) {
        return postgres.preparedQuery("SELECT count(*) FROM consent c WHERE c.shop_domain = $1 AND " + CONTACT)
                .execute(Tuple.of(shop.domain()))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /** Flow sends the send job skipped ({@code contacts_limit}) since {@code from}: contacts beyond the limit. */
    public Future<Long> skippedForContactsLimit(ShopId shop, Instant from) {
        return postgres.preparedQuery("SELECT count(*) FROM sends WHERE shop_domain = $1 AND status = 'SKIPPED' "
                        + "AND skip_reason = 'contacts_limit' AND updated_at >= $2")
                .execute(Tuple.of(shop.domain(), utc(from)))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /** The shop's subscription that matters most: the newest ACTIVE one, else the newest of any status. */
    public Future<Optional<Subscription>> current(ShopId shop) {
        return postgres.preparedQuery("SELECT * FROM app_subscriptions WHERE shop_domain = $1 "
                        + "ORDER BY (status = 'ACTIVE') DESC, status_at DESC, created_at DESC LIMIT 1")
                .execute(Tuple.of(shop.domain()))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(subscription(rows.iterator().next())));
    }

    /** The newest PENDING subscription, when the merchant has not approved or declined it yet. */
    public Future<Optional<Subscription>> pending(ShopId shop) {
        return postgres.preparedQuery("SELECT * FROM app_subscriptions WHERE shop_domain = $1 AND status = 'PENDING' "
                        + "ORDER BY created_at DESC LIMIT 1")
                .execute(Tuple.of(shop.domain()))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(subscription(rows.iterator().next())));
    }

    /** Whether the shop ever had a subscription activated (a trial is granted only once per shop). */
    public Future<Boolean> everActivated(ShopId shop) {
        return postgres.preparedQuery("SELECT 1 FROM app_subscriptions WHERE shop_domain = $1 "
                        + "AND activated_at IS NOT NULL LIMIT 1")
                .execute(Tuple.of(shop.domain())).map(rows -> rows.size() > 0);
    }

    public Future<Void> recordPending(ShopId shop, String subscriptionId, String plan, boolean test, int trialDays,
                                      String confirmationUrl, Instant at) {
        return postgres.preparedQuery("""
                        INSERT INTO app_subscriptions (shop_domain, subscription_id, plan, status, test, trial_days,
                                                       confirmation_url, status_at)
                        VALUES ($1, $2, $3, 'PENDING', $4, $5, $6, $7)
                        ON CONFLICT (shop_domain, subscription_id) DO NOTHING""")
                .execute(Tuple.of(shop.domain(), subscriptionId, plan, test, trialDays, confirmationUrl, utc(at)))
                .mapEmpty();
    }

    /**
     * Applies a status Shopify reported, unless the stored one is newer; then recomputes {@code shops.plan}.
     * Idempotent: the same change twice leaves the same state. A subscription the app has no row for is recorded with
     * the plan its name maps to (free when none does, so it never grants anything).
     *
     * @return whether the change was applied
     */
    public Future<Boolean> apply(ShopId shop, StatusChange change) {
        String status = change.status().toUpperCase(java.util.Locale.ROOT);
        return postgres.withTransaction(conn -> conn.preparedQuery("SELECT status_at FROM app_subscriptions "
                                + "WHERE shop_domain = $1 AND subscription_id = $2 FOR UPDATE")
                .execute(Tuple.of(shop.domain(), change.subscriptionId()))
                .compose(rows -> {
                    if (rows.size() > 0) {
                        Instant stored = rows.iterator().next().getOffsetDateTime("status_at").toInstant();
                        if (change.at().isBefore(stored)) {
                            return Future.succeededFuture(false);
                        }
                        return update(conn, shop, change, status).map(true);
                    }
                    String plan = change.subscriptionName().flatMap(Plans::bySubscriptionName).map(Plans.Plan::name)
                            .orElse(Plans.FREE);
                    return conn.preparedQuery("""
                                    INSERT INTO app_subscriptions (shop_domain, subscription_id, plan, status, test,
                                                                   status_at)
                                    VALUES ($1, $2, $3, $4, false, $5)""")
                            .execute(Tuple.of(shop.domain(), change.subscriptionId(), plan, status, utc(change.at())))
                            .compose(inserted -> update(conn, shop, change, status)).map(true);
                })
                .compose(applied -> applied ? recomputePlan(conn, shop).map(true) : Future.succeededFuture(false)));
    }

    /**
     * The app was uninstalled: Shopify cancels its subscriptions and, the webhook subscriptions being gone, may never
     * say so. Every ACTIVE, FROZEN or PENDING subscription is marked CANCELLED and the shop drops to free, so a
     * reinstall starts from the free plan and can subscribe again.
     */
    public Future<Void> uninstalled(ShopId shop, Instant at) {
        return postgres.withTransaction(conn -> conn.preparedQuery("""
                                UPDATE app_subscriptions SET status = 'CANCELLED', status_at = $2, updated_at = now()
                                WHERE shop_domain = $1 AND status IN ('ACTIVE', 'FROZEN', 'PENDING', 'ACCEPTED')
                                  AND status_at <= $2""")
                .execute(Tuple.of(shop.domain(), utc(at)))
                .compose(done -> recomputePlan(conn, shop)));
    }

    private static Future<Void> update(SqlConnection conn, ShopId shop, StatusChange change, String status) {
        OffsetDateTime at = utc(change.at());
        Future<Void> updated = conn.preparedQuery("""
                        UPDATE app_subscriptions SET status = $3, status_at = $4,
                               activated_at = CASE WHEN $3 = 'ACTIVE' THEN COALESCE(activated_at, $4) ELSE activated_at END,
                               trial_ends_at = CASE WHEN $3 = 'ACTIVE' AND trial_days > 0
                                                    THEN COALESCE(activated_at, $4) + make_interval(days => trial_days)
                                                    ELSE trial_ends_at END,
                               current_period_end = COALESCE($5, current_period_end), updated_at = now()
                        WHERE shop_domain = $1 AND subscription_id = $2""")
                .execute(Tuple.of(shop.domain(), change.subscriptionId(), status, at,
                        change.currentPeriodEnd().map(BillingStore::utc).orElse(null)))
                .mapEmpty();
        if (!status.equals("ACTIVE")) {
            return updated;
        }
        // A shop has one active recurring subscription: approving a new one replaces the old (Shopify cancels it and
        // sends its own webhook, which then finds the row already cancelled).
        return updated.compose(done -> conn.preparedQuery("""
                        UPDATE app_subscriptions SET status = 'CANCELLED', status_at = $3, updated_at = now()
                        WHERE shop_domain = $1 AND subscription_id <> $2 AND status = 'ACTIVE' AND status_at <= $3""")
                .execute(Tuple.of(shop.domain(), change.subscriptionId(), at)).mapEmpty());
    }

    private static Future<Void> recomputePlan(SqlConnection conn, ShopId shop) {
        return conn.preparedQuery("""
                        UPDATE shops SET plan = COALESCE((SELECT plan FROM app_subscriptions
                                                          WHERE shop_domain = $1 AND status = 'ACTIVE'
                                                          ORDER BY status_at DESC LIMIT 1), 'free'),
                                         updated_at = now()
                        WHERE shop_domain = $1""")
                .execute(Tuple.of(shop.domain())).mapEmpty();
    }

    private static Subscription subscription(Row row) {
        return new Subscription(row.getString("subscription_id"), row.getString("plan"), row.getString("status"),
                row.getBoolean("test"), row.getInteger("trial_days"),
                Optional.ofNullable(row.getString("confirmation_url")),
                instant(row.getOffsetDateTime("activated_at")), instant(row.getOffsetDateTime("trial_ends_at")),
                instant(row.getOffsetDateTime("current_period_end")),
                row.getOffsetDateTime("status_at").toInstant());
    }

    private static Optional<Instant> instant(OffsetDateTime value) {
        return Optional.ofNullable(value).map(OffsetDateTime::toInstant);
    }

    static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
