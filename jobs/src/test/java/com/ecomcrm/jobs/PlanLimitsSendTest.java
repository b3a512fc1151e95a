package com.ecomcrm.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.email.mail.MailSender;
import com.ecomcrm.email.mail.MailSettings;
import com.ecomcrm.email.render.TemplateRenderer;
import com.ecomcrm.schema.PostgresMigrator;
import com.ecomcrm.schema.PostgresTarget;
import com.ecomcrm.testing.mail.DkimVerifier;
import com.ecomcrm.tracking.TrackingLinks;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.zaxxer.hikari.HikariDataSource;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The plan's limits in the send job, on real PostgreSQL and GreenMail: the contacts limit (the newest contacts beyond
 * it get no flow email, nothing is deleted, an upgrade lifts it) and the own sender domain (a shop whose plan lost it
 * sends from the app's address, unsigned, and gets its own address back with the plan).
 */
class PlanLimitsSendTest {
    @RegisterExtension
    static final GreenMailExtension SMTP = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static final ShopId SHOP = ShopId.of("limits.myshopify.com");
    private static final ShopId OTHER = ShopId.of("limits-other.myshopify.com");
    private static final int FREE_CONTACTS = 250;

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
    private final Clock clock = Clock.fixed(Instant.parse("2026-03-04T15:00:00Z"), ZoneOffset.UTC);

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
        for (ShopId shop : new ShopId[] {SHOP, OTHER}) {
            flows.ensureLibrary(shop);
            jdbc.update("INSERT INTO shops (shop_domain, plan, timezone, name, email) VALUES (?, 'free', 'UTC', "
                    + "'Limits', 'owner@gmail.example')", shop.domain());
            // No frequency cap, no quiet hours: only the plan decides here.
            jdbc.update("INSERT INTO shop_email_settings (shop_domain, frequency_cap_count, quiet_hours_enabled) "
                    + "VALUES (?, 0, false)", shop.domain());
            long template = templates.create(shop, "welcome-t", "Hello", "<html><body><p>Hi</p>"
                    + "<a href=\"${unsubscribe_url}\">Unsubscribe</a></body></html>", "Hi");
            flows.configure(shop, FlowKind.WELCOME, 0, null, new com.fasterxml.jackson.databind.ObjectMapper()
                    .createObjectNode(), template);
            flows.setEnabled(shop, FlowKind.WELCOME, true);
        }
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

    @Test
    void overTheContactsLimitTheNewestContactsGetNoFlowEmailUntilAnUpgrade() {
        // Free allows 250 contacts; the shop has 252 (ids 1..252), plus customers who are not contacts.
        contacts(SHOP, 1, FREE_CONTACTS + 2);
        jdbc.update("INSERT INTO consent VALUES (?, 5000, 'never@example.com', 'NOT_SUBSCRIBED', now())", SHOP.domain());
        long oldest = schedule(SHOP, 1);
        long lastWithin = schedule(SHOP, FREE_CONTACTS);
        long beyond = schedule(SHOP, FREE_CONTACTS + 1);
        long newest = schedule(SHOP, FREE_CONTACTS + 2);
        // The other shop has the same customer ids but few contacts: the first shop's limit never applies to it.
        contacts(OTHER, FREE_CONTACTS, 3);
        long otherShops = schedule(OTHER, FREE_CONTACTS + 2);

        assertThat(worker().drain(10)).isEqualTo(5);

        assertThat(status(oldest)).isEqualTo("SENT -");
        assertThat(status(lastWithin)).isEqualTo("SENT -");
        assertThat(status(beyond)).isEqualTo("SKIPPED contacts_limit");
        assertThat(status(newest)).isEqualTo("SKIPPED contacts_limit");
        assertThat(status(otherShops)).isEqualTo("SENT -");
        assertThat(SMTP.getReceivedMessages()).hasSize(3);
        // Nothing is deleted: every contact is still there.
        assertThat(jdbc.queryForObject("SELECT count(*) FROM consent WHERE shop_domain = ?", Long.class,
                SHOP.domain())).isEqualTo(FREE_CONTACTS + 3);

        // A test send is exempt.
        long test = schedule(SHOP, FREE_CONTACTS + 2);
        jdbc.update("UPDATE sends SET is_test = true WHERE id = ?", test);
        assertThat(worker().drain(10)).isEqualTo(1);
        assertThat(status(test)).isEqualTo("SENT -");

        // An unsubscribe below makes room: the limit counts contacts, and 251 is now the 250th.
        jdbc.update("UPDATE consent SET marketing_state = 'UNSUBSCRIBED' WHERE shop_domain = ? AND customer_id = 2",
                SHOP.domain());
        long roomMade = schedule(SHOP, FREE_CONTACTS + 1);
        long stillBeyond = schedule(SHOP, FREE_CONTACTS + 2);
        assertThat(worker().drain(10)).isEqualTo(2);
        assertThat(status(roomMade)).isEqualTo("SENT -");
        assertThat(status(stillBeyond)).isEqualTo("SKIPPED contacts_limit");

        // Starter allows 2,500: the newest contact gets the flow's next email.
        jdbc.update("UPDATE shops SET plan = 'starter' WHERE shop_domain = ?", SHOP.domain());
        long afterUpgrade = schedule(SHOP, FREE_CONTACTS + 2);
        assertThat(worker().drain(10)).isEqualTo(1);
        assertThat(status(afterUpgrade)).isEqualTo("SENT -");
    }

    @Test
    void aShopWhosePlanLostTheOwnSenderDomainSendsFromTheAppsAddressAndGetsItsOwnBackWithThePlan()
            throws Exception {
        jdbc.update("UPDATE shops SET plan = 'growth' WHERE shop_domain = ?", SHOP.domain());
        verifiedDomain(SHOP, "limits.example");
        jdbc.update("UPDATE shop_email_settings SET from_address = 'hello@limits.example' WHERE shop_domain = ?",
                SHOP.domain());
        contacts(SHOP, 1, 3);

        schedule(SHOP, 1);
        worker().drain(10);
        MimeMessage own = SMTP.getReceivedMessages()[0];
        assertThat(((InternetAddress) own.getFrom()[0]).getAddress()).isEqualTo("hello@limits.example");
        assertThat(DkimVerifier.tags(own.getHeader("DKIM-Signature")[0])).containsEntry("d", "limits.example");

        // Downgraded to Starter (no own sender domain): the app's address in the shop's name, replies to the merchant,
        // no signature; the domain and the address stay stored.
        jdbc.update("UPDATE shops SET plan = 'starter' WHERE shop_domain = ?", SHOP.domain());
        schedule(SHOP, 2);
        worker().drain(10);
        MimeMessage fallback = SMTP.getReceivedMessages()[1];
        InternetAddress from = (InternetAddress) fallback.getFrom()[0];
        assertThat(from.getAddress()).isEqualTo("no-reply@mail.ecomcrm.local");
        assertThat(from.getPersonal()).isEqualTo("Limits");
        assertThat(fallback.getReplyTo()[0].toString()).isEqualTo("owner@gmail.example");
        assertThat(fallback.getHeader("DKIM-Signature")).isNull();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM sender_domains WHERE shop_domain = ? "
                + "AND verified_at IS NOT NULL", Long.class, SHOP.domain())).isEqualTo(1);

        // Pro again: the merchant's own address and signature at once.
        jdbc.update("UPDATE shops SET plan = 'pro' WHERE shop_domain = ?", SHOP.domain());
        schedule(SHOP, 3);
        worker().drain(10);
        MimeMessage back = SMTP.getReceivedMessages()[2];
        assertThat(((InternetAddress) back.getFrom()[0]).getAddress()).isEqualTo("hello@limits.example");
        assertThat(back.getHeader("DKIM-Signature")).hasSize(1);
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** A fresh worker: it counts each shop's contacts anew (ContactsLimit re-counts every 30 s in a long run). */
    private SendWorker worker() {
        return new SendWorker(ds, templates, renderer, new MailSender(MailSettings.local(SMTP.getSmtp().getPort())),
                links, "w-" + UUID.randomUUID(), Duration.ofMinutes(5), clock, Map.of());
    }

    private void contacts(ShopId shop, long firstId, int count) {
        jdbc.update("INSERT INTO consent (shop_domain, customer_id, email, marketing_state, updated_at) "
                + "SELECT ?, g, 'c' || g || '@example.com', 'SUBSCRIBED', now() FROM generate_series(?::bigint, ?::bigint) g",
                shop.domain(), firstId, firstId + count - 1);
    }

    private long schedule(ShopId shop, long customer) {
        long flow = flows.find(shop, FlowKind.WELCOME).orElseThrow().id();
        return jdbc.queryForObject("INSERT INTO sends (shop_domain, flow_id, customer_id, email, trigger_key, "
                + "idempotency_key, due_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id", Long.class,
                shop.domain(), flow, customer, "c" + customer + "@example.com", "t" + UUID.randomUUID(),
                shop.domain() + "|" + UUID.randomUUID(), Timestamp.from(clock.instant().minusSeconds(1)));
    }

    private String status(long id) {
        return jdbc.queryForObject("SELECT status || ' ' || coalesce(skip_reason, '-') FROM sends WHERE id = ?",
                String.class, id);
    }

    private void verifiedDomain(ShopId shop, String domain) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        Path pem = tmp.resolve(domain + ".pem");
        Files.writeString(pem, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(g.generateKeyPair().getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        jdbc.update("INSERT INTO sender_domains (shop_domain, domain, dkim_selector, dkim_key_ref, verified_at) "
                + "VALUES (?, ?, 'ecm1', ?, now())", shop.domain(), domain, "file:" + pem);
    }
}
