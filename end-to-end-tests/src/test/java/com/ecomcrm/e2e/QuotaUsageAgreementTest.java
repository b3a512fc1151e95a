package com.ecomcrm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.ecomcrm.api.billing.BillingStore;
import com.ecomcrm.domain.QuotaMonth;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.email.mail.MailSender;
import com.ecomcrm.email.mail.MailSettings;
import com.ecomcrm.email.render.TemplateRenderer;
import com.ecomcrm.jobs.Database;
import com.ecomcrm.jobs.EmailJobs;
import com.ecomcrm.jobs.FlowKind;
import com.ecomcrm.jobs.FlowStore;
import com.ecomcrm.jobs.JobsMain;
import com.ecomcrm.jobs.SendWorker;
import com.ecomcrm.jobs.SendingRules;
import com.ecomcrm.jobs.TemplateStore;
import com.ecomcrm.schema.PostgresMigrator;
import com.ecomcrm.schema.PostgresTarget;
import com.ecomcrm.tracking.TrackingLinks;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.zaxxer.hikari.HikariDataSource;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.batch.core.BatchStatus;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The dashboard's quota usage ({@code GET /api/billing}: api-server {@link QuotaMonth} and
 * {@link BillingStore#quotaUsage}) and the send job's quota check (jobs {@link SendingRules#monthlyUsage}) read the
 * same ledger the same way, so they can never disagree: compared at instants on both sides of the shop's month
 * boundary (midnight on the 1st in its time zone, not in UTC), after real send jobs on a fixed clock wrote the monthly
 * counters, with sends in flight and held of unknown outcome beside them; and what the dashboard says is left is
 * exactly what the next send run sends. Real PostgreSQL (a fresh schema) and a real SMTP server.
 */
class QuotaUsageAgreementTest {
    @RegisterExtension
    static final GreenMailExtension SMTP = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static final ShopId SHOP = ShopId.of("quota-agreement.myshopify.com");
    private static final ShopId OTHER = ShopId.of("quota-agreement-other.myshopify.com");
    /** Midnight of 1 December 2026 in Auckland (UTC+13 in summer): 11:00 on 30 November in UTC. */
    private static final Instant MIDNIGHT = Instant.parse("2026-11-30T11:00:00Z");
    private static final int WORKERS = 4;

    private String schema;
    private PostgresTarget target;
    private HikariDataSource ds;
    private JdbcTemplate jdbc;
    private Vertx vertx;
    private Pool postgres;
    private FlowStore flows;
    private TemplateStore templates;
    private TemplateRenderer renderer;
    private MailSender mail;

    @BeforeEach
    void setUp() {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "ECOMCRM_PG_URL is not set: PostgreSQL tests skipped");
        target = PostgresTarget.fromEnv();
        schema = "ecomcrm_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
                .toLowerCase(Locale.ROOT);
        PostgresMigrator.migrate(target, schema);
        ds = Database.pool(target, schema, JobsMain.poolSize(WORKERS));
        jdbc = new JdbcTemplate(ds);
        vertx = Vertx.vertx();
        postgres = PgBuilder.pool().with(new PoolOptions().setMaxSize(2))
                .connectingTo(PgConnectOptions.fromUri(target.url().replaceFirst("^jdbc:", ""))
                        .setUser(target.user()).setPassword(target.password())
                        .setProperties(Map.of("search_path", schema)))
                .using(vertx).build();
        flows = new FlowStore(ds);
        templates = new TemplateStore(ds);
        renderer = new TemplateRenderer(templates);
        mail = new MailSender(MailSettings.local(SMTP.getSmtp().getPort()));
    }

    @AfterEach
    void tearDown() {
        if (ds == null) {
            return;
        }
        postgres.close().await();
        vertx.close().await();
        renderer.close();
        ds.close();
        try (HikariDataSource admin = Database.pool(target, null, 1)) {
            new JdbcTemplate(admin).execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Test
    void theDashboardAndTheSendJobCountTheSameQuotaOnBothSidesOfTheShopsMonthBoundary() throws Exception {
        // A small quota for this throwaway schema, so its edge is reached.
        jdbc.update("UPDATE plan_limits SET monthly_emails = 15 WHERE plan = 'free'");
        long flow = shop(SHOP, "Pacific/Auckland");
        shop(OTHER, "UTC");

        // Five minutes before midnight in Auckland: six emails go out, counted in November (the shop's month).
        dueSends(SHOP, flow, 0, 6, MIDNIGHT.minus(Duration.ofMinutes(10)));
        send(MIDNIGHT.minus(Duration.ofMinutes(5)));
        // One minute after: four more, counted in December, though it is still 30 November in UTC.
        dueSends(SHOP, flow, 6, 4, MIDNIGHT);
        send(MIDNIGHT.plus(Duration.ofMinutes(1)));
        assertThat(count(SHOP, "SENT")).isEqualTo(10);
        assertThat(jdbc.queryForList("SELECT month || '=' || sent FROM shop_monthly_sends WHERE shop_domain = ? "
                + "ORDER BY month", String.class, SHOP.domain())).containsExactly("2026-11-01=6", "2026-12-01=4");

        // Beside them: one send another worker is sending right now, one held of unknown outcome in each month (by
        // when it was held), a test send in flight (never counted), and another shop's sends of every kind.
        inState(SHOP, flow, "SENDING", null, false, MIDNIGHT);
        inState(SHOP, flow, "HELD", "lease_expired_outcome_unknown", false, MIDNIGHT.minus(Duration.ofMinutes(20)));
        inState(SHOP, flow, "HELD", "smtp_outcome_unknown", false, MIDNIGHT.plus(Duration.ofMinutes(2)));
        inState(SHOP, flow, "SENDING", null, true, MIDNIGHT);
        long otherFlow = flows.find(OTHER, FlowKind.WELCOME).orElseThrow().id();
        jdbc.update("INSERT INTO shop_monthly_sends (shop_domain, month, sent) VALUES (?, '2026-11-01', 9), "
                + "(?, '2026-12-01', 9)", OTHER.domain(), OTHER.domain());
        inState(OTHER, otherFlow, "SENDING", null, false, MIDNIGHT);
        inState(OTHER, otherFlow, "HELD", "smtp_outcome_unknown", false, MIDNIGHT);

        // November's last minute: 6 SENT + 1 sending + both held (held since November's start) = 9.
        // December: 4 + 1 + the one held in December = 6, and the same a day later; January: only the one in flight.
        Map<Instant, Long> expected = Map.of(
                MIDNIGHT.minus(Duration.ofMinutes(1)), 9L,
                MIDNIGHT, 6L,
                MIDNIGHT.plus(Duration.ofDays(1)), 6L,
                Instant.parse("2026-12-31T10:59:59Z"), 6L,
                Instant.parse("2026-12-31T11:00:00Z"), 1L);
        for (Map.Entry<Instant, Long> at : expected.entrySet()) {
            assertThat(dashboardUsage(SHOP, at.getKey())).as("dashboard at %s", at.getKey())
                    .isEqualTo(sendJobUsage(SHOP, at.getKey())).isEqualTo(at.getValue());
        }
        // The other shop's counts are its own (UTC: all of 30 November is November there).
        assertThat(dashboardUsage(OTHER, MIDNIGHT)).isEqualTo(sendJobUsage(OTHER, MIDNIGHT)).isEqualTo(11);

        // What the dashboard says is left is exactly what the next run sends; the rest is held for quota.
        Instant later = MIDNIGHT.plus(Duration.ofMinutes(30));
        QuotaMonth december = QuotaMonth.of(Optional.of("Pacific/Auckland"), later);
        BillingStore.QuotaUsage before = new BillingStore(postgres).quotaUsage(SHOP, december.month(),
                december.start().toInstant()).await();
        long remaining = 15 - before.used();
        assertThat(remaining).isEqualTo(9);
        dueSends(SHOP, flow, 10, 12, later.minus(Duration.ofMinutes(1)));
        send(later);
        assertThat(count(SHOP, "SENT")).isEqualTo(10 + remaining);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM sends WHERE shop_domain = ? AND status = 'HELD' "
                + "AND skip_reason = 'quota'", Long.class, SHOP.domain())).isEqualTo(12 - remaining);
        assertThat(dashboardUsage(SHOP, later)).isEqualTo(sendJobUsage(SHOP, later)).isEqualTo(15);
        assertThat(SMTP.getReceivedMessages()).hasSize((int) (10 + remaining));
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** The dashboard's {@code usage.emails_used} at {@code at}: the billing handler's month and query. */
    private long dashboardUsage(ShopId shop, Instant at) {
        BillingStore store = new BillingStore(postgres);
        QuotaMonth month = QuotaMonth.of(store.shop(shop).await().timezone(), at);
        return store.quotaUsage(shop, month.month(), month.start().toInstant()).await().used();
    }

    /** What the send job's quota check counts at {@code at} (every send in flight, as its release step asks). */
    private long sendJobUsage(ShopId shop, Instant at) {
        SendingRules rules = new SendingRules(ds);
        return rules.monthlyUsage(shop, rules.load(shop), at, Long.MAX_VALUE);
    }

    /** Runs the send jobs ({@link #WORKERS} workers) with the clock fixed at {@code at}. */
    private void send(Instant at) throws Exception {
        List<SendWorker> workers = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
            workers.add(new SendWorker(ds, templates, renderer, mail, new TrackingLinks(TrackingLinks.DEV_KEY,
                    TrackingLinks.DEFAULT_PUBLIC_URL), "agreement-" + at + "-" + i, Duration.ofMinutes(10),
                    Clock.fixed(at, ZoneOffset.UTC), Map.of()));
        }
        assertThat(JobsMain.runSendJobs(new EmailJobs(ds), workers, null))
                .allSatisfy(e -> assertThat(e.getStatus()).isEqualTo(BatchStatus.COMPLETED));
    }

    /** A shop on the free plan in {@code zone} (no frequency cap, no quiet hours) with its welcome flow on. */
    private long shop(ShopId shop, String zone) {
        flows.ensureLibrary(shop);
        jdbc.update("INSERT INTO shops (shop_domain, installed_at, plan, timezone) VALUES (?, now(), 'free', ?)",
                shop.domain(), zone);
        jdbc.update("INSERT INTO shop_email_settings (shop_domain, frequency_cap_count, quiet_hours_enabled) "
                + "VALUES (?, 0, false)", shop.domain());
        long template = templates.create(shop, "welcome", "Hello ${customer.first_name}",
                "<html><body><p>Hi ${customer.first_name}</p></body></html>", null);
        flows.configure(shop, FlowKind.WELCOME, 0, null, null, template);
        flows.setEnabled(shop, FlowKind.WELCOME, true);
        return flows.find(shop, FlowKind.WELCOME).orElseThrow().id();
    }

    /** {@code n} welcome sends to subscribed customers {@code from..from+n-1}, due at {@code due}. */
    private void dueSends(ShopId shop, long flow, int from, int n, Instant due) {
        for (int i = from; i < from + n; i++) {
            String email = "c" + i + "@" + shop.handle() + ".example";
            jdbc.update("INSERT INTO consent (shop_domain, customer_id, email, marketing_state, updated_at) "
                    + "VALUES (?, ?, ?, 'SUBSCRIBED', now())", shop.domain(), i, email);
            jdbc.update("INSERT INTO sends (shop_domain, flow_id, customer_id, email, trigger_key, idempotency_key, "
                    + "due_at, merge_data) VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb)", shop.domain(), flow, i, email,
                    "t" + i, shop.domain() + "|welcome|c" + i + "|t" + i, Timestamp.from(due),
                    "{\"customer\":{\"first_name\":\"C" + i + "\",\"last_name\":\"\",\"email\":\"" + email + "\"}}");
        }
    }

    /**
     * A send left in {@code status} at {@code at}; a SENDING one is claimed by a worker elsewhere whose lease runs for
     * years, so no run here takes it over.
     */
    private void inState(ShopId shop, long flow, String status, String skipReason, boolean test, Instant at) {
        String key = UUID.randomUUID().toString();
        jdbc.update("INSERT INTO sends (shop_domain, flow_id, email, trigger_key, idempotency_key, status, skip_reason, "
                + "is_test, due_at, updated_at, claimed_by, claimed_until) VALUES (?, ?, 'x@example.com', ?, ?, ?, ?, "
                + "?, ?, ?, 'elsewhere', '2036-01-01')", shop.domain(), flow, key, key, status, skipReason, test,
                Timestamp.from(at), Timestamp.from(at));
    }

    private long count(ShopId shop, String status) {
        return jdbc.queryForObject("SELECT count(*) FROM sends WHERE shop_domain = ? AND status = ?", Long.class,
                shop.domain(), status);
    }
}
