package com.ecomcrm.jobs;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.email.mail.MailSender;
import com.ecomcrm.email.mail.MailSettings;
import com.ecomcrm.tracking.TrackingLinks;
import com.ecomcrm.email.render.TemplateRenderer;
import com.ecomcrm.jobs.notices.QuotaNotices;
import com.ecomcrm.landing.LandingLayout;
import com.ecomcrm.schema.PostgresMigrator;
import com.ecomcrm.schema.PostgresTarget;
import com.zaxxer.hikari.HikariDataSource;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.springframework.batch.core.Job;
import org.springframework.batch.core.JobExecution;

/**
 * {@code JobsMain evaluate|send|both [--every SECONDS] [--as-of ISO-INSTANT]}: runs the trigger evaluation job, the
 * send job, or both, once or in a loop; {@code --as-of} evaluates triggers as of a scheduler's logical time (the send
 * job always sends on the wall clock: an email goes out now or not at all). Settings from the environment (docs in the jobs README). Applies the PostgreSQL migrations first.
 */
public final class JobsMain {
    /**
     * Send workers per process when {@code ECOMCRM_SEND_WORKERS} is unset: each runs its own send job (own claims, own
     * SMTP connection) at the same time. One worker waits on PostgreSQL (one round trip per send: the checks, with
     * the previous send's SENT mark) and on the SMTP server much of the time; several overlap those waits. Claims are safe across them (SKIP LOCKED), and so is
     * launching their jobs at once (EmailJobs creates job executions READ COMMITTED). Measured with SendBench small
     * (2026-11-30): 73 emails/s with 4 workers, 266/s with 16, at the same CPU per email: the rate is bound by those
     * waits, not by CPU. On a quiet machine (sink in its own process) 16 workers gave 252/s and 24 gave 313/314/s,
     * exactly once: 24 is the smallest count measured to meet issue #5's 300/s. {@code
     * SendWorkersAtDefaultConcurrencyTest} proves exactly once at this count, with crashes and at the quota's edge.
     * Each worker holds one PostgreSQL connection ({@link #poolSize}): 29 per jobs process, well inside the server's
     * max_connections (see docs/development.md for the whole budget).
     */
    public static final int DEFAULT_SEND_WORKERS = 24;
    /** Sends one worker claims (and commits as SENDING) at a time. */
    public static final int SEND_BATCH = 100;

    private JobsMain() {
    }

    /**
     * The PostgreSQL pool for {@code sendWorkers} send workers: one connection each (a worker holds one only for the
     * statement it runs), plus five for the job repository, the quota release and the over-quota notices.
     */
    public static int poolSize(int sendWorkers) {
        return sendWorkers + 5;
    }

    /** {@code ECOMCRM_SEND_WORKERS} (1 to 32), default {@link #DEFAULT_SEND_WORKERS}. */
    public static int sendWorkers(Map<String, String> env) {
        String value = env.get("ECOMCRM_SEND_WORKERS");
        if (value == null || value.isBlank()) {
            return DEFAULT_SEND_WORKERS;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= 1 && n <= 32) {
                return n;
            }
        }
        catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("ECOMCRM_SEND_WORKERS must be a whole number from 1 to 32, not '" + value
                + "'");
    }

    /**
     * One send job per worker, all at once, each draining until nothing is due; returns when all have finished.
     * {@code quotaNotices} (may be null) runs in the first worker's job only: one notice pass per round.
     */
    public static List<JobExecution> runSendJobs(EmailJobs jobs, List<SendWorker> workers,
                                                 QuotaNotices quotaNotices) throws InterruptedException {
        return runSendJobs(jobs, workers, quotaNotices, SEND_BATCH);
    }

    /** As above with {@code batchSize} sends per claim (tests use small batches so that every worker claims). */
    static List<JobExecution> runSendJobs(EmailJobs jobs, List<SendWorker> workers, QuotaNotices quotaNotices,
                                          int batchSize) throws InterruptedException {
        ExecutorService threads = Executors.newFixedThreadPool(workers.size(), r -> {
            Thread t = new Thread(r, "send-worker");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<JobExecution>> running = new ArrayList<>();
            for (int i = 0; i < workers.size(); i++) {
                Job job = jobs.sendJob(workers.get(i), batchSize, i == 0 ? quotaNotices : null);
                running.add(threads.submit(() -> jobs.run(job)));
            }
            List<JobExecution> executions = new ArrayList<>();
            for (Future<JobExecution> execution : running) {
                try {
                    executions.add(execution.get());
                }
                catch (ExecutionException e) {
                    throw new IllegalStateException("A send job failed: " + e.getCause().getMessage(), e.getCause());
                }
            }
            return executions;
        }
        finally {
            threads.shutdown();
        }
    }

    public static void main(String[] args) throws Exception {
        String what = args.length > 0 ? args[0] : "both";
        long every = 0;
        Clock clock = Clock.systemUTC();
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--every" -> every = Long.parseLong(args[++i]);
                // The scheduler's logical time (Airflow's data_interval_end): trigger evaluation as of then, so a
                // rerun of an hour decides what the first run decided, whatever the time now.
                case "--as-of" -> clock = Clock.fixed(Instant.parse(args[++i]), ZoneOffset.UTC);
                default -> {
                    System.err.println("usage: JobsMain evaluate|send|both [--every SECONDS] [--as-of ISO-INSTANT]");
                    System.exit(2);
                }
            }
        }
        if (every > 0 && !clock.equals(Clock.systemUTC())) {
            System.err.println("JobsMain: --every and --as-of exclude each other (a loop runs on the wall clock)");
            System.exit(2);
        }
        Map<String, String> env = System.getenv();
        PostgresTarget target = PostgresTarget.fromEnv();
        PostgresMigrator.migrate(target);
        int sendWorkers = sendWorkers(env);
        try (HikariDataSource ds = Database.pool(target, null, poolSize(sendWorkers))) {
            TemplateStore templates = new TemplateStore(ds);
            try (TemplateRenderer renderer = new TemplateRenderer(templates)) {
                EmailJobs jobs = new EmailJobs(ds);
                // Win-back / VIP read ClickHouse; without ECOMCRM_CH_URL the step is left out.
                ClickHouseGateway clickhouse = env.containsKey("ECOMCRM_CH_URL")
                        ? ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment(env)) : null;
                SegmentTriggerEvaluator segments = clickhouse == null ? null
                        : new SegmentTriggerEvaluator(ds, clickhouse, clock);
                TriggerEvaluator evaluator = new TriggerEvaluator(ds,
                        new LandingLayout(Path.of(env.getOrDefault("ECOMCRM_LANDING_DIR", "var/landing"))),
                        clock, Duration.ofDays(2));
                String workerId = InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid()
                        + "-" + UUID.randomUUID().toString().substring(0, 6);
                MailSender mail = new MailSender(MailSettings.fromEnv(env));
                TrackingLinks links = TrackingLinks.fromEnv(env);
                List<SendWorker> workers = new ArrayList<>();
                for (int w = 0; w < sendWorkers; w++) {
                    workers.add(new SendWorker(ds, templates, renderer, mail, links, workerId + "-" + w,
                            Duration.ofMinutes(10)));
                }
                // Tells shop owners whose sends are held for quota (issue #8); SHOPIFY_API_KEY makes the upgrade link.
                QuotaNotices quotaNotices = new QuotaNotices(ds, mail, Clock.systemUTC(),
                        java.util.Optional.ofNullable(env.get("SHOPIFY_API_KEY")));
                do {
                    if (!what.equals("send")) {
                        System.out.println(jobs.run(jobs.triggerEvaluationJob(evaluator, segments)));
                    }
                    if (!what.equals("evaluate")) {
                        runSendJobs(jobs, workers, quotaNotices).forEach(System.out::println);
                    }
                    if (every > 0) {
                        Thread.sleep(every * 1000);
                    }
                } while (every > 0);
            }
        }
    }
}
