package com.ecomcrm.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.email.mail.MailSender;
import com.ecomcrm.email.mail.MailSettings;
import com.ecomcrm.tracking.TrackingLinks;
import com.ecomcrm.email.render.TemplateRenderer;
import com.ecomcrm.landing.LandingEnvelope;
import com.ecomcrm.landing.LandingLayout;
import com.ecomcrm.landing.LandingZone;
import com.ecomcrm.schema.PostgresMigrator;
import com.ecomcrm.schema.PostgresTarget;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.zaxxer.hikari.HikariDataSource;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.BatchStatus;
import org.springframework.jdbc.core.JdbcTemplate;

/** Real PostgreSQL (a throwaway schema, migrated with V1..V4) and a real SMTP server (GreenMail). */
class EmailEngineTest {
    @RegisterExtension
    static final GreenMailExtension SMTP = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static final ShopId SHOP = ShopId.of("acme.myshopify.com");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path landingRoot;

    private String schema;
    private PostgresTarget target;
    private HikariDataSource ds;
    private JdbcTemplate jdbc;
    private FlowStore flows;
    private TemplateStore templates;
    private TemplateRenderer renderer;
    private TrackingLinks links;
    private LandingZone landing;

    @BeforeEach
    void setUp() {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "ECOMCRM_PG_URL is not set: PostgreSQL tests skipped");
        target = PostgresTarget.fromEnv();
        schema = "ecomcrm_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
                .toLowerCase(Locale.ROOT);
        PostgresMigrator.migrate(target, schema);
        ds = Database.pool(target, schema, 8);
        jdbc = new JdbcTemplate(ds);
        flows = new FlowStore(ds);
        templates = new TemplateStore(ds);
        renderer = new TemplateRenderer(templates);
        links = new TrackingLinks(TrackingLinks.DEV_KEY, TrackingLinks.DEFAULT_PUBLIC_URL);
        landing = new LandingZone(new LandingLayout(landingRoot), Clock.systemUTC());
        flows.ensureLibrary(SHOP);
        // These tests are about the engine, not the sending rules (EmailRulesTest): no quiet hours, so they do not
        // depend on the time of day they run at (the default is 21:00-08:00 UTC for a shop without settings).
        jdbc.update("INSERT INTO shop_email_settings (shop_domain, quiet_hours_enabled) VALUES (?, false)",
                SHOP.domain());
    }

    @AfterEach
    void tearDown() {
        if (ds == null) {
            return;
        }
        renderer.close();
        landing.close();
        ds.close();
        try (HikariDataSource admin = Database.pool(target, null, 1)) {
            new JdbcTemplate(admin).execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    private TriggerEvaluator evaluator() {
        return new TriggerEvaluator(ds, landing.layout(), Clock.systemUTC(), Duration.ofDays(2));
    }

    private SendWorker worker(String id) {
        return new SendWorker(ds, templates, renderer, new MailSender(MailSettings.local(SMTP.getSmtp().getPort())),
                links, id, Duration.ofMinutes(5));
    }

    private void land(String topic, String body) {
        landing.appendWebhook(LandingEnvelope.webhook(SHOP, topic, UUID.randomUUID().toString(), Instant.now(),
                Optional.empty(), Optional.of("2026-07"), body));
    }

    private static String customer(long id, String email, String state) {
        return "{\"id\":" + id + ",\"email\":\"" + email + "\",\"first_name\":\"Cust" + id + "\","
                + "\"created_at\":\"" + Instant.now() + "\",\"updated_at\":\"" + Instant.now() + "\","
                + "\"email_marketing_consent\":{\"state\":\"" + state + "\"}}";
    }

    private long linkTemplate(FlowKind kind, int delayMinutes) {
        long id = templates.create(SHOP, kind.key() + "-template", "Hello ${customer.first_name}",
                "<html><body><p>Hi ${customer.first_name} from ${shop.name}</p>"
                        + "<a href=\"https://acme.example/shop\">Shop</a> <a href=\"${unsubscribe_url}\">Unsubscribe</a>"
                        + "</body></html>", "Hi ${customer.first_name}");
        flows.configure(SHOP, kind, delayMinutes, null, JSON.createObjectNode().put("from_name", "Acme"), id);
        flows.setEnabled(SHOP, kind, true);
        return id;
    }

    private int count(String sql, Object... args) {
        return jdbc.queryForObject(sql, Integer.class, args);
    }

    @Test
    void welcomeIsScheduledOnceSentOnceAndReRunningSchedulesNothingNew() throws Exception {
        linkTemplate(FlowKind.WELCOME, 0);
        land("customers/create", customer(1, "one@example.com", "subscribed"));
        land("customers/create", customer(2, "two@example.com", "not_subscribed"));

        EmailJobs jobs = new EmailJobs(ds);
        var evaluation = jobs.run(jobs.triggerEvaluationJob(evaluator()));
        assertThat(evaluation.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(count("SELECT count(*) FROM sends")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM consent")).isEqualTo(2);

        // Again over the same files, and with the watermarks reset (a full re-read): nothing new.
        assertThat(evaluator().evaluateAll().scheduled()).isZero();
        jdbc.update("DELETE FROM event_watermarks");
        TriggerEvaluator.Result reread = evaluator().evaluateAll();
        assertThat(reread.events()).isEqualTo(2);
        assertThat(reread.scheduled()).isZero();
        assertThat(count("SELECT count(*) FROM sends")).isEqualTo(1);

        var sending = jobs.run(jobs.sendJob(worker("w1"), 50));
        assertThat(sending.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        MimeMessage[] received = SMTP.getReceivedMessages();
        assertThat(received).hasSize(1);
        assertThat(received[0].getSubject()).isEqualTo("Hello Cust1");
        assertThat(received[0].getHeader("List-Unsubscribe-Post", null)).isEqualTo("List-Unsubscribe=One-Click");
        assertThat(jdbc.queryForObject("SELECT status || ' ' || message_id FROM sends", String.class))
                .isEqualTo("SENT " + received[0].getMessageID());
        assertThat(count("SELECT count(*) FROM batch_job_execution WHERE status = 'COMPLETED'")).isEqualTo(2);

        // Nothing more to send.
        assertThat(worker("w2").drain(50)).isZero();
        assertThat(SMTP.getReceivedMessages()).hasSize(1);
    }

    @Test
    void aPartialLastLineWaitsForTheNextRun() throws Exception {
        linkTemplate(FlowKind.WELCOME, 0);
        land("customers/create", customer(1, "one@example.com", "subscribed"));
        Path file;
        try (var s = java.nio.file.Files.walk(landingRoot)) {
            file = s.filter(p -> p.toString().endsWith(".jsonl")).findFirst().orElseThrow();
        }
        String line = LandingEnvelope.webhook(SHOP, "customers/create", "x", Instant.now(), Optional.empty(),
                Optional.empty(), customer(3, "three@example.com", "subscribed")).toJsonLine();
        java.nio.file.Files.writeString(file, line.substring(0, 40), java.nio.file.StandardOpenOption.APPEND);
        assertThat(evaluator().evaluateAll().scheduled()).isEqualTo(1);
        java.nio.file.Files.writeString(file, line.substring(40) + "\n", java.nio.file.StandardOpenOption.APPEND);
        assertThat(evaluator().evaluateAll().scheduled()).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM sends")).isEqualTo(2);
    }

    @Test
    void abandonedCheckoutIsCancelledByTheOrder() {
        linkTemplate(FlowKind.ABANDONED_CHECKOUT, 240);
        String checkout = "{\"token\":\"tok1\",\"email\":\"buyer@example.com\",\"created_at\":\"" + Instant.now()
                + "\",\"abandoned_checkout_url\":\"https://acme.example/c/tok1\",\"total_price\":\"20.00\","
                + "\"customer\":{\"id\":9,\"email\":\"buyer@example.com\",\"first_name\":\"B\"}}";
        land("checkouts/create", checkout);
        land("checkouts/update", checkout);
        assertThat(evaluator().evaluateAll().scheduled()).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT due_at > now() + interval '3 hours' FROM sends", Boolean.class))
                .isTrue();
        land("orders/create", "{\"id\":77,\"checkout_token\":\"tok1\",\"email\":\"buyer@example.com\","
                + "\"customer\":{\"id\":9}}");
        assertThat(evaluator().evaluateAll().cancelled()).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT status || ' ' || skip_reason FROM sends", String.class))
                .isEqualTo("CANCELLED order_placed");
    }

    @Test
    void postPurchaseIsScheduledNDaysAfterTheOrder() {
        linkTemplate(FlowKind.REVIEW_REQUEST, 3 * 24 * 60);
        land("orders/create", "{\"id\":78,\"created_at\":\"" + Instant.now() + "\",\"email\":\"b@example.com\","
                + "\"name\":\"#1001\",\"customer\":{\"id\":10}}");
        assertThat(evaluator().evaluateAll().scheduled()).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT due_at BETWEEN now() + interval '71 hours' AND now() + interval "
                + "'73 hours' FROM sends", Boolean.class)).isTrue();
    }

    private long flowId(FlowKind kind) {
        return flows.find(SHOP, kind).orElseThrow().id();
    }

    private void scheduleDirect(FlowKind kind, int n, String emailPrefix, boolean subscribe) {
        long flow = flowId(kind);
        for (int i = 0; i < n; i++) {
            String email = emailPrefix + i + "@example.com";
            jdbc.update("INSERT INTO sends (shop_domain, flow_id, customer_id, email, trigger_key, idempotency_key, "
                    + "due_at, merge_data) VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb)", SHOP.domain(), flow, 1000L + i,
                    email, "t" + i, SHOP.domain() + "|x|" + emailPrefix + i, Timestamp.from(Instant.now().minusSeconds(60)),
                    "{\"customer\":{\"first_name\":\"N" + i + "\",\"email\":\"" + email + "\"}}");
            if (subscribe) {
                jdbc.update("INSERT INTO consent VALUES (?, ?, ?, 'SUBSCRIBED', now())", SHOP.domain(), 1000L + i,
                        email);
            }
        }
    }

    @Test
    void twoConcurrentWorkersNeverSendTheSameRowTwice() throws Exception {
        linkTemplate(FlowKind.WELCOME, 0);
        scheduleDirect(FlowKind.WELCOME, 200, "c", true);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> results = List.of(
                    pool.submit(() -> worker("w1").drain(7)), pool.submit(() -> worker("w2").drain(7)));
            int claimed = 0;
            for (Future<Integer> f : results) {
                claimed += f.get();
            }
            assertThat(claimed).isEqualTo(200);
        }
        finally {
            pool.shutdownNow();
        }
        MimeMessage[] received = SMTP.getReceivedMessages();
        assertThat(received).hasSize(200);
        Set<String> ids = new HashSet<>();
        Set<String> recipients = new HashSet<>();
        for (MimeMessage m : received) {
            ids.add(m.getMessageID());
            recipients.add(m.getAllRecipients()[0].toString());
        }
        assertThat(ids).hasSize(200);
        assertThat(recipients).hasSize(200);
        assertThat(count("SELECT count(*) FROM sends WHERE status = 'SENT'")).isEqualTo(200);
        assertThat(count("SELECT count(DISTINCT claimed_by) FROM sends")).isEqualTo(2);
    }

    @Test
    void switchingAFlowOffCancelsItsPendingSends() {
        linkTemplate(FlowKind.WELCOME, 0);
        scheduleDirect(FlowKind.WELCOME, 5, "p", true);
        assertThat(flows.setEnabled(SHOP, FlowKind.WELCOME, false)).isEqualTo(5);
        assertThat(worker("w1").drain(10)).isZero();
        assertThat(SMTP.getReceivedMessages()).isEmpty();
        assertThat(count("SELECT count(*) FROM sends WHERE status = 'CANCELLED' AND skip_reason = 'flow_disabled'"))
                .isEqualTo(5);
        assertThat(flows.counts(SHOP).get(FlowKind.WELCOME)).containsEntry("CANCELLED", 5L);
    }

    @Test
    void anUninstalledShopsPendingSendsAreCancelledNotSent() {
        linkTemplate(FlowKind.WELCOME, 0);
        scheduleDirect(FlowKind.WELCOME, 4, "u", true);
        jdbc.update("INSERT INTO shops (shop_domain, installed_at, uninstalled_at) VALUES (?, now() - interval '1 day', "
                + "now())", SHOP.domain());

        assertThat(worker("w1").drain(10)).isEqualTo(4);

        assertThat(SMTP.getReceivedMessages()).isEmpty();
        assertThat(count("SELECT count(*) FROM sends WHERE status = 'CANCELLED' AND skip_reason = 'shop_uninstalled'"))
                .isEqualTo(4);
    }

    @Test
    void unsubscribedAndSuppressedCustomersAreSkippedWithAReason() {
        linkTemplate(FlowKind.WELCOME, 0);
        scheduleDirect(FlowKind.WELCOME, 3, "s", true);
        jdbc.update("UPDATE consent SET marketing_state = 'UNSUBSCRIBED' WHERE email = 's0@example.com'");
        jdbc.update("INSERT INTO suppressions (shop_domain, email, reason) VALUES (?, 's1@example.com', "
                + "'hard_bounce')", SHOP.domain());
        jdbc.update("DELETE FROM consent WHERE email = 's2@example.com'");
        assertThat(worker("w1").drain(10)).isEqualTo(3);
        assertThat(SMTP.getReceivedMessages()).isEmpty();
        assertThat(jdbc.queryForList("SELECT email || ' ' || status || ' ' || skip_reason FROM sends ORDER BY email",
                String.class)).containsExactly(
                        "s0@example.com SKIPPED consent:unsubscribed",
                        "s1@example.com SKIPPED suppressed:hard_bounce",
                        "s2@example.com SKIPPED consent:unknown");
    }

    @Test
    void aCrashAfterSmtpAcceptanceIsHeldNeverResent() {
        linkTemplate(FlowKind.WELCOME, 0);
        scheduleDirect(FlowKind.WELCOME, 3, "k", true);
        SendWorker crashing = new SendWorker(ds, templates, renderer,
                new MailSender(MailSettings.local(SMTP.getSmtp().getPort())), links, "crashing", Duration.ofSeconds(1));
        crashing.afterAccepted(id -> {
            throw new IllegalStateException("simulated crash after SMTP accepted send " + id);
        });
        try {
            crashing.runOnce(1);
        }
        catch (IllegalStateException expected) {
            // the worker "died" here
        }
        assertThat(SMTP.getReceivedMessages()).hasSize(1);
        assertThat(count("SELECT count(*) FROM sends WHERE status = 'SENDING'")).isEqualTo(1);

        jdbc.update("UPDATE sends SET claimed_until = now() - interval '1 second' WHERE status = 'SENDING'");
        SendWorker restarted = worker("restarted");
        assertThat(restarted.holdExpiredLeases()).isEqualTo(1);
        assertThat(restarted.drain(10)).isEqualTo(2);
        // Three due emails, three delivered: the crashed one was not sent a second time.
        assertThat(SMTP.getReceivedMessages()).hasSize(3);
        assertThat(jdbc.queryForList("SELECT status FROM sends ORDER BY status", String.class))
                .containsExactly("HELD", "SENT", "SENT");
    }

    @Test
    void aCrashBetweenDeliveryAndTheDeferredSentMarkLeavesTheEmailHeldNeverResent() {
        linkTemplate(FlowKind.WELCOME, 0);
        scheduleDirect(FlowKind.WELCOME, 3, "m", true);
        SendWorker crashing = new SendWorker(ds, templates, renderer,
                new MailSender(MailSettings.local(SMTP.getSmtp().getPort())), links, "crashing", Duration.ofSeconds(1));
        List<List<Long>> owed = new java.util.ArrayList<>();
        crashing.beforeRecordingSent(ids -> {
            owed.add(ids);
            throw new IllegalStateException("simulated crash before the SENT marks of " + ids + " were written");
        });
        try {
            crashing.runOnce(3);
        }
        catch (IllegalStateException expected) {
            // the worker "died" here, after the SMTP server had accepted all three
        }
        assertThat(SMTP.getReceivedMessages()).hasSize(3);
        // The first two marks rode with the next send's check; the last was still owed when the worker died.
        assertThat(owed).hasSize(1);
        assertThat(owed.get(0)).hasSize(1);
        assertThat(jdbc.queryForList("SELECT status FROM sends ORDER BY status", String.class))
                .containsExactly("SENDING", "SENT", "SENT");
        assertThat(jdbc.queryForObject("SELECT id FROM sends WHERE status = 'SENDING'", Long.class))
                .isEqualTo(owed.get(0).get(0));

        jdbc.update("UPDATE sends SET claimed_until = now() - interval '1 second' WHERE status = 'SENDING'");
        SendWorker restarted = worker("restarted");
        assertThat(restarted.holdExpiredLeases()).isEqualTo(1);
        assertThat(restarted.drain(10)).isZero();
        // Three due emails, each delivered exactly once; the one whose mark was lost waits for review.
        assertThat(SMTP.getReceivedMessages()).hasSize(3);
        assertThat(jdbc.queryForList("SELECT status || ' ' || coalesce(skip_reason, '') FROM sends ORDER BY status",
                String.class)).containsExactly("HELD lease_expired_outcome_unknown", "SENT ", "SENT ");
        Set<String> received = new HashSet<>();
        for (MimeMessage m : SMTP.getReceivedMessages()) {
            received.add(unchecked(m::getMessageID));
        }
        assertThat(jdbc.queryForList("SELECT message_id FROM sends WHERE status = 'SENT'", String.class))
                .hasSize(2).allSatisfy(id -> assertThat(received).contains(id));
    }

    private interface MessagingCall {
        String get() throws jakarta.mail.MessagingException;
    }

    private static String unchecked(MessagingCall call) {
        try {
            return call.get();
        }
        catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aTemplateThatReachesForJavaFailsAndSendsNothing() {
        long id = linkTemplate(FlowKind.WELCOME, 0);
        templates.addVersion(SHOP, id, "x", "<#assign e = \"freemarker.template.utility.Execute\"?new()>${e(\"id\")}",
                null);
        scheduleDirect(FlowKind.WELCOME, 1, "t", true);
        assertThat(worker("w1").drain(10)).isEqualTo(1);
        assertThat(SMTP.getReceivedMessages()).isEmpty();
        assertThat(jdbc.queryForObject("SELECT status || ' ' || skip_reason FROM sends", String.class))
                .startsWith("FAILED template_error: html line 1");
    }
}
