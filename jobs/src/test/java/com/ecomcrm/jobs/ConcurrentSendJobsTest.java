package com.ecomcrm.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.email.mail.MailSender;
import com.ecomcrm.email.mail.MailSettings;
import com.ecomcrm.email.render.TemplateRenderer;
import com.ecomcrm.schema.PostgresMigrator;
import com.ecomcrm.schema.PostgresTarget;
import com.ecomcrm.tracking.TrackingLinks;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.zaxxer.hikari.HikariDataSource;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.JobExecution;
import org.springframework.jdbc.core.JdbcTemplate;

/** Several send jobs launched at once, as {@link JobsMain} runs them: each due email goes out exactly once. */
class ConcurrentSendJobsTest {
    @RegisterExtension
    static final GreenMailExtension SMTP = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static final ShopId SHOP = ShopId.of("concurrent.myshopify.com");

    private String schema;
    private PostgresTarget target;
    private HikariDataSource ds;
    private JdbcTemplate jdbc;

    @BeforeEach
    void setUp() {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "ECOMCRM_PG_URL is not set: PostgreSQL tests skipped");
        target = PostgresTarget.fromEnv();
        schema = "ecomcrm_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
                .toLowerCase(Locale.ROOT);
        PostgresMigrator.migrate(target, schema);
        ds = Database.pool(target, schema, JobsMain.poolSize(4));
        jdbc = new JdbcTemplate(ds);
    }

    @AfterEach
    void tearDown() {
        if (ds == null) {
            return;
        }
        ds.close();
        try (HikariDataSource admin = Database.pool(target, null, 1)) {
            new JdbcTemplate(admin).execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Test
    void fourSendJobsLaunchedAtOnceAllCompleteAndSendEachDueEmailExactlyOnce() throws Exception {
        FlowStore flows = new FlowStore(ds);
        TemplateStore templates = new TemplateStore(ds);
        flows.ensureLibrary(SHOP);
        jdbc.update("INSERT INTO shops (shop_domain, installed_at, plan) VALUES (?, now(), 'pro')", SHOP.domain());
        jdbc.update("INSERT INTO shop_email_settings (shop_domain, quiet_hours_enabled) VALUES (?, false)",
                SHOP.domain());
        long template = templates.create(SHOP, "welcome", "Hello ${customer.first_name}",
                "<html><body><p>Hi ${customer.first_name}</p><a href=\"https://acme.example/\">Shop</a></body></html>",
                null);
        flows.configure(SHOP, FlowKind.WELCOME, 0, null, null, template);
        flows.setEnabled(SHOP, FlowKind.WELCOME, true);
        long flowId = flows.find(SHOP, FlowKind.WELCOME).orElseThrow().id();
        int due = 240;
        for (int i = 0; i < due; i++) {
            String email = "c" + i + "@example.com";
            jdbc.update("INSERT INTO consent (shop_domain, customer_id, email, marketing_state, updated_at) "
                    + "VALUES (?, ?, ?, 'SUBSCRIBED', now())", SHOP.domain(), i, email);
            jdbc.update("INSERT INTO sends (shop_domain, flow_id, customer_id, email, trigger_key, idempotency_key, "
                    + "due_at, merge_data) VALUES (?, ?, ?, ?, ?, ?, now() - interval '1 minute', ?::jsonb)",
                    SHOP.domain(), flowId, i, email, "t" + i, SHOP.domain() + "|welcome|c" + i + "|t" + i,
                    "{\"customer\":{\"first_name\":\"C" + i + "\",\"last_name\":\"\",\"email\":\"" + email + "\"}}");
        }
        List<SendWorker> workers = new ArrayList<>();
        try (TemplateRenderer renderer = new TemplateRenderer(templates)) {
            MailSender mail = new MailSender(MailSettings.local(SMTP.getSmtp().getPort()));
            TrackingLinks links = new TrackingLinks(TrackingLinks.DEV_KEY, TrackingLinks.DEFAULT_PUBLIC_URL);
            for (int w = 0; w < 4; w++) {
                workers.add(new SendWorker(ds, templates, renderer, mail, links, "w" + w, Duration.ofMinutes(5)));
            }

            List<JobExecution> executions = JobsMain.runSendJobs(new EmailJobs(ds), workers, null);

            assertThat(executions).hasSize(4).allSatisfy(e ->
                    assertThat(e.getStatus()).isEqualTo(BatchStatus.COMPLETED));
        }
        Set<String> received = new HashSet<>();
        for (MimeMessage message : SMTP.getReceivedMessages()) {
            assertThat(received.add(message.getMessageID())).as("sent twice: %s", message.getMessageID()).isTrue();
        }
        assertThat(received).hasSize(due);
        assertThat(jdbc.queryForList("SELECT message_id FROM sends WHERE status = 'SENT'", String.class))
                .containsExactlyInAnyOrderElementsOf(received);
        // The claims were really shared: more than one worker sent.
        assertThat(jdbc.queryForObject("SELECT count(DISTINCT claimed_by) FROM sends", Integer.class))
                .isGreaterThan(1);
    }

    @Test
    void theNumberOfSendWorkersComesFromTheEnvironmentWithinBounds() {
        assertThat(JobsMain.sendWorkers(Map.of())).isEqualTo(JobsMain.DEFAULT_SEND_WORKERS);
        assertThat(JobsMain.sendWorkers(Map.of("ECOMCRM_SEND_WORKERS", " 8 "))).isEqualTo(8);
        assertThatThrownBy(() -> JobsMain.sendWorkers(Map.of("ECOMCRM_SEND_WORKERS", "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ECOMCRM_SEND_WORKERS must be a whole number from 1 to 32, not '0'");
        assertThatThrownBy(() -> JobsMain.sendWorkers(Map.of("ECOMCRM_SEND_WORKERS", "many")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ECOMCRM_SEND_WORKERS must be a whole number from 1 to 32, not 'many'");
    }
}
