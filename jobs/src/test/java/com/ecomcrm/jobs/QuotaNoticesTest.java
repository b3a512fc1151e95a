package com.ecomcrm.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.email.mail.MailSender;
import com.ecomcrm.email.mail.MailSettings;
import com.ecomcrm.email.render.TemplateRenderer;
import com.ecomcrm.jobs.notices.QuotaNotices;
import com.ecomcrm.schema.PostgresMigrator;
import com.ecomcrm.schema.PostgresTarget;
import com.ecomcrm.tracking.TrackingLinks;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.zaxxer.hikari.HikariDataSource;
import jakarta.mail.internet.MimeMessage;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The over-quota notice (issue #8): when a shop's sends are held for quota, its owner gets one email per quota period
 * through the same SMTP code as every send, recorded so it is never sent twice; held sends go out when the quota
 * resets or the plan is upgraded. Real PostgreSQL, GreenMail as the SMTP sink.
 */
class QuotaNoticesTest {
    @RegisterExtension
    static final GreenMailExtension SMTP = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static final ShopId ACME = ShopId.of("acme.myshopify.com");
    private static final ShopId OTHER = ShopId.of("other.myshopify.com");
    private static final ObjectMapper JSON = new ObjectMapper();

    private String schema;
    private PostgresTarget target;
    private HikariDataSource ds;
    private JdbcTemplate jdbc;
    private FlowStore flows;
    private TemplateStore templates;
    private TemplateRenderer renderer;
    private MailSender mail;
    private final TrackingLinks links = new TrackingLinks(TrackingLinks.DEV_KEY, TrackingLinks.DEFAULT_PUBLIC_URL);
    private final EmailRulesTest.TestClock clock = new EmailRulesTest.TestClock(Instant.parse("2026-03-31T16:00:00Z"));

    @BeforeEach
    void setUp() {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "ECOMCRM_PG_URL is not set: PostgreSQL tests skipped");
        target = PostgresTarget.fromEnv();
        schema = "ecomcrm_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
                .toLowerCase(Locale.ROOT);
        PostgresMigrator.migrate(target, schema);
        ds = Database.pool(target, schema, 4);
        jdbc = new JdbcTemplate(ds);
        flows = new FlowStore(ds);
        templates = new TemplateStore(ds);
        renderer = new TemplateRenderer(templates);
        mail = new MailSender(MailSettings.local(SMTP.getSmtp().getPort()));
        jdbc.update("INSERT INTO plan_limits VALUES ('tiny', 2, 10)");
    }

    @AfterEach
    void tearDown() {
        if (ds == null) {
            return;
        }
        renderer.close();
        ds.close();
        try (HikariDataSource admin = Database.pool(target, null, 1)) {
            new JdbcTemplate(admin).execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    private void shop(ShopId shop, String plan, String owner, String name) {
        jdbc.update("INSERT INTO shops (shop_domain, plan, timezone, email, name, installed_at) "
                + "VALUES (?, ?, 'America/New_York', ?, ?, now())", shop.domain(), plan, owner, name);
        jdbc.update("INSERT INTO shop_email_settings (shop_domain, frequency_cap_count, frequency_cap_hours, "
                + "quiet_hours_enabled) VALUES (?, 0, 24, false)", shop.domain());
        flows.ensureLibrary(shop);
        long template = templates.create(shop, "welcome-t", "Hello ${customer.first_name}",
                "<html><body><p>Hi ${customer.first_name}</p><a href=\"${unsubscribe_url}\">Unsubscribe</a>"
                        + "</body></html>", "Hi ${customer.first_name}");
        flows.configure(shop, FlowKind.WELCOME, 0, null, JSON.createObjectNode().put("from_name", name), template);
        flows.setEnabled(shop, FlowKind.WELCOME, true);
    }

    private void schedule(ShopId shop, int how, int firstCustomer) {
        long flow = flows.find(shop, FlowKind.WELCOME).orElseThrow().id();
        for (int i = 0; i < how; i++) {
            long customer = firstCustomer + i;
            String email = "c" + customer + "@example.com";
            jdbc.update("INSERT INTO consent VALUES (?, ?, ?, 'SUBSCRIBED', now()) ON CONFLICT DO NOTHING",
                    shop.domain(), customer, email);
            jdbc.update("INSERT INTO sends (shop_domain, flow_id, customer_id, email, trigger_key, idempotency_key, "
                    + "due_at, merge_data) VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb)", shop.domain(), flow, customer,
                    email, "t" + UUID.randomUUID(), shop.domain() + "|" + UUID.randomUUID(),
                    Timestamp.from(clock.instant().minusSeconds(60 - i)),
                    "{\"customer\":{\"first_name\":\"C" + customer + "\",\"email\":\"" + email + "\"}}");
        }
    }

    private SendWorker worker() {
        return new SendWorker(ds, templates, renderer, mail, links, "w-" + UUID.randomUUID(), Duration.ofMinutes(5),
                clock, java.util.Map.of());
    }

    private QuotaNotices notices() {
        return new QuotaNotices(ds, mail, clock, Optional.of("app-key-1"));
    }

    private long count(ShopId shop, String status) {
        return jdbc.queryForObject("SELECT count(*) FROM sends WHERE shop_domain = ? AND status = ?", Long.class,
                shop.domain(), status);
    }

    private List<MimeMessage> to(String address) throws Exception {
        return Arrays.stream(SMTP.getReceivedMessages()).filter(m -> {
            try {
                return m.getAllRecipients()[0].toString().equals(address);
            }
            catch (jakarta.mail.MessagingException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    @Test
    void theOwnerIsToldOncePerQuotaPeriodAndTheHeldSendsGoOutAtTheResetAndAfterAnUpgrade() throws Exception {
        shop(ACME, "tiny", "owner@acme.example", "Acme Goods");
        schedule(ACME, 3, 1);
        SendWorker w = worker();
        EmailJobs jobs = new EmailJobs(ds);
        jobs.run(jobs.sendJob(w, 10, notices()));
        assertThat(count(ACME, "SENT")).isEqualTo(2);
        assertThat(count(ACME, "HELD")).isEqualTo(1);

        List<MimeMessage> told = to("owner@acme.example");
        assertThat(told).hasSize(1);
        MimeMessage notice = told.get(0);
        assertThat(notice.getSubject())
                .isEqualTo("Your emails are on hold: Acme Goods has used this month's 2 emails");
        assertThat(notice.getHeader("List-Unsubscribe")).as("a transactional notice").isNull();
        assertThat(notice.getFrom()[0].toString()).contains("no-reply@mail.ecomcrm.local");
        String body = GreenMailUtil.getBody(notice).replaceAll("=\r?\n", "");
        // The quota resets at the start of April in the shop's time zone (New York).
        assertThat(body).contains("1 email is waiting: your plan's monthly quota of 2 is used up; upgrade or they go "
                + "out when the quota resets on April 1, 2026.");
        assertThat(body).contains("https://acme.myshopify.com/admin/apps/app-key-1/app/billing");
        assertThat(notices().recorded(ACME)).containsExactly("SENT 2026-03-01T05:00:00Z 1");

        // More sends held the same month: no second notice, from this worker or another.
        clock.set(Instant.parse("2026-03-31T20:00:00Z"));
        schedule(ACME, 4, 10);
        jobs.run(jobs.sendJob(w, 10, notices()));
        assertThat(count(ACME, "HELD")).isEqualTo(5);
        assertThat(notices().sendDue()).isZero();
        assertThat(to("owner@acme.example")).hasSize(1);

        // April 1, 01:00 in New York: a new quota period. Two held sends go out; three stay held and the owner is
        // told again, once, for April.
        clock.set(Instant.parse("2026-04-01T05:00:00Z"));
        jobs.run(jobs.sendJob(w, 10, notices()));
        assertThat(count(ACME, "SENT")).isEqualTo(4);
        assertThat(count(ACME, "HELD")).isEqualTo(3);
        assertThat(to("owner@acme.example")).hasSize(2);
        assertThat(GreenMailUtil.getBody(to("owner@acme.example").get(1)).replaceAll("=\r?\n", ""))
                .contains("3 emails are waiting: your plan's monthly quota of 2 is used up; upgrade or they go out "
                        + "when the quota resets on May 1, 2026.");
        assertThat(notices().recorded(ACME)).containsExactly("SENT 2026-04-01T04:00:00Z 3",
                "SENT 2026-03-01T05:00:00Z 1");

        // An upgrade: the next send job releases every held send and sends it; nothing is dropped, nobody is told.
        jdbc.update("UPDATE shops SET plan = 'starter' WHERE shop_domain = ?", ACME.domain());
        jobs.run(jobs.sendJob(w, 10, notices()));
        assertThat(count(ACME, "HELD")).isZero();
        assertThat(count(ACME, "SENT")).isEqualTo(7);
        assertThat(to("owner@acme.example")).hasSize(2);
    }

    @Test
    void eachShopsOwnerIsToldOfTheirOwnShopOnlyAndAShopWithoutAnOwnerAddressIsToldOnceItIsKnown() throws Exception {
        shop(ACME, "tiny", "owner@acme.example", "Acme Goods");
        shop(OTHER, "tiny", null, "Other Things");
        schedule(ACME, 3, 1);
        schedule(OTHER, 5, 1);
        SendWorker w = worker();
        w.drain(20);
        assertThat(count(ACME, "HELD")).isEqualTo(1);
        assertThat(count(OTHER, "HELD")).isEqualTo(3);

        assertThat(notices().sendDue()).isEqualTo(1);
        assertThat(SMTP.getReceivedMessages()).hasSize(4 + 1);
        assertThat(GreenMailUtil.getBody(to("owner@acme.example").get(0))).doesNotContain("other.myshopify.com")
                .doesNotContain("Other Things");
        assertThat(notices().recorded(OTHER)).as("no owner address: no claim, so it is told later").isEmpty();

        jdbc.update("UPDATE shops SET email = 'boss@other.example' WHERE shop_domain = ?", OTHER.domain());
        assertThat(notices().sendDue()).isEqualTo(1);
        MimeMessage other = to("boss@other.example").get(0);
        assertThat(other.getSubject()).isEqualTo("Your emails are on hold: Other Things has used this month's 2 emails");
        assertThat(GreenMailUtil.getBody(other).replaceAll("=\r?\n", "")).contains("3 emails are waiting")
                .doesNotContain("acme");
        assertThat(to("owner@acme.example")).hasSize(1);
    }

    @Test
    void anUninstalledShopIsNotToldAndAFailedConnectionIsRetriedOnTheNextRun() throws Exception {
        shop(ACME, "tiny", "owner@acme.example", "Acme Goods");
        schedule(ACME, 3, 1);
        worker().drain(10);
        assertThat(count(ACME, "HELD")).isEqualTo(1);

        // No SMTP server where the notice goes: nothing was handed over, so the claim is given back.
        QuotaNotices unreachable = new QuotaNotices(ds, new MailSender(MailSettings.local(1)), clock, Optional.empty());
        assertThat(unreachable.sendDue()).isZero();
        assertThat(unreachable.recorded(ACME)).isEmpty();
        QuotaNotices reachable = new QuotaNotices(ds, mail, clock, Optional.empty());
        assertThat(reachable.sendDue()).isEqualTo(1);
        assertThat(GreenMailUtil.getBody(to("owner@acme.example").get(0)))
                .as("without the app's API key the link is the admin's app list")
                .contains("https://acme.myshopify.com/admin/apps");

        shop(OTHER, "tiny", "boss@other.example", "Other Things");
        schedule(OTHER, 3, 1);
        worker().drain(10);
        jdbc.update("UPDATE shops SET uninstalled_at = now() WHERE shop_domain = ?", OTHER.domain());
        assertThat(reachable.sendDue()).isZero();
        assertThat(to("boss@other.example")).isEmpty();
    }
}
