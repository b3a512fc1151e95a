package com.ecomcrm.jobs;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.jobs.mail.MailSender;
import com.ecomcrm.jobs.mail.MailSettings;
import com.ecomcrm.tracking.TrackingLinks;
import com.ecomcrm.jobs.render.TemplateRenderer;
import com.ecomcrm.landing.LandingLayout;
import com.ecomcrm.schema.PostgresMigrator;
import com.ecomcrm.schema.PostgresTarget;
import com.zaxxer.hikari.HikariDataSource;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * {@code JobsMain evaluate|send|both [--every SECONDS]}: runs the trigger evaluation job, the send job, or both, once
 * or in a loop. Settings from the environment (docs in the jobs README). Applies the PostgreSQL migrations first.
 */
public final class JobsMain {
    private JobsMain() {
    }

    public static void main(String[] args) throws Exception {
        String what = args.length > 0 ? args[0] : "both";
        long every = args.length > 2 && args[1].equals("--every") ? Long.parseLong(args[2]) : 0;
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
                        : new SegmentTriggerEvaluator(ds, clickhouse, Clock.systemUTC());
                TriggerEvaluator evaluator = new TriggerEvaluator(ds,
                        new LandingLayout(Path.of(env.getOrDefault("ECOMCRM_LANDING_DIR", "var/landing"))),
                        Clock.systemUTC(), Duration.ofDays(2));
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
