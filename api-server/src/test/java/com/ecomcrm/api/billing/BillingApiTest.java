package com.ecomcrm.api.billing;

import com.ecomcrm.api.ApiMain;
import com.ecomcrm.api.config.ApiConfig;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.schema.ClickHouseTarget;
import com.ecomcrm.schema.PostgresTarget;
import com.ecomcrm.schema.SchemaMigrator;
import com.ecomcrm.testing.session.SessionTokens;
import com.ecomcrm.testing.shopify.SimulatedBilling;
import com.ecomcrm.testing.shopify.SimulatedShops;
import com.ecomcrm.testing.shopify.SimulatedWebhook;
import com.ecomcrm.testing.shopify.WebhookSender;
import com.ecomcrm.testing.shopify.SimulatorServer;
import com.ecomcrm.testing.shopify.StoreGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Billing end to end: the API server as deployed on the real PostgreSQL, Shopify's Billing API played by the
 * in-process simulator, the merchant's browser played by a client that follows each redirect by hand.
 */
class BillingApiTest {
    private static final String CLIENT_ID = "billing-test-client-id";
    private static final String SECRET = "billing-test-client-secret";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final SessionTokens SESSIONS = new SessionTokens(CLIENT_ID, SECRET, Clock.systemUTC());
    private static final List<ShopId> SHOPS = List.of("life", "usage", "hooks", "bad", "a", "b", "gone", "held", "calm", "quota",
                    "quota-other", "new-year").stream()
            .map(name -> ShopId.of("bill-" + RUN + "-" + name + ".myshopify.com")).toList();

    @TempDir
    static Path landing;

    private static SimulatorServer simulator;
    private static ApiMain.Application application;
    private static String base;
    private static ApiConfig config;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        SchemaMigrator.migrateAll(PostgresTarget.fromEnv(), ClickHouseTarget.fromEnv());
        Vertx vertx = Vertx.vertx();
        simulator = new SimulatorServer(SHOPS.stream().map(shop -> new SimulatorServer.ShopAccount(
                        StoreGenerator.generate(11, shop, 2), "shpat_static_" + shop.handle())).toList(),
                SimulatorServer.Options.defaults().withPort(0).withApp(CLIENT_ID, SECRET));
        simulator.deployOn(vertx).await();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        base = "http://127.0.0.1:" + port;
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("ECOMCRM_API_PORT", Integer.toString(port));
        env.put("SHOPIFY_API_KEY", CLIENT_ID);
        env.put("SHOPIFY_API_SECRET", SECRET);
        env.put("ECOMCRM_LANDING_DIR", landing.toString());
        env.put("ECOMCRM_TOKEN_KEYS", "t1:" + Base64.getEncoder().encodeToString(new byte[32]));
        env.put("ECOMCRM_SHOPIFY_ADMIN_BASE", simulator.adminBaseTemplate());
        env.put("ECOMCRM_SHOPIFY_ADMIN_URL", simulator.adminUrlTemplate());
        env.put("ECOMCRM_PUBLIC_URL", base);
        config = ApiConfig.from(env);
        application = ApiMain.Application.start(vertx, config, ClickHouseSettings.fromEnvironment(),
                Clock.systemUTC()).await();
        for (ShopId shop : SHOPS) {
            // Installed: an offline token stored (token exchange against the simulator), shops row present.
            application.offlineTokens().forShop(shop, Optional.of(SESSIONS.issue(shop))).await();
        }
    }

    @AfterAll
    static void stop() {
        if (application != null) {
            application.close().await();
        }
    }

    @Test
    void subscribeApproveReturnActivatesThenUpgradeReplacesAndFreeCancels() throws Exception {
        ShopId shop = SHOPS.get(0);
        JsonNode before = billing(shop);
        assertThat(before.get("plan").asText()).isEqualTo("free");
        assertThat(before.get("subscription").isNull()).isTrue();

        JsonNode created = subscribe(shop, "starter");
        assertThat(created.get("test").asBoolean()).isTrue();
        assertThat(created.get("trial_days").asInt()).isEqualTo(14);
        String confirmation = created.get("confirmation_url").asText();
        assertThat(confirmation).startsWith(simulator.baseUrl() + "/shops/" + shop.domain() + "/admin/charges/");
        JsonNode pending = billing(shop);
        assertThat(pending.get("plan").asText()).isEqualTo("free");
        assertThat(pending.at("/pending/plan").asText()).isEqualTo("starter");
        assertThat(pending.at("/pending/confirmation_url").asText()).isEqualTo(confirmation);
        SimulatedBilling.View remote = simulator.appSubscriptions(shop).get(0);
        assertThat(remote.name()).isEqualTo("Starter");
        assertThat(new java.math.BigDecimal(remote.amount())).isEqualByComparingTo("19");
        assertThat(remote.test()).isTrue();
        assertThat(remote.trialDays()).isEqualTo(14);
        assertThat(remote.returnUrl()).isEqualTo(base + "/billing/return?shop=" + shop.domain());

        approveAndReturn(shop, confirmation);
        JsonNode active = billing(shop);
        assertThat(active.get("plan").asText()).isEqualTo("starter");
        assertThat(active.at("/subscription/status").asText()).isEqualTo("ACTIVE");
        assertThat(active.at("/subscription/id").asText()).isEqualTo(created.get("subscription_id").asText());
        Instant trialEnd = Instant.parse(active.at("/subscription/trial_ends_at").asText());
        assertThat(trialEnd).isBetween(Instant.now().plus(Duration.ofDays(13)), Instant.now().plus(Duration.ofDays(15)));
        assertThat(active.get("pending").isNull()).isTrue();
        assertThat(active.at("/usage/emails_limit").asLong()).isEqualTo(10000);
        assertThat(shopsPlan(shop)).isEqualTo("starter");

        // Upgrade: a new subscription (no second trial); once approved it replaces the old one.
        JsonNode upgrade = subscribe(shop, "growth");
        assertThat(upgrade.get("trial_days").asInt()).isZero();
        approveAndReturn(shop, upgrade.get("confirmation_url").asText());
        assertThat(billing(shop).get("plan").asText()).isEqualTo("growth");
        assertThat(subscriptionStatus(shop, created.get("subscription_id").asText())).isEqualTo("CANCELLED");
        assertThat(simulator.appSubscriptions(shop)).extracting(SimulatedBilling.View::status)
                .containsExactly("CANCELLED", "ACTIVE");

        // Downgrade to free: the active subscription is cancelled at Shopify and here.
        JsonNode free = subscribe(shop, "FREE");
        assertThat(free.get("plan").asText()).isEqualTo("free");
        assertThat(free.get("confirmation_url").isNull()).isTrue();
        assertThat(simulator.appSubscriptions(shop)).extracting(SimulatedBilling.View::status)
                .containsExactly("CANCELLED", "CANCELLED");
        assertThat(billing(shop).get("plan").asText()).isEqualTo("free");
        assertThat(shopsPlan(shop)).isEqualTo("free");
    }

    @Test
    void aDeclinedChargeLeavesThePlanAndTheReturnUrlTrustsShopifyNotTheQueryString() throws Exception {
        ShopId shop = SHOPS.get(3);
        String confirmation = subscribe(shop, "pro").get("confirmation_url").asText();
        HttpResponse<String> declined = get(confirmation + "&decline=1");
        assertThat(declined.statusCode()).isEqualTo(302);
        // Someone calls the return URL anyway, with a charge_id: Shopify reports nothing active, so nothing changes.
        String charge = confirmation.replaceAll(".*/charges/([0-9]+)/.*", "$1");
        HttpResponse<String> forged = get(base + "/billing/return?shop=" + shop.domain() + "&charge_id=" + charge);
        assertThat(forged.statusCode()).isEqualTo(302);
        assertThat(billing(shop).get("plan").asText()).isEqualTo("free");
        assertThat(shopsPlan(shop)).isEqualTo("free");
    }

    @Test
    void billingReportsThisMonthsSentEmailsInTheShopsTimeZoneAndContactsAgainstTheQuota() throws Exception {
        ShopId shop = SHOPS.get(1);
        ZoneId zone = ZoneId.of("Pacific/Auckland");
        sql("UPDATE shops SET timezone = $2 WHERE shop_domain = $1", shop.domain(), zone.getId());
        ZonedDateTime monthStart = ZonedDateTime.now(zone).toLocalDate().withDayOfMonth(1).atStartOfDay(zone);
        insertSend(shop, "SENT", false, monthStart.plusMinutes(1));
        insertSend(shop, "SENT", false, monthStart.plusMinutes(2));
        insertSend(shop, "SENT", false, ZonedDateTime.now(zone).minusSeconds(5));
        insertSend(shop, "SENT", false, monthStart.minusMinutes(1)); // last month, in the shop's zone
        insertSend(shop, "SENT", true, monthStart.plusMinutes(3));   // a test send does not count
        insertSend(shop, "SCHEDULED", false, null);
        for (int i = 1; i <= 4; i++) {
            sql("INSERT INTO consent (shop_domain, customer_id, email, marketing_state, updated_at) "
                    + "VALUES ($1, $2, $3, $4, now())", shop.domain(), (long) i, "c" + i + "@example.com",
                    i == 4 ? "REDACTED" : "SUBSCRIBED");
        }

        JsonNode body = billing(shop);

        assertThat(body.get("plan").asText()).isEqualTo("free");
        JsonNode usage = body.get("usage");
        assertThat(usage.get("time_zone").asText()).isEqualTo("Pacific/Auckland");
        assertThat(OffsetDateTime.parse(usage.get("period_start").asText()).toInstant())
                .isEqualTo(monthStart.toInstant());
        assertThat(usage.get("emails_sent").asLong()).isEqualTo(3);
        assertThat(usage.get("emails_limit").asLong()).isEqualTo(500);
        assertThat(usage.get("emails_remaining").asLong()).isEqualTo(497);
        assertThat(usage.get("contacts").asLong()).isEqualTo(3);
        assertThat(usage.get("contacts_limit").asLong()).isEqualTo(250);
        assertThat(usage.get("over_quota").asBoolean()).isFalse();
        assertThat(body.get("plans")).extracting(p -> p.get("name").asText())
                .containsExactly("free", "starter", "growth", "pro");
        assertThat(body.at("/plans/3/price/amount").asText()).isEqualTo("149.00");
        assertThat(body.at("/plans/3/monthly_emails").asLong()).isEqualTo(250000);
        assertThat(body.at("/plans/0/current").asBoolean()).isTrue();
    }

    @Test
    void usageCountsWhatTheSendJobsQuotaCountsTheMonthsCounterInFlightSendsAndThoseOfUnknownOutcomeOnlyForItsShop()
            throws Exception {
        ShopId shop = SHOPS.get(9);
        ShopId other = SHOPS.get(10);
        java.time.LocalDate month = java.time.LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1);
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        OffsetDateTime lastMonth = month.minusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC);
        // The month's counter is the quota's count of SENT emails; last month's is another key.
        count(shop, month, 7);
        count(shop, month.minusMonths(1), 480);
        // Two being sent right now count (a worker has them); a test send never does.
        insertSend(shop, "SENDING", null, false, now);
        insertSend(shop, "SENDING", null, false, now);
        insertSend(shop, "SENDING", null, true, now);
        // Held this month because they may have gone out: counted; one held last month is last month's.
        insertSend(shop, "HELD", "lease_expired_outcome_unknown", false, now);
        insertSend(shop, "HELD", "smtp_outcome_unknown", false, now);
        insertSend(shop, "HELD", "smtp_outcome_unknown", false, lastMonth);
        // Held for quota: waiting, not used (reported under held_for_quota); scheduled ones are not used yet.
        insertSend(shop, "HELD", "quota", false, now);
        insertSend(shop, "SCHEDULED", null, false, now);
        // Another shop's everything.
        count(other, month, 400);
        insertSend(other, "SENDING", null, false, now);
        insertSend(other, "HELD", "lease_expired_outcome_unknown", false, now);

        JsonNode usage = billing(shop).get("usage");

        assertThat(usage.get("emails_sent").asLong()).isEqualTo(7);
        assertThat(usage.get("emails_sending").asLong()).isEqualTo(2);
        assertThat(usage.get("emails_outcome_unknown").asLong()).isEqualTo(2);
        assertThat(usage.get("emails_used").asLong()).isEqualTo(11);
        assertThat(usage.get("emails_remaining").asLong()).isEqualTo(500 - 11);
        assertThat(usage.get("over_quota").asBoolean()).isFalse();
        assertThat(usage.at("/held_for_quota/count").asLong()).isEqualTo(1);
        JsonNode others = billing(other).get("usage");
        assertThat(others.get("emails_used").asLong()).isEqualTo(402);
        assertThat(others.get("emails_sending").asLong()).isEqualTo(1);

        // Used up by what is in flight: over quota although the counter alone is under it (the send job holds).
        count(shop, month, 500 - 11);
        JsonNode full = billing(shop).get("usage");
        assertThat(full.get("emails_sent").asLong()).isEqualTo(496);
        assertThat(full.get("emails_remaining").asLong()).isZero();
        assertThat(full.get("over_quota").asBoolean()).isTrue();
    }

    @Test
    void theQuotaMonthTurnsAtMidnightOnTheFirstInTheShopsTimeZoneNotInUtc() throws Exception {
        ShopId shop = SHOPS.get(11);
        sql("UPDATE shops SET timezone = $2 WHERE shop_domain = $1", shop.domain(), " Pacific/Auckland ");
        // 2026-11-30 11:00 UTC is midnight of 1 December in Auckland (UTC+13 in summer).
        Instant midnight = Instant.parse("2026-11-30T11:00:00Z");
        count(shop, java.time.LocalDate.parse("2026-11-01"), 40);
        count(shop, java.time.LocalDate.parse("2026-12-01"), 3);
        // Held (outcome unknown) at 23:50 on 30 November, local time: November's.
        insertSend(shop, "HELD", "smtp_outcome_unknown", false, OffsetDateTime.parse("2026-11-30T10:50:00Z"));

        JsonNode november = JSON.readTree(statusAt(shop, midnight.minusSeconds(60)).encode()).get("usage");
        JsonNode december = JSON.readTree(statusAt(shop, midnight).encode()).get("usage");

        assertThat(november.get("time_zone").asText()).isEqualTo("Pacific/Auckland");
        assertThat(november.get("period_start").asText()).isEqualTo("2026-11-01T00:00+13:00");
        assertThat(november.get("emails_sent").asLong()).isEqualTo(40);
        assertThat(november.get("emails_used").asLong()).isEqualTo(41);
        assertThat(december.get("period_start").asText()).isEqualTo("2026-12-01T00:00+13:00");
        assertThat(december.get("period_end").asText()).isEqualTo("2027-01-01T00:00+13:00");
        assertThat(december.get("emails_sent").asLong()).isEqualTo(3);
        assertThat(december.get("emails_used").asLong()).isEqualTo(3);
    }

    /** {@code GET /api/billing}'s answer as it would be at {@code at} (a billing handler on a fixed clock). */
    private static io.vertx.core.json.JsonObject statusAt(ShopId shop, Instant at) {
        BillingHandlers handlers = new BillingHandlers(application.vertx(), new BillingStore(application.postgres()),
                new ShopifyBilling(HTTP, "http://127.0.0.1:1/unused"), application.offlineTokens(), config.shopify(),
                CLIENT_ID, true, Clock.fixed(at, ZoneOffset.UTC));
        return handlers.status(shop).await();
    }

    @Test
    void billingReportsTheSendsHeldForQuotaSinceWhenWhenTheyResumeAndWhenTheOwnerWasToldOnlyForItsShop()
            throws Exception {
        ShopId held = SHOPS.get(7);
        ShopId calm = SHOPS.get(8);
        ZoneId zone = ZoneId.of("America/New_York");
        sql("UPDATE shops SET timezone = $2 WHERE shop_domain = $1", held.domain(), zone.getId());
        ZonedDateTime monthStart = ZonedDateTime.now(zone).toLocalDate().withDayOfMonth(1).atStartOfDay(zone);
        OffsetDateTime firstHeld = OffsetDateTime.now(ZoneOffset.UTC).minusHours(5).withNano(0);
        for (int i = 0; i < 3; i++) {
            String key = UUID.randomUUID().toString();
            sql("INSERT INTO sends (shop_domain, email, trigger_key, idempotency_key, status, skip_reason, due_at, "
                    + "updated_at) VALUES ($1, 'x@example.com', $2, $2, 'HELD', 'quota', now(), $3)",
                    held.domain(), key, firstHeld.plusHours(i));
        }
        // Held for review (outcome unknown) is not a quota hold: not counted.
        sql("INSERT INTO sends (shop_domain, email, trigger_key, idempotency_key, status, skip_reason, due_at) "
                + "VALUES ($1, 'x@example.com', $2, $2, 'HELD', 'smtp_outcome_unknown', now())", held.domain(),
                UUID.randomUUID().toString());
        OffsetDateTime told = firstHeld.plusMinutes(1);
        sql("INSERT INTO quota_notices (shop_domain, period_start, period_end, plan, monthly_emails, held_count, "
                + "held_since, status, message_id, sent_at) VALUES ($1, $2, $3, 'free', 500, 1, $4, 'SENT', "
                + "'<n@x>', $5)", held.domain(), monthStart.toOffsetDateTime(),
                monthStart.plusMonths(1).toOffsetDateTime(), firstHeld, told);

        JsonNode hold = billing(held).at("/usage/held_for_quota");
        assertThat(hold.get("count").asLong()).isEqualTo(3);
        assertThat(Instant.parse(hold.get("since").asText())).isEqualTo(firstHeld.toInstant());
        assertThat(OffsetDateTime.parse(hold.get("resets_at").asText()).toInstant())
                .isEqualTo(monthStart.plusMonths(1).toInstant());
        assertThat(hold.get("resets_at").asText()).startsWith(monthStart.plusMonths(1).toLocalDate().toString());
        assertThat(Instant.parse(hold.get("owner_notified_at").asText())).isEqualTo(told.toInstant());

        JsonNode other = billing(calm).at("/usage/held_for_quota");
        assertThat(other.get("count").asLong()).isZero();
        assertThat(other.get("since").isNull()).isTrue();
        assertThat(other.get("owner_notified_at").isNull()).isTrue();
    }

    @Test
    void aCancelledWebhookDropsToFreeAndAnOlderUpdateArrivingLaterChangesNothing() throws Exception {
        ShopId shop = SHOPS.get(2);
        JsonNode created = subscribe(shop, "pro");
        String id = created.get("subscription_id").asText();
        approveAndReturn(shop, created.get("confirmation_url").asText());
        assertThat(shopsPlan(shop)).isEqualTo("pro");
        URI webhooks = URI.create(base + "/webhooks");
        Instant now = Instant.now();

        assertThat(simulator.deliverAppSubscriptionUpdate(shop, id, "CANCELLED", now.plusSeconds(2), webhooks))
                .isEqualTo(200);
        assertThat(shopsPlan(shop)).isEqualTo("free");
        assertThat(billing(shop).at("/subscription/status").asText()).isEqualTo("CANCELLED");

        // The ACTIVE event of an hour ago, delivered late: older than what is stored, so ignored.
        assertThat(simulator.deliverAppSubscriptionUpdate(shop, id, "ACTIVE", now.minus(Duration.ofHours(1)),
                webhooks)).isEqualTo(200);
        assertThat(shopsPlan(shop)).isEqualTo("free");
        assertThat(subscriptionStatus(shop, id)).isEqualTo("CANCELLED");

        // The same CANCELLED again (a new delivery of the same state) is harmless.
        assertThat(simulator.deliverAppSubscriptionUpdate(shop, id, "CANCELLED", now.plusSeconds(2), webhooks))
                .isEqualTo(200);
        assertThat(shopsPlan(shop)).isEqualTo("free");

        // A webhook about a subscription the app never stored (made elsewhere) maps by name; FROZEN counts as free.
        JsonNode second = subscribe(shop, "growth");
        String secondId = second.get("subscription_id").asText();
        get(second.get("confirmation_url").asText()); // approved at Shopify; the merchant never came back
        assertThat(simulator.deliverAppSubscriptionUpdate(shop, secondId, "ACTIVE", now.plusSeconds(3), webhooks))
                .isEqualTo(200);
        assertThat(shopsPlan(shop)).isEqualTo("growth");
        assertThat(simulator.deliverAppSubscriptionUpdate(shop, secondId, "FROZEN", now.plusSeconds(4), webhooks))
                .isEqualTo(200);
        assertThat(shopsPlan(shop)).isEqualTo("free");
        assertThat(simulator.deliverAppSubscriptionUpdate(shop, secondId, "ACTIVE", now.plusSeconds(5), webhooks))
                .isEqualTo(200);
        assertThat(shopsPlan(shop)).isEqualTo("growth");
    }

    @Test
    void aBadPlanNameIsRefusedNamingPlanAndNothingIsCreated() throws Exception {
        ShopId shop = SHOPS.get(3);
        int before = simulator.appSubscriptions(shop).size();
        for (String body : List.of("{\"plan\":\"platinum\"}", "{\"plan\":7}", "{}", "not json", "[]", "")) {
            HttpResponse<String> response = postApi("/api/billing/subscribe", shop, body);
            assertThat(response.statusCode()).as(body).isEqualTo(400);
            assertThat(JSON.readTree(response.body()).at("/error/field").asText()).as(body).isEqualTo("plan");
        }
        assertThat(simulator.appSubscriptions(shop)).hasSize(before);
    }

    @Test
    void shopAsBillingNeverShowsShopBs() throws Exception {
        ShopId a = SHOPS.get(4);
        ShopId b = SHOPS.get(5);
        JsonNode created = subscribe(a, "starter");
        approveAndReturn(a, created.get("confirmation_url").asText());
        insertSend(a, "SENT", false, ZonedDateTime.now(ZoneOffset.UTC).minusSeconds(5));
        sql("INSERT INTO consent (shop_domain, customer_id, email, marketing_state, updated_at) "
                + "VALUES ($1, 1, 'a@example.com', 'SUBSCRIBED', now())", a.domain());
        String pendingB = subscribe(b, "pro").get("confirmation_url").asText();

        // B's return URL, called after A approved: Shopify reports nothing active for B.
        get(base + "/billing/return?shop=" + b.domain() + "&charge_id=" + created.get("subscription_id").asText()
                .replaceAll(".*/", ""));
        JsonNode billingB = billing(b);
        assertThat(billingB.get("shop").asText()).isEqualTo(b.domain());
        assertThat(billingB.get("plan").asText()).isEqualTo("free");
        assertThat(billingB.at("/subscription/plan").asText()).isEqualTo("pro");
        assertThat(billingB.at("/subscription/status").asText()).isEqualTo("PENDING");
        assertThat(billingB.at("/usage/emails_sent").asLong()).isZero();
        assertThat(billingB.at("/usage/contacts").asLong()).isZero();
        assertThat(billingB.toString()).doesNotContain(created.get("subscription_id").asText());

        // A's confirmation URL cannot be approved as B's, and B's webhook cannot touch A's subscription.
        String foreign = created.get("confirmation_url").asText().replace(a.domain(), b.domain());
        assertThat(get(foreign).statusCode()).isEqualTo(404);
        JsonNode billingA = billing(a);
        assertThat(billingA.get("plan").asText()).isEqualTo("starter");
        assertThat(billingA.at("/usage/emails_sent").asLong()).isEqualTo(1);
        assertThat(billingA.at("/usage/contacts").asLong()).isEqualTo(1);
        assertThat(billingA.toString()).doesNotContain(pendingB);
    }

    @Test
    void anUninstallCancelsTheSubscriptionsSoAReinstallStartsFree() throws Exception {
        ShopId shop = SHOPS.get(6);
        JsonNode created = subscribe(shop, "growth");
        approveAndReturn(shop, created.get("confirmation_url").asText());
        assertThat(shopsPlan(shop)).isEqualTo("growth");

        SimulatedWebhook uninstalled = new SimulatedWebhook(shop, "app/uninstalled", UUID.randomUUID().toString(),
                UUID.randomUUID().toString(), Instant.now(), SimulatedShops.API_VERSION,
                ("{\"id\":1,\"domain\":\"" + shop.domain() + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(new WebhookSender(HTTP, URI.create(base + "/webhooks"), SECRET).send(uninstalled)).isEqualTo(200);

        assertThat(shopsPlan(shop)).isEqualTo("free");
        assertThat(subscriptionStatus(shop, created.get("subscription_id").asText())).isEqualTo("CANCELLED");
    }

    @Test
    void theCatalogueNamesExactlyThePlanLimitsRows() {
        List<String> rows = new ArrayList<>();
        application.postgres().query("SELECT plan FROM plan_limits ORDER BY monthly_emails").execute().await()
                .forEach(row -> rows.add(row.getString(0)));
        assertThat(Plans.ALL).extracting(Plans.Plan::name).containsExactlyElementsOf(rows);
        assertThat(Plans.ALL).filteredOn(p -> !p.free()).allSatisfy(p -> assertThat(p.trialDays()).isPositive());
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static void approveAndReturn(ShopId shop, String confirmation) throws Exception {
        HttpResponse<String> approved = get(confirmation);
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(302);
        String returnUrl = approved.headers().firstValue("Location").orElseThrow();
        assertThat(returnUrl).startsWith(base + "/billing/return?shop=" + shop.domain() + "&charge_id=");
        HttpResponse<String> returned = get(returnUrl);
        assertThat(returned.statusCode()).as(returned.body()).isEqualTo(302);
        assertThat(returned.headers().firstValue("Location").orElseThrow())
                .startsWith("https://" + shop.domain() + "/admin/apps/" + CLIENT_ID + "/");
    }

    private static JsonNode subscribe(ShopId shop, String plan) throws Exception {
        HttpResponse<String> response = postApi("/api/billing/subscribe", shop, "{\"plan\":\"" + plan + "\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static JsonNode billing(ShopId shop) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/billing"))
                        .header("Authorization", "Bearer " + SESSIONS.issue(shop)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> postApi(String path, ShopId shop, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + SESSIONS.issue(shop))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String shopsPlan(ShopId shop) {
        return application.postgres().preparedQuery("SELECT plan FROM shops WHERE shop_domain = $1")
                .execute(Tuple.of(shop.domain())).await().iterator().next().getString(0);
    }

    private static String subscriptionStatus(ShopId shop, String id) {
        Row row = application.postgres().preparedQuery("SELECT status FROM app_subscriptions "
                        + "WHERE shop_domain = $1 AND subscription_id = $2")
                .execute(Tuple.of(shop.domain(), id)).await().iterator().next();
        return row.getString(0);
    }

    /**
     * A send in the ledger; a non-test SENT one is also counted in its month's counter as the send job's SENT mark
     * counts it (jobs SentMarks, V16), the month taken in {@code sentAt}'s zone (give the shop's).
     */
    private static void insertSend(ShopId shop, String status, boolean test, ZonedDateTime sentAt) {
        String key = UUID.randomUUID().toString();
        sql("INSERT INTO sends (shop_domain, email, trigger_key, idempotency_key, status, due_at, is_test, sent_at) "
                        + "VALUES ($1, 'x@example.com', $2, $2, $3, now(), $4, $5)",
                shop.domain(), key, status, test, sentAt == null ? null : sentAt.toOffsetDateTime());
        if (status.equals("SENT") && !test) {
            count(shop, sentAt.toLocalDate().withDayOfMonth(1), 1);
        }
    }

    /** Adds {@code sent} to the shop's counter of the quota month starting on {@code month} (V16). */
    private static void count(ShopId shop, java.time.LocalDate month, long sent) {
        sql("INSERT INTO shop_monthly_sends (shop_domain, month, sent) VALUES ($1, $2, $3) "
                + "ON CONFLICT (shop_domain, month) DO UPDATE SET sent = shop_monthly_sends.sent + EXCLUDED.sent",
                shop.domain(), month, sent);
    }

    /** A send in {@code status} with {@code skipReason}, last changed at {@code updatedAt}. */
    private static void insertSend(ShopId shop, String status, String skipReason, boolean test,
                                   OffsetDateTime updatedAt) {
        String key = UUID.randomUUID().toString();
        sql("INSERT INTO sends (shop_domain, email, trigger_key, idempotency_key, status, skip_reason, due_at, "
                        + "is_test, updated_at) VALUES ($1, 'x@example.com', $2, $2, $3, $4, now(), $5, $6)",
                shop.domain(), key, status, skipReason, test, updatedAt);
    }

    private static void sql(String statement, Object... parameters) {
        application.postgres().preparedQuery(statement).execute(Tuple.wrap(parameters)).await();
    }
}
