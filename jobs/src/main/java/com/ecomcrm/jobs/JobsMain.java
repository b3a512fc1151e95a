package com.ecomcrm.jobs;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.email.mail.MailSender;
import com.ecomcrm.email.mail.MailSettings;
import com.ecomcrm.tracking.TrackingLinks;
import com.ecomcrm.email.render.TemplateRenderer;
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
import java.util.Map;
import java.util.UUID;

/**
 * {@code JobsMain evaluate|send|both [--every SECONDS] [--as-of ISO-INSTANT]}: runs the trigger evaluation job, the
 * send job, or both, once or in a loop; {@code --as-of} evaluates triggers as of a scheduler's logical time (the send
 * job always sends on the wall clock: an email goes out now or not at all). Settings from the environment (docs in the jobs README). Applies the PostgreSQL migrations first.
 */
public final class JobsMain {
    private JobsMain() {
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
        try (HikariDataSource ds = Database.pool(target, null, 6)) {
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
                SendWorker worker = new SendWorker(ds, templates, renderer,
                        new MailSender(MailSettings.fromEnv(env)), TrackingLinks.fromEnv(env), workerId,
                        Duration.ofMinutes(10));
                do {
                    if (!what.equals("send")) {
                        System.out.println(jobs.run(jobs.triggerEvaluationJob(evaluator, segments)));
                    }
                    if (!what.equals("evaluate")) {
                        System.out.println(jobs.run(jobs.sendJob(worker, 100)));
                    }
                    if (every > 0) {
                        Thread.sleep(every * 1000);
                    }
                } while (every > 0);
            }
        }
    }
}
