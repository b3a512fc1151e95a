package com.ecomcrm.bench;

import static java.util.Objects.requireNonNull;

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
import com.ecomcrm.jobs.TemplateStore;
import com.ecomcrm.tracking.TrackingLinks;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.JobExecution;

import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Send throughput to a local SMTP sink: due sends scheduled in the benchmark's PostgreSQL database across several
 * shops and flows (each shop on a paid plan, its flows switched on and linked to templates, every customer consented,
 * half the shops with a verified DKIM sender domain), then the real send job ({@link EmailJobs#sendJob} over
 * {@link SendWorker}: claim, flow / suppression / consent / quota / frequency cap / quiet-hours checks, FreeMarker
 * rendering, open pixel and click rewriting, DKIM signing, SMTP) run with the send job's production concurrency
 * ({@link JobsMain#runSendJobs}: {@link JobsMain#sendWorkers} workers at once, batches of
 * {@link JobsMain#SEND_BATCH}) against an SMTP sink on loopback in a process of its own ({@link SmtpSink}).
 *
 * <p>Timed: from launching the send jobs to the last one finishing. Time per send: on each worker, the time from the
 * previous accepted message (or the job's start) to this one's acceptance by the sink, so it holds the claim, the
 * checks, the rendering, the signing and the SMTP exchange. Afterwards every message the sink received is matched by
 * Message-ID against the ledger's SENT rows ({@link SinkTally}).
 */
final class SendThroughput {
    private static final Logger LOG = LoggerFactory.getLogger(SendThroughput.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DKIM_ENV = "ECOMCRM_BENCH_DKIM_PEM";
    private static final String[] FIRST = {"Alex", "Sam", "Maria", "Jonas", "Aiko", "Lena", "Omar", "Chloé", "Noah",
        "Zoë"};
    private static final String[] LAST = {"Martin", "Schmidt", "Rossi", "Tanaka", "Dubois", "Nowak", "García", "Smith",
        "Jensen", "Silva"};
    private static final Pattern CLICK = Pattern.compile("/t/c/[A-Za-z0-9_\\-]+\\.[A-Za-z0-9_\\-]+");
    static final double TARGET_PER_SECOND = 300;

    /** How much the stage sends at a scale. */
    record Settings(int shops, int sendsPerShop, int warmupSends) {
        static Settings of(Scale scale) {
            return switch (scale.name()) {
                case "tiny" -> new Settings(4, 500, 200);
                case "small" -> new Settings(10, 2_000, 1_000);
                // The sink spools every message to disk until it is checked: 50,000 is about 0.6 GB.
                default -> new Settings(20, 2_500, 2_000);
            };
        }

        int sends() {
            return shops * sendsPerShop;
        }
    }

    /** A send that went out: what the tracking stage may open and click. */
    record SentEmail(ShopId shop, long sendId, List<String> clickTokens) {
        SentEmail {
            requireNonNull(shop, "shop is null");
            clickTokens = List.copyOf(clickTokens);
        }
    }

    /** The stage's row and the emails it sent. */
    record Outcome(StageResult stage, List<SentEmail> sent) {
    }

    private final BenchDatabases world;
    private final Map<String, String> env;
    private final Settings settings;

    SendThroughput(BenchDatabases world, Map<String, String> env, Settings settings) {
        this.world = requireNonNull(world, "world is null");
        this.env = requireNonNull(env, "env is null");
        this.settings = requireNonNull(settings, "settings is null");
    }

    Outcome run() throws Exception {
        Map<String, String> workerEnv = new HashMap<>(env);
        workerEnv.put(DKIM_ENV, newDkimPem());
        TrackingLinks links = TrackingLinks.fromEnv(env);
        int workers = JobsMain.sendWorkers(env);
        // The sink runs in a process of its own (SmtpSink): its CPU is not the benchmark JVM's. Restarted on the
        // same port after the warm-up, so its spool holds the measured sends only.
        Path root = Path.of("").toAbsolutePath();
        Path spool = world.work().resolve("smtp-sink");
        SmtpSink sink = SmtpSink.start(root, spool, 0);
        int sinkPort = sink.port();
        // The pool JobsMain gives its workers.
        try (HikariDataSource ds = Database.pool(world.postgres(), null, JobsMain.poolSize(workers))) {
            TemplateStore templates = new TemplateStore(ds);
            try (TemplateRenderer renderer = new TemplateRenderer(templates)) {
                EmailJobs jobs = new EmailJobs(ds);
                MailSender mail = new MailSender(MailSettings.local(sinkPort));
                List<SendWorker> sendWorkers = new ArrayList<>();
                ConcurrentLinkedQueue<Long> perSend = new ConcurrentLinkedQueue<>();
                Map<Long, Long> workerCpu = new java.util.concurrent.ConcurrentHashMap<>();
                // Each run of the send jobs starts new worker threads: their first send counts from the run's start.
                AtomicLong runStart = new AtomicLong();
                ThreadLocal<long[]> previous = ThreadLocal.withInitial(() -> new long[] {runStart.get()});
                for (int w = 0; w < workers; w++) {
                    SendWorker worker = new SendWorker(ds, templates, renderer, mail, links, "bench-send-" + w,
                            Duration.ofMinutes(10), Clock.systemUTC(), workerEnv);
                    worker.afterAccepted(id -> {
                        // The worker thread's own CPU so far (its threads are new for every run of the send jobs).
                        workerCpu.put(Thread.currentThread().getId(), THREADS.getCurrentThreadCpuTime());
                        long now = System.nanoTime();
                        long[] last = previous.get();
                        perSend.add(now - last[0]);
                        last[0] = now;
                    });
                    sendWorkers.add(worker);
                }

                // Warm-up (JIT, pools, the parsed-template cache of another shop): scheduled, sent and not measured.
                LOG.info("Send throughput: warm-up of {} sends", settings.warmupSends());
                List<ShopId> warmupShops = List.of(ShopId.of("bench-send-warmup.myshopify.com"));
                schedule(ds, templates, warmupShops, settings.warmupSends(), 0);
                runStart.set(System.nanoTime());
                JobsMain.runSendJobs(jobs, sendWorkers, null);
                sink.stop();
                sink = SmtpSink.start(root, spool, sinkPort);
                perSend.clear();
                workerCpu.clear();

                List<ShopId> shops = new ArrayList<>();
                for (int i = 0; i < settings.shops(); i++) {
                    shops.add(ShopId.of(String.format("bench-send-%02d.myshopify.com", i)));
                }
                int scheduled = schedule(ds, templates, shops, settings.sendsPerShop(), 1);
                LOG.info("Send throughput: {} due sends over {} shops, {} workers x batches of {}", scheduled,
                        shops.size(), workers, JobsMain.SEND_BATCH);
                long cpuBefore = ProcessCpu.nanos();
                long sinkCpuBefore = sink.cpuNanos();
                long renderCpuBefore = renderThreadsCpu();
                CpuTimes pgBefore = CpuTimes.now(world, java.util.Set.of());

                long start = System.nanoTime();
                runStart.set(start);
                List<BatchStatus> statuses = JobsMain.runSendJobs(jobs, sendWorkers, null).stream()
                        .map(JobExecution::getStatus).toList();
                StageResult stage = StageResult.timed("send throughput (SMTP sink)", start, 0, "emails");
                long cpu = ProcessCpu.nanos() - cpuBefore;
                long workersCpu = workerCpu.values().stream().mapToLong(Long::longValue).sum()
                        + renderThreadsCpu() - renderCpuBefore;
                long postgresCpu = CpuTimes.now(world, java.util.Set.of()).postgresNanos() - pgBefore.postgresNanos();
                long sinkCpu = sink.cpuNanos() - sinkCpuBefore;
                long sinkAccepted = sink.stop();

                Map<String, Long> ledger = new TreeMap<>();
                List<String> sentIds = new ArrayList<>();
                List<SentEmail> sent = new ArrayList<>();
                readLedger(shops, ledger, sentIds, sent, links);
                long[] counts = new long[4]; // received, DKIM-signed, with pixel, with click links
                List<String> receivedIds = new ArrayList<>();
                sink.readMessages(message -> {
                    try {
                        receivedIds.add(message.getMessageID());
                        counts[0]++;
                        if (message.getHeader("DKIM-Signature") != null) {
                            counts[1]++;
                        }
                    }
                    catch (jakarta.mail.MessagingException e) {
                        throw new IllegalStateException(e);
                    }
                    String html = html(message);
                    if (html.contains("/t/o/")) {
                        counts[2]++;
                    }
                    if (CLICK.matcher(html).find()) {
                        counts[3]++;
                    }
                });
                SinkTally tally = SinkTally.of(sentIds, receivedIds);
                long sentCount = ledger.getOrDefault("SENT", 0L);
                Map<String, Object> details = new TreeMap<>();
                details.put("workers", workers);
                details.put("batch_size", JobsMain.SEND_BATCH);
                details.put("shops", shops.size());
                details.put("flows", BenchEmails.FLOWS.stream().map(FlowKind::key).toList());
                details.put("scheduled", scheduled);
                details.put("warmup_sends", settings.warmupSends());
                details.put("ledger_statuses", ledger);
                details.put("job_statuses", statuses.stream().map(BatchStatus::name).distinct().toList());
                details.put("sink", "Postfix smtp-sink " + sink.version() + " (own process, one file per message)");
                details.put("sink_received", tally.received());
                details.put("sink_accepted_by_its_count", sinkAccepted);
                details.put("delivered_once", tally.deliveredOnce());
                details.put("missing", tally.missing());
                details.put("duplicated", tally.duplicated());
                details.put("unexpected", tally.unexpected());
                details.put("exactly_once", tally.exactlyOnce() && sentCount == scheduled
                        && sinkAccepted == tally.received());
                details.put("dkim_signed", counts[1]);
                details.put("with_open_pixel", counts[2]);
                details.put("with_click_links", counts[3]);
                details.put("target_per_second", TARGET_PER_SECOND);
                details.put("jvm_cpu_ms_per_email", sentCount == 0 ? 0 : Math.round(cpu / 1e4 / sentCount) / 100.0);
                // The split of that CPU: the send workers' own threads (claim, checks, MIME, DKIM, SMTP client) and
                // rendering; the rest is GC, the JIT and the pool's housekeeping. PostgreSQL's and the sink's apart.
                details.put("worker_cpu_ms_per_email", sentCount == 0 ? 0
                        : Math.round(workersCpu / 1e4 / sentCount) / 100.0);
                details.put("postgres_cpu_ms_per_email", sentCount == 0 ? 0
                        : Math.round(postgresCpu / 1e4 / sentCount) / 100.0);
                details.put("sink_cpu_ms_per_email", sentCount == 0 ? 0
                        : Math.round(sinkCpu / 1e4 / sentCount) / 100.0);
                StageResult result = new StageResult(stage.name(), stage.seconds(), sentCount, "emails",
                        Latency.ofNanos(perSend.stream().mapToLong(Long::longValue).toArray()), null, details);
                details.put("target_met", result.rowsPerSecond() >= TARGET_PER_SECOND);
                return new Outcome(result.with(result.latency(), null, details), sent);
            }
        }
        finally {
            sink.close();
        }
    }

    /**
     * Sets up the shops (plan pro, a time zone where it is now mid-afternoon so quiet hours, on by default, do not
     * defer anything; sender name and reply-to; every other shop a verified DKIM sender domain), their flows with a
     * template each, and {@code perShop} consented customers with one due send each (one send per recipient: the
     * default frequency cap of one email a day would defer a second one). Returns how many sends were scheduled.
     */
    private int schedule(HikariDataSource ds, TemplateStore templates, List<ShopId> shops, int perShop, int seedShift)
            throws Exception {
        FlowStore flows = new FlowStore(ds);
        String zone = afternoonZone(Instant.now());
        int scheduled = 0;
        try (Connection c = ds.getConnection()) {
            for (int s = 0; s < shops.size(); s++) {
                ShopId shop = shops.get(s);
                boolean dkim = s % 2 == 0;
                String senderDomain = "mail." + shop.handle() + ".example";
                try (PreparedStatement p = c.prepareStatement("INSERT INTO shops (shop_domain, installed_at, plan, "
                        + "timezone) VALUES (?, now(), 'pro', ?)")) {
                    p.setString(1, shop.domain());
                    p.setString(2, zone);
                    p.executeUpdate();
                }
                try (PreparedStatement p = c.prepareStatement("INSERT INTO shop_email_settings (shop_domain, "
                        + "from_name, reply_to) VALUES (?, ?, ?)")) {
                    p.setString(1, shop.domain());
                    p.setString(2, "The " + shop.handle() + " shop");
                    p.setString(3, "hello@" + shop.handle() + ".example");
                    p.executeUpdate();
                }
                if (dkim) {
                    try (PreparedStatement p = c.prepareStatement("INSERT INTO sender_domains (shop_domain, domain, "
                            + "dkim_selector, dkim_key_ref, verified_at) VALUES (?, ?, 'ecomcrm1', ?, now())")) {
                        p.setString(1, shop.domain());
                        p.setString(2, senderDomain);
                        p.setString(3, "env:" + DKIM_ENV);
                        p.executeUpdate();
                    }
                }
                flows.ensureLibrary(shop);
                for (FlowKind kind : BenchEmails.FLOWS) {
                    BenchEmails.Template t = BenchEmails.template(kind);
                    long templateId = templates.create(shop, kind.key() + " starter", t.subject(), t.html(), t.text());
                    var flowSettings = JSON.createObjectNode().put("discount_code", "WELCOME10");
                    if (dkim) {
                        flowSettings.put("from_address", "hello@" + senderDomain);
                    }
                    flows.configure(shop, kind, kind.defaultDelayMinutes(), null, flowSettings, templateId);
                    flows.setEnabled(shop, kind, true);
                }
                Map<FlowKind, Long> flowIds = new HashMap<>();
                flows.list(shop).forEach(f -> flowIds.put(f.kind(), f.id()));
                c.setAutoCommit(false);
                try (PreparedStatement consent = c.prepareStatement("INSERT INTO consent (shop_domain, customer_id, "
                        + "email, marketing_state, updated_at) VALUES (?, ?, ?, 'SUBSCRIBED', now())");
                     PreparedStatement send = c.prepareStatement("INSERT INTO sends (shop_domain, flow_id, "
                             + "customer_id, email, trigger_key, idempotency_key, due_at, merge_data) "
                             + "VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb)")) {
                    Timestamp due = Timestamp.from(Instant.now().minusSeconds(60));
                    for (int i = 0; i < perShop; i++) {
                        long customerId = (long) (s + 1 + seedShift * 1000) * 1_000_000L + i;
                        String first = FIRST[i % FIRST.length];
                        String last = LAST[(i / FIRST.length) % LAST.length];
                        String email = ascii(first + "." + last) + "." + i + "@" + shop.handle() + "-customers.example";
                        FlowKind kind = BenchEmails.FLOWS.get(i % BenchEmails.FLOWS.size());
                        consent.setString(1, shop.domain());
                        consent.setLong(2, customerId);
                        consent.setString(3, email);
                        consent.addBatch();
                        String trigger = "bench:" + i;
                        send.setString(1, shop.domain());
                        send.setLong(2, flowIds.get(kind));
                        send.setLong(3, customerId);
                        send.setString(4, email);
                        send.setString(5, trigger);
                        send.setString(6, shop.domain() + "|" + kind.key() + "|c" + customerId + "|" + trigger);
                        send.setTimestamp(7, due);
                        send.setString(8, JSON.writeValueAsString(BenchEmails.mergeData(kind, shop.domain(),
                                customerId, first, last, email)));
                        send.addBatch();
                        scheduled++;
                        if (i % 1000 == 999) {
                            consent.executeBatch();
                            send.executeBatch();
                        }
                    }
                    consent.executeBatch();
                    send.executeBatch();
                }
                c.commit();
                c.setAutoCommit(true);
            }
            try (var statement = c.createStatement()) {
                statement.execute("ANALYZE sends");
            }
        }
        return scheduled;
    }

    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    /** CPU of the renderer's pooled threads ({@code template-render-*}) so far. */
    private static long renderThreadsCpu() {
        long total = 0;
        for (java.lang.management.ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("template-render-")) {
                total += Math.max(0, THREADS.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }

    /** Status counts of the shops' sends; the Message-IDs of the SENT ones and their click tokens for tracking. */
    private void readLedger(List<ShopId> shops, Map<String, Long> statuses, List<String> messageIds,
                            List<SentEmail> sent, TrackingLinks links) throws Exception {
        try (Connection c = world.connect();
             PreparedStatement p = c.prepareStatement("SELECT shop_domain, id, status, message_id, merge_data::text "
                     + "FROM sends WHERE shop_domain = ANY (?) ORDER BY id")) {
            p.setArray(1, c.createArrayOf("text", shops.stream().map(ShopId::domain).toArray()));
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    String status = rs.getString(3);
                    statuses.merge(status, 1L, Long::sum);
                    if (!"SENT".equals(status)) {
                        continue;
                    }
                    messageIds.add(rs.getString(4));
                    ShopId shop = ShopId.of(rs.getString(1));
                    long id = rs.getLong(2);
                    List<String> tokens = new ArrayList<>();
                    for (var product : JSON.readTree(rs.getString(5)).path("recommended_products")) {
                        String url = links.clickUrl(shop, id, product.path("url").asText());
                        tokens.add(url.substring(url.lastIndexOf('/') + 1));
                    }
                    sent.add(new SentEmail(shop, id, tokens));
                }
            }
        }
    }

    private static String html(MimeMessage message) {
        try {
            if (message.getContent() instanceof Multipart multipart) {
                for (int i = 0; i < multipart.getCount(); i++) {
                    BodyPart part = multipart.getBodyPart(i);
                    if (part.isMimeType("text/html")) {
                        return String.valueOf(part.getContent());
                    }
                }
            }
            return "";
        }
        catch (Exception e) {
            return "";
        }
    }

    /** A fixed-offset zone where it is now between 13:00 and 14:00, far from the default quiet hours (21:00-08:00). */
    static String afternoonZone(Instant now) {
        int utcHour = ZonedDateTime.ofInstant(now, ZoneOffset.UTC).getHour();
        int offset = 13 - utcHour;
        if (offset < -12) {
            offset += 24;
        }
        return ZoneOffset.ofHours(offset).getId().replace("Z", "+00:00");
    }

    private static String ascii(String name) {
        return java.text.Normalizer.normalize(name, java.text.Normalizer.Form.NFD).replaceAll("[^A-Za-z.]", "")
                .toLowerCase(java.util.Locale.ROOT);
    }

    /** A fresh 2048-bit RSA key as PKCS#8 PEM, as the shops' DKIM keys are. */
    private static String newDkimPem() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        byte[] der = generator.generateKeyPair().getPrivate().getEncoded();
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END PRIVATE KEY-----\n";
    }
}
