package com.ecomcrm.jobs;

import static org.assertj.core.api.Assertions.assertThat;
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
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.JobExecution;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The send job at its default concurrency ({@link JobsMain#DEFAULT_SEND_WORKERS} workers launched at once by
 * {@link JobsMain#runSendJobs}, on the pool {@link JobsMain#poolSize} gives them), against real PostgreSQL and a real
 * SMTP server: every due email goes out exactly once, workers that die mid-run leave what they claimed HELD (never
 * resent by the restart), and the plan's quota is never exceeded nor its count lost.
 */
class SendWorkersAtDefaultConcurrencyTest {
    @RegisterExtension
    static final GreenMailExtension SMTP = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static final int WORKERS = JobsMain.DEFAULT_SEND_WORKERS;
    /** Small claims, so that every one of the workers gets some of the few hundred sends. */
    private static final int BATCH = 5;
    private static final ShopId ACME = ShopId.of("acme-concurrency.myshopify.com");
    private static final ShopId GLOBEX = ShopId.of("globex-concurrency.myshopify.com");

    private String schema;
    private PostgresTarget target;
    private HikariDataSource ds;
    private JdbcTemplate jdbc;
    private FlowStore flows;
    private TemplateStore templates;
    private TemplateRenderer renderer;
    private MailSender mail;
    private final TrackingLinks links = new TrackingLinks(TrackingLinks.DEV_KEY, TrackingLinks.DEFAULT_PUBLIC_URL);

    @BeforeEach
    void setUp() {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "ECOMCRM_PG_URL is not set: PostgreSQL tests skipped");
        target = PostgresTarget.fromEnv();
        schema = "ecomcrm_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
                .toLowerCase(Locale.ROOT);
        PostgresMigrator.migrate(target, schema);
        ds = Database.pool(target, schema, JobsMain.poolSize(WORKERS));
        jdbc = new JdbcTemplate(ds);
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
        renderer.close();
        ds.close();
        try (HikariDataSource admin = Database.pool(target, null, 1)) {
            new JdbcTemplate(admin).execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Test
    void theDefaultIsTwentyFourWorkersEachWithAConnectionOfItsOwnInThePool() {
        assertThat(JobsMain.DEFAULT_SEND_WORKERS).isEqualTo(24);
        assertThat(JobsMain.sendWorkers(Map.of())).isEqualTo(24);
        assertThat(JobsMain.poolSize(24)).isEqualTo(29);
        assertThat(JobsMain.poolSize(32)).isEqualTo(37);
        assertThat(ds.getMaximumPoolSize()).isGreaterThan(WORKERS);
    }

    @Test
    void theDefaultWorkersLaunchedAtOnceSendEveryDueEmailOfEveryShopExactlyOnce() throws Exception {
        List<Long> due = new ArrayList<>();
        due.addAll(shopWithDueSends(ACME, "pro", 200));
        due.addAll(shopWithDueSends(GLOBEX, "pro", 200));

        List<JobExecution> executions = JobsMain.runSendJobs(new EmailJobs(ds), workers("w", Duration.ofMinutes(10),
                Map.of(), new ConcurrentHashMap<>(), START_LINE), null, BATCH);

        assertThat(executions).hasSize(WORKERS)
                .allSatisfy(e -> assertThat(e.getStatus()).isEqualTo(BatchStatus.COMPLETED));
        Map<String, Integer> received = received();
        assertThat(received.values()).as("copies of each message the server received").containsOnly(1);
        assertThat(received).hasSize(due.size());
        assertThat(jdbc.queryForList("SELECT message_id FROM sends WHERE status = 'SENT'", String.class))
                .hasSize(due.size()).containsExactlyInAnyOrderElementsOf(received.keySet());
        // Every worker was in the race with claims of its own (the start line holds each at its first email until
        // all have one), so this is the default concurrency, not a few early workers draining everything.
        assertThat(jdbc.queryForObject("SELECT count(DISTINCT claimed_by) FROM sends", Integer.class))
                .isEqualTo(WORKERS);
        // The quota counter of each shop holds every one of its sends, counted once.
        assertThat(monthlyCounter(ACME)).isEqualTo(200);
        assertThat(monthlyCounter(GLOBEX)).isEqualTo(200);
    }

    @Test
    void workersThatDieMidRunLeaveWhatTheyClaimedHeldAndTheRestartSendsNothingTwice() throws Exception {
        List<Long> due = new ArrayList<>();
        due.addAll(shopWithDueSends(ACME, "pro", 200));
        due.addAll(shopWithDueSends(GLOBEX, "pro", 200));
        // Workers 3 and 9 die right after the SMTP server accepted their fourth email: the process is gone before
        // that email's SENT mark (and any other owed mark) is written, with the rest of their claim untouched.
        Map<Integer, Integer> dieAfter = Map.of(3, 4, 9, 4);
        Map<String, Long> deliveredUnmarked = new ConcurrentHashMap<>();
        List<SendWorker> first = workers("first", Duration.ofMinutes(10), dieAfter, deliveredUnmarked,
                START_LINE);

        List<JobExecution> run = JobsMain.runSendJobs(new EmailJobs(ds), first, null, BATCH);

        assertThat(run.get(3).getStatus()).isEqualTo(BatchStatus.FAILED);
        assertThat(run.get(9).getStatus()).isEqualTo(BatchStatus.FAILED);
        assertThat(run).filteredOn(e -> e.getStatus() == BatchStatus.COMPLETED).hasSize(WORKERS - 2);
        assertThat(deliveredUnmarked).hasSize(2);
        // The dead workers' delivered and untouched claims: still SENDING, or already HELD by a live worker of the
        // same run that saw their 1 s lease run out (on a loaded machine the run outlasts it).
        long leftClaimed = count("SENDING") + jdbc.queryForObject("SELECT count(*) FROM sends WHERE status = 'HELD' "
                + "AND skip_reason = 'lease_expired_outcome_unknown'", Long.class);
        assertThat(leftClaimed).as("the dead workers' delivered and untouched claims").isGreaterThanOrEqualTo(2);

        // The restart: new workers, after the dead ones' leases ran out (1 s, see workers()).
        Thread.sleep(1_500);
        List<JobExecution> restart = JobsMain.runSendJobs(new EmailJobs(ds), workers("restart",
                Duration.ofMinutes(10), Map.of()), null, BATCH);

        assertThat(restart).allSatisfy(e -> assertThat(e.getStatus()).isEqualTo(BatchStatus.COMPLETED));
        assertThat(count("SENDING")).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM sends WHERE status = 'HELD' "
                + "AND skip_reason = 'lease_expired_outcome_unknown'", Long.class)).isEqualTo(leftClaimed);
        assertThat(count("SENT") + leftClaimed).isEqualTo(due.size());
        // The two emails whose outcome the ledger does not know went out once and were not sent again.
        for (long sendId : deliveredUnmarked.values()) {
            assertThat(jdbc.queryForObject("SELECT status || ' ' || skip_reason FROM sends WHERE id = ?", String.class,
                    sendId)).isEqualTo("HELD lease_expired_outcome_unknown");
        }
        Map<String, Integer> received = received();
        assertThat(received.values()).as("copies of each message the server received").containsOnly(1);
        List<String> expected = new ArrayList<>(jdbc.queryForList("SELECT message_id FROM sends WHERE status = 'SENT'",
                String.class));
        expected.addAll(deliveredUnmarked.keySet());
        assertThat(received.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        // Counted exactly when marked SENT: the held ones are not in the counter (they count as held instead).
        assertThat(monthlyCounter(ACME) + monthlyCounter(GLOBEX)).isEqualTo(count("SENT"));
    }

    @Test
    void theDefaultWorkersRacingForTheLastUnitsOfQuotaSendExactlyWhatIsLeft() throws Exception {
        jdbc.update("INSERT INTO plan_limits (plan, monthly_emails, contacts) VALUES ('edge', 40, 100000)");
        List<Long> due = shopWithDueSends(ACME, "edge", 120);
        // 15 emails already went out this month (the counter V16 keeps).
        jdbc.update("INSERT INTO shop_monthly_sends (shop_domain, month, sent) VALUES (?, ?, 15)", ACME.domain(),
                java.sql.Date.valueOf(SendingRules.quotaMonth(Instant.now(), ZoneOffset.UTC)));

        untilNothingChanges(() -> workers("w", Duration.ofMinutes(10), Map.of()));

        // Never past the quota, and the whole quota used: the sends held while others were in flight were released.
        assertThat(count("SENT")).isEqualTo(25);
        assertThat(received()).hasSize(25);
        assertThat(received().values()).containsOnly(1);
        assertThat(monthlyCounter(ACME)).isEqualTo(40);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM sends WHERE status = 'HELD' AND skip_reason = 'quota'",
                Long.class)).isEqualTo(due.size() - 25);
    }

    @Test
    void aWorkerDyingAtTheQuotaEdgeNeitherLosesItsCountNorLetsTheOthersOverSend() throws Exception {
        jdbc.update("INSERT INTO plan_limits (plan, monthly_emails, contacts) VALUES ('edge', 40, 100000)");
        List<Long> due = shopWithDueSends(ACME, "edge", 120);
        jdbc.update("INSERT INTO shop_monthly_sends (shop_domain, month, sent) VALUES (?, ?, 15)", ACME.domain(),
                java.sql.Date.valueOf(SendingRules.quotaMonth(Instant.now(), ZoneOffset.UTC)));
        // A worker claims five sends, delivers two and dies before the second one's SENT mark: the first is SENT
        // (its mark rode with the second's check), the second went out unmarked, three were never touched.
        Map<String, Long> deliveredUnmarked = new ConcurrentHashMap<>();
        SendWorker dying = workers("dying", Duration.ofMinutes(10), Map.of(0, 2), deliveredUnmarked).get(0);
        List<JobExecution> run = JobsMain.runSendJobs(new EmailJobs(ds), List.of(dying), null, BATCH);
        assertThat(run.get(0).getStatus()).isEqualTo(BatchStatus.FAILED);
        assertThat(count("SENT")).isEqualTo(1);
        assertThat(count("SENDING")).isEqualTo(4);

        // The restart, once its lease ran out: the default number of workers race for the rest of the quota.
        Thread.sleep(1_500);
        untilNothingChanges(() -> workers("restart", Duration.ofMinutes(10), Map.of()));

        long sent = count("SENT");
        long heldUnknown = jdbc.queryForObject("SELECT count(*) FROM sends WHERE status = 'HELD' "
                + "AND skip_reason = 'lease_expired_outcome_unknown'", Long.class);
        assertThat(deliveredUnmarked).hasSize(1);
        assertThat(heldUnknown).isEqualTo(4);
        // What went out: every SENT email and the one whose mark died with its worker, each once.
        Map<String, Integer> received = received();
        assertThat(received.values()).containsOnly(1);
        assertThat(received).hasSize((int) sent + 1);
        // The quota is never exceeded: the held sends of unknown outcome count as if they had gone out.
        assertThat(15 + received.size()).isLessThanOrEqualTo(40);
        assertThat(sent + heldUnknown).isEqualTo(25);
        // No count lost: the counter holds exactly the SENT ones, on top of the month's earlier 15.
        assertThat(monthlyCounter(ACME)).isEqualTo(15 + sent);
        assertThat(count("SENDING")).isZero();
        assertThat(count("SENT") + count("HELD")).isEqualTo(due.size());
    }

    // ------------------------------------------------------------------------------------------ helpers

    /**
     * Runs the send jobs with fresh workers until a run changes nothing (each run first releases the sends held for
     * quota that the quota now allows: those held while other sends were still in flight).
     */
    private void untilNothingChanges(java.util.function.Supplier<List<SendWorker>> workers) throws Exception {
        String before = "";
        for (int round = 0; round < 8; round++) {
            List<JobExecution> run = JobsMain.runSendJobs(new EmailJobs(ds), workers.get(), null, BATCH);
            assertThat(run).allSatisfy(e -> assertThat(e.getStatus()).isEqualTo(BatchStatus.COMPLETED));
            String now = jdbc.queryForObject("SELECT string_agg(status || ':' || n, ',' ORDER BY status) FROM "
                    + "(SELECT status, count(*) AS n FROM sends GROUP BY status) s", String.class);
            if (now.equals(before)) {
                return;
            }
            before = now;
        }
        throw new AssertionError("The send runs never settled: " + before);
    }

    private List<SendWorker> workers(String prefix, Duration lease, Map<Integer, Integer> dieAfter) {
        return workers(prefix, lease, dieAfter, new ConcurrentHashMap<>());
    }

    private List<SendWorker> workers(String prefix, Duration lease, Map<Integer, Integer> dieAfter,
                                     Map<String, Long> deliveredUnmarked) {
        return workers(prefix, lease, dieAfter, deliveredUnmarked, Duration.ZERO);
    }

    /**
     * A start line for a loaded machine (CI runs other builds beside these tests): with it, each worker waits at its
     * first accepted email until every worker has had one accepted (at most this long), so all {@link #WORKERS} hold
     * claims at once however late some threads start (a worker that is to die only counts itself in: the others
     * cannot pass until it has sent). Without it the first workers to start could drain the few
     * hundred sends before the last ones claim, and a worker meant to die mid-run might never send anything. Only
     * where at least WORKERS x BATCH sends may go (not in the quota tests, where most sends are held).
     */
    private static final Duration START_LINE = Duration.ofSeconds(60);

    private static void awaitQuietly(CountDownLatch latch, Duration atMost) {
        try {
            latch.await(atMost.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * {@link #WORKERS} workers, behind {@code startLine} unless it is zero; worker {@code i} in {@code dieAfter} dies
     * (as a killed process would) right after the SMTP server accepted its n-th email, before any SENT mark it owes is written, with a 1 s lease; the dead
     * workers' last emails are put in {@code deliveredUnmarked} (Message-ID to send id).
     */
    private List<SendWorker> workers(String prefix, Duration lease, Map<Integer, Integer> dieAfter,
                                     Map<String, Long> deliveredUnmarked, Duration startLine) {
        List<SendWorker> workers = new ArrayList<>();
        CountDownLatch everyoneHasSent = new CountDownLatch(WORKERS);
        for (int i = 0; i < WORKERS; i++) {
            Integer dies = dieAfter.get(i);
            SendWorker worker = new SendWorker(ds, templates, renderer, mail, links, prefix + "-" + i,
                    dies == null ? lease : Duration.ofSeconds(1));
            AtomicInteger accepted = new AtomicInteger();
            if (dies != null || !startLine.isZero()) {
                worker.afterAccepted(sendId -> {
                    int n = accepted.incrementAndGet();
                    if (n == 1 && !startLine.isZero()) {
                        everyoneHasSent.countDown();
                        // A worker that is to die does not wait: its 1 s lease must not run out while it lives.
                        if (dies == null) {
                            awaitQuietly(everyoneHasSent, startLine);
                        }
                    }
                    if (dies != null && n == dies) {
                        String key = jdbc.queryForObject("SELECT idempotency_key FROM sends WHERE id = ?",
                                String.class, sendId);
                        deliveredUnmarked.put(mail.messageIdFor(key), sendId);
                        throw new IllegalStateException("worker killed after SMTP accepted send " + sendId);
                    }
                });
            }
            if (dies != null) {
                worker.beforeRecordingSent(ids -> {
                    throw new IllegalStateException("worker killed before the SENT marks of " + ids);
                });
            }
            workers.add(worker);
        }
        return workers;
    }

    /** A shop on {@code plan} (no frequency cap, no quiet hours) with {@code n} due welcome sends; their ids. */
    private List<Long> shopWithDueSends(ShopId shop, String plan, int n) {
        flows.ensureLibrary(shop);
        jdbc.update("INSERT INTO shops (shop_domain, installed_at, plan) VALUES (?, now(), ?)", shop.domain(), plan);
        jdbc.update("INSERT INTO shop_email_settings (shop_domain, frequency_cap_count, quiet_hours_enabled) "
                + "VALUES (?, 0, false)", shop.domain());
        long template = templates.create(shop, "welcome", "Hello ${customer.first_name}",
                "<html><body><p>Hi ${customer.first_name}</p><a href=\"https://shop.example/\">Shop</a></body></html>",
                null);
        flows.configure(shop, FlowKind.WELCOME, 0, null, null, template);
        flows.setEnabled(shop, FlowKind.WELCOME, true);
        long flowId = flows.find(shop, FlowKind.WELCOME).orElseThrow().id();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String email = "c" + i + "@" + shop.handle() + ".example";
            jdbc.update("INSERT INTO consent (shop_domain, customer_id, email, marketing_state, updated_at) "
                    + "VALUES (?, ?, ?, 'SUBSCRIBED', now())", shop.domain(), i, email);
            ids.add(jdbc.queryForObject("INSERT INTO sends (shop_domain, flow_id, customer_id, email, trigger_key, "
                    + "idempotency_key, due_at, merge_data) VALUES (?, ?, ?, ?, ?, ?, now() - interval '1 minute', "
                    + "?::jsonb) RETURNING id", Long.class, shop.domain(), flowId, i, email, "t" + i,
                    shop.domain() + "|welcome|c" + i + "|t" + i,
                    "{\"customer\":{\"first_name\":\"C" + i + "\",\"last_name\":\"\",\"email\":\"" + email + "\"}}"));
        }
        return ids;
    }

    /** Message-ID of every message the SMTP server received, with how many copies arrived. */
    private Map<String, Integer> received() throws Exception {
        Map<String, Integer> copies = new HashMap<>();
        for (MimeMessage message : SMTP.getReceivedMessages()) {
            copies.merge(message.getMessageID(), 1, Integer::sum);
        }
        return copies;
    }

    private long count(String status) {
        return jdbc.queryForObject("SELECT count(*) FROM sends WHERE status = ?", Long.class, status);
    }

    private long monthlyCounter(ShopId shop) {
        Long sent = jdbc.queryForObject("SELECT coalesce(sum(sent), 0) FROM shop_monthly_sends WHERE shop_domain = ?",
                Long.class, shop.domain());
        return sent == null ? 0 : sent;
    }
}
