package com.ecomcrm.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.email.mail.MailSender;
import com.ecomcrm.email.mail.MailSettings;
import com.ecomcrm.email.secrets.SecretCipher;
import com.ecomcrm.email.secrets.SecretKeys;
import com.ecomcrm.tracking.TrackingLinks;
import com.ecomcrm.email.render.TemplateRenderer;
import com.ecomcrm.schema.PostgresMigrator;
import com.ecomcrm.schema.PostgresTarget;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.zaxxer.hikari.HikariDataSource;
import com.ecomcrm.testing.mail.DkimVerifier;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/** The sending rules (frequency cap, quiet hours, plan quota) and DKIM, on real PostgreSQL and GreenMail. */
class EmailRulesTest {
    @RegisterExtension
    static final GreenMailExtension SMTP = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static final ShopId SHOP = ShopId.of("acme.myshopify.com");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        private volatile Instant now;

        TestClock(Instant now) {
            this.now = now;
        }

        void set(Instant t) {
            now = t;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @TempDir
    Path tmp;

    private String schema;
    private PostgresTarget target;
    private HikariDataSource ds;
    private JdbcTemplate jdbc;
    private FlowStore flows;
    private TemplateStore templates;
    private TemplateRenderer renderer;
    private final TrackingLinks links = new TrackingLinks(TrackingLinks.DEV_KEY, TrackingLinks.DEFAULT_PUBLIC_URL);
    private final TestClock clock = new TestClock(Instant.parse("2026-03-04T15:00:00Z"));

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
        flows.ensureLibrary(SHOP);
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

    private SendWorker worker(Map<String, String> env) {
        return new SendWorker(ds, templates, renderer, new MailSender(MailSettings.local(SMTP.getSmtp().getPort())),
                links, "w-" + UUID.randomUUID(), Duration.ofMinutes(5), clock, env);
    }

    private SendWorker worker() {
        return worker(Map.of());
    }

    private void shop(String plan, String timezone) {
        jdbc.update("INSERT INTO shops (shop_domain, plan, timezone) VALUES (?, ?, ?)", SHOP.domain(), plan, timezone);
    }

    private void settings(int capCount, int capHours, boolean quiet) {
        jdbc.update("INSERT INTO shop_email_settings (shop_domain, frequency_cap_count, frequency_cap_hours, "
                + "quiet_hours_enabled) VALUES (?, ?, ?, ?)", SHOP.domain(), capCount, capHours, quiet);
    }

    private void enable(FlowKind kind, Map<String, String> flowSettings) {
        long id = templates.create(SHOP, kind.key() + "-t", "Hello ${customer.first_name}",
                "<html><body><p>Hi ${customer.first_name}</p><a href=\"${unsubscribe_url}\">Unsubscribe</a>"
                        + "</body></html>", "Hi ${customer.first_name}");
        var s = JSON.createObjectNode().put("from_name", "Acme");
        flowSettings.forEach(s::put);
        flows.configure(SHOP, kind, 0, null, s, id);
        flows.setEnabled(SHOP, kind, true);
    }

    private long schedule(FlowKind kind, long customer, String email, Instant due) {
        long flow = flows.find(SHOP, kind).orElseThrow().id();
        jdbc.update("INSERT INTO consent VALUES (?, ?, ?, 'SUBSCRIBED', now()) ON CONFLICT DO NOTHING",
                SHOP.domain(), customer, email);
        return jdbc.queryForObject("INSERT INTO sends (shop_domain, flow_id, customer_id, email, trigger_key, "
                + "idempotency_key, due_at, merge_data) VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb) RETURNING id", Long.class,
                SHOP.domain(), flow, customer, email, "t" + UUID.randomUUID(), SHOP.domain() + "|" + UUID.randomUUID(),
                Timestamp.from(due), "{\"customer\":{\"first_name\":\"C" + customer + "\",\"email\":\"" + email + "\"}}");
    }

    private String row(long id) {
        return jdbc.queryForObject("SELECT status || ' ' || coalesce(skip_reason, '-') || ' ' "
                + "|| coalesce(defer_reason, '-') || ' ' || to_char(due_at AT TIME ZONE 'UTC', "
                + "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM sends WHERE id = ?", String.class, id);
    }

    // ------------------------------------------------------------------------------------------ frequency cap

    @Test
    void aCappedSendIsRescheduledToWhenTheCapAllowsAndThankYouIsExempt() {
        settings(1, 24, false);
        enable(FlowKind.WELCOME, Map.of());
        enable(FlowKind.REVIEW_REQUEST, Map.of());
        enable(FlowKind.POST_PURCHASE_THANK_YOU, Map.of());
        Instant t0 = clock.instant();
        long welcome = schedule(FlowKind.WELCOME, 7, "seven@example.com", t0.minusSeconds(60));
        assertThat(worker().drain(10)).isEqualTo(1);
        assertThat(row(welcome)).startsWith("SENT");

        clock.set(t0.plus(Duration.ofHours(3)));
        long review = schedule(FlowKind.REVIEW_REQUEST, 7, "seven@example.com", clock.instant().minusSeconds(1));
        long thanks = schedule(FlowKind.POST_PURCHASE_THANK_YOU, 7, "seven@example.com", clock.instant());
        assertThat(worker().drain(10)).isEqualTo(2);
        // The review request waits until 24 h after the welcome; the thank-you is exempt and goes now.
        assertThat(row(review)).isEqualTo("SCHEDULED - frequency_cap 2026-03-05T15:00:00Z");
        assertThat(row(thanks)).startsWith("SENT");
        assertThat(jdbc.queryForObject("SELECT attempts || '/' || deferrals FROM sends WHERE id = ?", String.class,
                review)).isEqualTo("0/1");
        assertThat(SMTP.getReceivedMessages()).hasSize(2);

        clock.set(Instant.parse("2026-03-05T14:59:59Z"));
        assertThat(worker().drain(10)).isZero(); // not due yet
        clock.set(Instant.parse("2026-03-05T15:00:00Z"));
        assertThat(worker().drain(10)).isEqualTo(1);
        assertThat(row(review)).startsWith("SENT");
        assertThat(SMTP.getReceivedMessages()).hasSize(3);
    }

    @Test
    void aSendWaitsForTheCapWhileAnotherWorkerIsSendingToTheSameRecipientAndTheInFlightSendCountsAgainstTheQuota() {
        jdbc.update("INSERT INTO plan_limits VALUES ('three', 3, 10)");
        shop("three", "UTC");
        settings(1, 24, false);
        enable(FlowKind.WELCOME, Map.of());
        enable(FlowKind.WIN_BACK, Map.of());
        enable(FlowKind.POST_PURCHASE_THANK_YOU, Map.of());
        Instant t0 = clock.instant();
        // Another worker is sending these right now (claimed, not yet marked): one to the address, one to the
        // customer id of the sends below; both have a smaller id, so they count.
        long byAddress = schedule(FlowKind.WELCOME, 21, "same@example.com", t0.minusSeconds(60));
        long byCustomer = schedule(FlowKind.WELCOME, 22, "other@example.com", t0.minusSeconds(60));
        jdbc.update("UPDATE sends SET status = 'SENDING', claimed_by = 'another-worker', "
                + "claimed_until = now() + interval '5 minutes' WHERE id IN (?, ?)", byAddress, byCustomer);
        long toAddress = schedule(FlowKind.WIN_BACK, 99, "same@example.com", t0.minusSeconds(30));
        long toCustomer = schedule(FlowKind.WIN_BACK, 22, "renamed@example.com", t0.minusSeconds(20));
        long exempt = schedule(FlowKind.POST_PURCHASE_THANK_YOU, 23, "third@example.com", t0.minusSeconds(10));

        SendWorker w = worker();
        assertThat(w.drain(1)).isEqualTo(3); // one at a time, in due order
        // Racing a send in flight to the same address, or to the same customer: deferred by the cap (counted as
        // sent now, so a day from now).
        assertThat(row(toAddress)).isEqualTo("SCHEDULED - frequency_cap 2026-03-05T15:00:00Z");
        assertThat(row(toCustomer)).isEqualTo("SCHEDULED - frequency_cap 2026-03-05T15:00:00Z");
        // The thank-you is exempt from the cap, and 2 in flight + 0 sent is within the quota of 3.
        assertThat(row(exempt)).startsWith("SENT");
        assertThat(SMTP.getReceivedMessages()).hasSize(1);

        // Now 1 sent + 2 in flight = 3: the next one is held for quota, not sent.
        long over = schedule(FlowKind.POST_PURCHASE_THANK_YOU, 24, "fourth@example.com", clock.instant());
        assertThat(w.drain(1)).isEqualTo(1);
        assertThat(row(over)).startsWith("HELD quota");
        assertThat(SMTP.getReceivedMessages()).hasSize(1);
    }

    @Test
    void aCapOfTwoPerWeekLetsTheSecondThroughAndDefersTheThird() {
        settings(2, 7 * 24, false);
        enable(FlowKind.WELCOME, Map.of());
        enable(FlowKind.WIN_BACK, Map.of());
        enable(FlowKind.VIP, Map.of());
        Instant t0 = clock.instant();
        long a = schedule(FlowKind.WELCOME, 8, "e@example.com", t0.minusSeconds(3));
        long b = schedule(FlowKind.WIN_BACK, 8, "e@example.com", t0.minusSeconds(2));
        long c = schedule(FlowKind.VIP, 8, "e@example.com", t0.minusSeconds(1));
        worker().drain(1);
        worker().drain(1);
        assertThat(row(a)).startsWith("SENT");
        assertThat(row(b)).startsWith("SENT");
        assertThat(row(c)).isEqualTo("SCHEDULED - frequency_cap 2026-03-11T15:00:00Z");
    }

    // ------------------------------------------------------------------------------------------ quiet hours

    @Test
    void quietHoursEndAtTheLocalEndAcrossDaylightSavingChanges() {
        LocalTime nine = LocalTime.of(21, 0);
        LocalTime eight = LocalTime.of(8, 0);
        // Spring forward 2026-03-08 02:00 EST -> 03:00 EDT: Saturday 22:30 EST is 03:30Z; 08:00 EDT is 12:00Z.
        assertThat(SendingRules.quietUntil(Instant.parse("2026-03-08T03:30:00Z"), NEW_YORK, nine, eight))
                .contains(Instant.parse("2026-03-08T12:00:00Z"));
        // The Saturday before, still EST: 08:00 EST is 13:00Z.
        assertThat(SendingRules.quietUntil(Instant.parse("2026-03-07T04:00:00Z"), NEW_YORK, nine, eight))
                .contains(Instant.parse("2026-03-07T13:00:00Z"));
        // Fall back 2026-11-01 02:00 EDT -> 01:00 EST: Saturday 22:00 EDT is 02:00Z; Sunday 08:00 EST is 13:00Z.
        assertThat(SendingRules.quietUntil(Instant.parse("2026-11-01T02:00:00Z"), NEW_YORK, nine, eight))
                .contains(Instant.parse("2026-11-01T13:00:00Z"));
        // Outside quiet hours: nothing; 21:00 local starts them, 08:00 local ends them.
        assertThat(SendingRules.quietUntil(Instant.parse("2026-03-09T00:59:59Z"), NEW_YORK, nine, eight)).isEmpty();
        assertThat(SendingRules.quietUntil(Instant.parse("2026-03-09T01:00:00Z"), NEW_YORK, nine, eight))
                .contains(Instant.parse("2026-03-09T12:00:00Z"));
        assertThat(SendingRules.quietUntil(Instant.parse("2026-03-09T12:00:00Z"), NEW_YORK, nine, eight)).isEmpty();
        // An end inside the spring-forward gap (02:30 does not exist that day): the quiet ends at 03:00 EDT = 07:00Z.
        assertThat(SendingRules.quietUntil(Instant.parse("2026-03-08T06:30:00Z"), NEW_YORK, LocalTime.of(1, 0),
                LocalTime.of(2, 30))).contains(Instant.parse("2026-03-08T07:00:00Z"));
        // An end in the fall-back overlap (01:30 happens twice): its first occurrence, 01:30 EDT = 05:30Z.
        assertThat(SendingRules.quietUntil(Instant.parse("2026-11-01T04:10:00Z"), NEW_YORK, LocalTime.of(0, 0),
                LocalTime.of(1, 30))).contains(Instant.parse("2026-11-01T05:30:00Z"));
        // A daytime window, and start = end (none).
        assertThat(SendingRules.quietUntil(Instant.parse("2026-03-04T17:30:00Z"), ZoneOffset.UTC,
                LocalTime.of(17, 0), LocalTime.of(18, 0))).contains(Instant.parse("2026-03-04T18:00:00Z"));
        assertThat(SendingRules.quietUntil(Instant.parse("2026-03-04T17:30:00Z"), ZoneOffset.UTC, eight, eight))
                .isEmpty();
    }

    @Test
    void aSendDueInQuietHoursIsMovedToTheirEndInTheShopsTimeZoneAcrossTheDstChange() {
        shop("starter", "America/New_York");
        enable(FlowKind.WELCOME, Map.of()); // no settings row: defaults, quiet 21:00-08:00, cap 1 per 24 h
        clock.set(Instant.parse("2026-03-08T03:30:00Z")); // Saturday 22:30 EST; the clocks go forward at 02:00
        long id = schedule(FlowKind.WELCOME, 1, "ny@example.com", clock.instant().minusSeconds(60));
        assertThat(worker().drain(10)).isEqualTo(1);
        assertThat(SMTP.getReceivedMessages()).isEmpty();
        assertThat(row(id)).isEqualTo("SCHEDULED - quiet_hours 2026-03-08T12:00:00Z"); // 08:00 EDT, not 13:00Z

        clock.set(Instant.parse("2026-03-08T11:59:00Z"));
        assertThat(worker().drain(10)).isZero();
        clock.set(Instant.parse("2026-03-08T12:00:00Z"));
        assertThat(worker().drain(10)).isEqualTo(1);
        assertThat(row(id)).startsWith("SENT");
        assertThat(SMTP.getReceivedMessages()).hasSize(1);
    }

    @Test
    void aCapThatEndsInQuietHoursMovesOnToTheirEnd() {
        shop("starter", "America/New_York");
        enable(FlowKind.WELCOME, Map.of());
        enable(FlowKind.VIP, Map.of());
        clock.set(Instant.parse("2026-03-04T02:30:00Z")); // 21:30 EST: quiet
        long first = schedule(FlowKind.WELCOME, 3, "three@example.com", Instant.parse("2026-03-03T23:00:00Z"));
        worker().drain(10);
        assertThat(row(first)).isEqualTo("SCHEDULED - quiet_hours 2026-03-04T13:00:00Z");
        clock.set(Instant.parse("2026-03-04T13:00:00Z"));
        worker().drain(10);
        assertThat(row(first)).startsWith("SENT");
        // 24 h later is 08:00 EST, the end of quiet hours: allowed then. Make the cap end at 23:00 EST instead.
        jdbc.update("UPDATE sends SET sent_at = '2026-03-05T04:00:00Z' WHERE id = ?", first);
        clock.set(Instant.parse("2026-03-05T14:00:00Z"));
        long second = schedule(FlowKind.VIP, 3, "three@example.com", clock.instant());
        worker().drain(10);
        // cap until 2026-03-06T04:00Z = 23:00 EST, quiet until 08:00 EST = 13:00Z.
        assertThat(row(second)).isEqualTo("SCHEDULED - frequency_cap+quiet_hours 2026-03-06T13:00:00Z");
    }

    // ------------------------------------------------------------------------------------------ quota

    @Test
    void overQuotaSendsAreHeldAndResumeNextMonthInTheShopsTimeZoneOrAfterAnUpgrade() {
        jdbc.update("INSERT INTO plan_limits VALUES ('tiny', 2, 10)");
        shop("tiny", "America/New_York");
        settings(0, 24, false); // no cap, no quiet hours: only the quota here
        enable(FlowKind.WELCOME, Map.of());
        clock.set(Instant.parse("2026-03-31T16:00:00Z"));
        long a = schedule(FlowKind.WELCOME, 1, "a@example.com", clock.instant().minusSeconds(3));
        long b = schedule(FlowKind.WELCOME, 2, "b@example.com", clock.instant().minusSeconds(2));
        long c = schedule(FlowKind.WELCOME, 3, "c@example.com", clock.instant().minusSeconds(1));
        SendWorker w = worker();
        assertThat(w.drain(10)).isEqualTo(3);
        assertThat(row(a)).startsWith("SENT");
        assertThat(row(b)).startsWith("SENT");
        assertThat(row(c)).startsWith("HELD quota");
        assertThat(w.releaseQuotaHolds()).isZero();

        // 2026-04-01T03:00Z is still March 31, 23:00 in New York: same month, still over quota.
        clock.set(Instant.parse("2026-04-01T03:00:00Z"));
        assertThat(w.releaseQuotaHolds()).isZero();
        // 01:00 on April 1 in New York: a new month; the held send is scheduled again and goes.
        clock.set(Instant.parse("2026-04-01T05:00:00Z"));
        assertThat(w.releaseQuotaHolds()).isEqualTo(1);
        assertThat(row(c)).startsWith("SCHEDULED");
        assertThat(w.drain(10)).isEqualTo(1);
        assertThat(row(c)).startsWith("SENT");

        // April: 1 of 2 used. Two more: one goes, one is held; an upgrade releases it.
        long d = schedule(FlowKind.WELCOME, 4, "d@example.com", clock.instant().minusSeconds(2));
        long e = schedule(FlowKind.WELCOME, 5, "e@example.com", clock.instant().minusSeconds(1));
        assertThat(w.drain(10)).isEqualTo(2);
        assertThat(row(d)).startsWith("SENT");
        assertThat(row(e)).startsWith("HELD quota");
        jdbc.update("UPDATE shops SET plan = 'starter' WHERE shop_domain = ?", SHOP.domain());
        EmailJobs jobs = new EmailJobs(ds);
        jobs.run(jobs.sendJob(w, 10)); // the send job's release step, then the drain
        assertThat(row(e)).startsWith("SENT");
        assertThat(SMTP.getReceivedMessages()).hasSize(5);
        // Held-for-review sends (outcome unknown) are never released by the quota step.
        jdbc.update("UPDATE sends SET status = 'HELD', skip_reason = 'lease_expired_outcome_unknown' WHERE id = ?", a);
        assertThat(w.releaseQuotaHolds()).isZero();
    }

    // ------------------------------------------------------------------------------------------ DKIM

    private KeyPair dkimKey(String domain, String selector, boolean verified) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair pair = g.generateKeyPair();
        Path pem = tmp.resolve(domain + ".pem");
        Files.writeString(pem, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        jdbc.update("INSERT INTO sender_domains (shop_domain, domain, dkim_selector, dkim_key_ref, verified_at) "
                + "VALUES (?, ?, ?, ?, ?)", SHOP.domain(), domain, selector, "file:" + pem,
                verified ? Timestamp.from(Instant.now()) : null);
        return pair;
    }

    @Test
    void mailFromAVerifiedSenderDomainIsDkimSignedAndTheSignatureVerifies() throws Exception {
        settings(0, 24, false);
        KeyPair pair = dkimKey("acme.example", "ecm1", true);
        enable(FlowKind.WELCOME, Map.of("from_address", "hello@news.acme.example"));
        long id = schedule(FlowKind.WELCOME, 1, "alex@example.com", clock.instant().minusSeconds(1));
        assertThat(worker().drain(10)).isEqualTo(1);
        assertThat(row(id)).startsWith("SENT");
        MimeMessage m = SMTP.getReceivedMessages()[0];
        assertThat(m.getMessageID()).isEqualTo(jdbc.queryForObject("SELECT message_id FROM sends", String.class));
        assertDkimVerifies(m, pair.getPublic(), "acme.example", "ecm1");
    }

    /**
     * Checks the message's DKIM-Signature as a receiver would (RFC 6376): d= and s=, the signed headers, the body
     * hash recomputed here, and b= verified with {@code publicKey} over the relaxed-canonicalized signed headers.
     */
    private static void assertDkimVerifies(MimeMessage m, java.security.PublicKey publicKey, String domain,
                                           String selector) throws Exception {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        m.writeTo(raw);
        // Body hash recomputed and b= verified with the public key (throws AssertionError otherwise).
        Map<String, String> tags = DkimVerifier.verify(raw.toByteArray(), publicKey);
        assertThat(tags).containsEntry("v", "1").containsEntry("a", "rsa-sha256").containsEntry("d", domain)
                .containsEntry("s", selector).containsEntry("c", "relaxed/relaxed");
        assertThat(List.of(tags.get("h").toLowerCase(Locale.ROOT).split(":"))).contains("from", "to", "subject",
                "date", "message-id", "list-unsubscribe", "list-unsubscribe-post");
    }

    @Test
    void anUnverifiedSenderDomainSendsUnsigned() throws Exception {
        settings(0, 24, false);
        dkimKey("acme.example", "ecm1", false);
        enable(FlowKind.WELCOME, Map.of("from_address", "hello@acme.example"));
        schedule(FlowKind.WELCOME, 1, "alex@example.com", clock.instant().minusSeconds(1));
        assertThat(worker().drain(10)).isEqualTo(1);
        assertThat(SMTP.getReceivedMessages()[0].getHeader("DKIM-Signature")).isNull();
    }

    @Test
    void aVerifiedDomainWhoseKeyIsMissingIsRetriedNotSentUnsigned() {
        settings(0, 24, false);
        jdbc.update("INSERT INTO sender_domains (shop_domain, domain, dkim_selector, dkim_key_ref, verified_at) "
                + "VALUES (?, 'acme.example', 's', 'env:ECOMCRM_NO_SUCH_DKIM_KEY', now())", SHOP.domain());
        enable(FlowKind.WELCOME, Map.of("from_address", "hello@acme.example"));
        long id = schedule(FlowKind.WELCOME, 1, "alex@example.com", clock.instant().minusSeconds(1));
        assertThat(worker().drain(10)).isEqualTo(1);
        assertThat(SMTP.getReceivedMessages()).isEmpty();
        assertThat(row(id)).startsWith("SCHEDULED");
        assertThat(jdbc.queryForObject("SELECT last_error FROM sends", String.class)).startsWith("dkim_key:");
    }

    @Test
    void aVerifiedDomainSetUpThroughTheApiIsSignedWithItsSealedKey() throws Exception {
        settings(0, 24, false);
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(g.generateKeyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        byte[] sealed = seal(pem, "dkim_key|" + SHOP.domain() + "|acme.example", "k9", key);
        jdbc.update("INSERT INTO sender_domains (shop_domain, domain, dkim_selector, dkim_key_ref, dkim_private_key, "
                + "verified_at) VALUES (?, 'acme.example', 'ecomcrm1', 'sealed:', ?, now())", SHOP.domain(), sealed);
        enable(FlowKind.WELCOME, Map.of("from_address", "hello@acme.example"));
        long id = schedule(FlowKind.WELCOME, 1, "alex@example.com", clock.instant().minusSeconds(1));

        assertThat(worker(Map.of("ECOMCRM_TOKEN_KEYS", "k9:" + Base64.getEncoder().encodeToString(key))).drain(10))
                .isEqualTo(1);

        assertThat(row(id)).startsWith("SENT");
        String signature = SMTP.getReceivedMessages()[0].getHeader("DKIM-Signature")[0];
        assertThat(DkimVerifier.tags(signature)).containsEntry("d", "acme.example").containsEntry("s", "ecomcrm1");
    }

    @Test
    void aSealedKeyThatDoesNotOpenIsRetriedNotSentUnsigned() throws Exception {
        settings(0, 24, false);
        byte[] key = new byte[32];
        // Sealed for another shop: the context does not match, so it must not open here.
        byte[] sealed = seal("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                "dkim_key|other.myshopify.com|acme.example", "k9", key);
        jdbc.update("INSERT INTO sender_domains (shop_domain, domain, dkim_selector, dkim_key_ref, dkim_private_key, "
                + "verified_at) VALUES (?, 'acme.example', 'ecomcrm1', 'sealed:', ?, now())", SHOP.domain(), sealed);
        enable(FlowKind.WELCOME, Map.of("from_address", "hello@acme.example"));
        long id = schedule(FlowKind.WELCOME, 1, "alex@example.com", clock.instant().minusSeconds(1));

        assertThat(worker(Map.of("ECOMCRM_TOKEN_KEYS", "k9:" + Base64.getEncoder().encodeToString(key))).drain(10))
                .isEqualTo(1);

        assertThat(SMTP.getReceivedMessages()).isEmpty();
        assertThat(row(id)).startsWith("SCHEDULED");
        assertThat(jdbc.queryForObject("SELECT last_error FROM sends", String.class))
                .startsWith("dkim_key: Cannot decrypt dkim_key|" + SHOP.domain() + "|acme.example");
    }

    @Test
    void theShopsSenderNameAndReplyToFromItsSettingsAreUsed() throws Exception {
        settings(0, 24, false);
        jdbc.update("UPDATE shop_email_settings SET from_name = 'Acme Linen', reply_to = 'owner@acme.example' "
                + "WHERE shop_domain = ?", SHOP.domain());
        enable(FlowKind.WELCOME, Map.of());
        // A flow's own from_name would win; this flow has none.
        jdbc.update("UPDATE flows SET settings = '{}'::jsonb WHERE shop_domain = ?", SHOP.domain());
        schedule(FlowKind.WELCOME, 1, "alex@example.com", clock.instant().minusSeconds(1));

        assertThat(worker().drain(10)).isEqualTo(1);

        MimeMessage m = SMTP.getReceivedMessages()[0];
        assertThat(((jakarta.mail.internet.InternetAddress) m.getFrom()[0]).getPersonal()).isEqualTo("Acme Linen");
        assertThat(m.getReplyTo()[0].toString()).isEqualTo("owner@acme.example");
    }

    @Test
    void theMerchantsOwnFromAddressAtTheVerifiedDomainIsUsedAndSignedWithThatDomainsKey() throws Exception {
        settings(0, 24, false);
        shop("growth", "UTC"); // the own sender domain is a Growth feature (PlanLimitsSendTest: Free falls back)
        jdbc.update("UPDATE shops SET name = 'Acme Linen', email = 'owner@gmail.example' WHERE shop_domain = ?",
                SHOP.domain());
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair pair = g.generateKeyPair();
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        byte[] sealed = seal(pem(pair), "dkim_key|" + SHOP.domain() + "|acme.example", "k9", key);
        jdbc.update("INSERT INTO sender_domains (shop_domain, domain, dkim_selector, dkim_key_ref, dkim_private_key, "
                + "verified_at) VALUES (?, 'acme.example', 'ecomcrm1', 'sealed:', ?, now())", SHOP.domain(), sealed);
        jdbc.update("UPDATE shop_email_settings SET from_address = 'hello@acme.example', "
                + "postal_address = '1 Linen Street, Springfield' WHERE shop_domain = ?", SHOP.domain());
        enable(FlowKind.WELCOME, Map.of());
        jdbc.update("UPDATE flows SET settings = '{}'::jsonb WHERE shop_domain = ?", SHOP.domain());
        jdbc.update("UPDATE template_versions SET body_html = body_html || '<p>${shop.address}</p>' "
                + "WHERE shop_domain = ?", SHOP.domain());
        long id = schedule(FlowKind.WELCOME, 1, "alex@example.com", clock.instant().minusSeconds(1));

        assertThat(worker(Map.of("ECOMCRM_TOKEN_KEYS", "k9:" + Base64.getEncoder().encodeToString(key))).drain(10))
                .isEqualTo(1);

        assertThat(row(id)).startsWith("SENT");
        MimeMessage m = SMTP.getReceivedMessages()[0];
        jakarta.mail.internet.InternetAddress from = (jakarta.mail.internet.InternetAddress) m.getFrom()[0];
        assertThat(from.getAddress()).isEqualTo("hello@acme.example");
        assertThat(from.getPersonal()).isEqualTo("Acme Linen");
        // Replies reach the From address itself: it is the merchant's own mailbox now.
        assertThat(m.getHeader("Reply-To")).isNull();
        assertThat(MailSender.textFromHtml(html(m))).contains("1 Linen Street, Springfield");
        assertDkimVerifies(m, pair.getPublic(), "acme.example", "ecomcrm1");
    }

    @Test
    void beforeTheDomainIsVerifiedMailGoesFromTheAppInTheShopsNameWithRepliesToTheMerchant() throws Exception {
        settings(0, 24, false);
        shop("free", "UTC");
        jdbc.update("UPDATE shops SET name = 'Acme Linen', email = 'owner@gmail.example' WHERE shop_domain = ?",
                SHOP.domain());
        dkimKey("acme.example", "ecm1", false);
        jdbc.update("UPDATE shop_email_settings SET from_address = 'hello@acme.example' WHERE shop_domain = ?",
                SHOP.domain());
        enable(FlowKind.WELCOME, Map.of());
        jdbc.update("UPDATE flows SET settings = '{}'::jsonb WHERE shop_domain = ?", SHOP.domain());
        schedule(FlowKind.WELCOME, 1, "alex@example.com", clock.instant().minusSeconds(1));

        assertThat(worker().drain(10)).isEqualTo(1);

        MimeMessage m = SMTP.getReceivedMessages()[0];
        jakarta.mail.internet.InternetAddress from = (jakarta.mail.internet.InternetAddress) m.getFrom()[0];
        assertThat(from.getAddress()).isEqualTo("no-reply@mail.ecomcrm.local");
        assertThat(from.getPersonal()).isEqualTo("Acme Linen");
        assertThat(m.getReplyTo()[0].toString()).isEqualTo("owner@gmail.example");
        assertThat(m.getHeader("DKIM-Signature")).isNull();
    }

    private static String pem(KeyPair pair) {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    }

    /** The HTML part of a multipart/alternative message. */
    private static String html(MimeMessage m) throws Exception {
        jakarta.mail.Multipart parts = (jakarta.mail.Multipart) m.getContent();
        for (int i = 0; i < parts.getCount(); i++) {
            if (parts.getBodyPart(i).isMimeType("text/html")) {
                return (String) parts.getBodyPart(i).getContent();
            }
        }
        throw new AssertionError("no HTML part");
    }

    /** Sealed as the API server seals a sender domain's key: the one cipher both processes share. */
    private static byte[] seal(String plaintext, String context, String keyId, byte[] key) {
        return new SecretCipher(SecretKeys.parse(keyId + ":" + Base64.getEncoder().encodeToString(key)))
                .encrypt(plaintext, context);
    }
}
