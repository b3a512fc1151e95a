package com.ecomcrm.pipelines.maintenance;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.pipelines.Lakehouse;
import com.ecomcrm.pipelines.LakehouseTables;
import com.ecomcrm.pipelines.PipelineSettings;
import com.ecomcrm.pipelines.SparkSessions;
import org.apache.spark.sql.SparkSession;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/**
 * {@code bin/run pipelines com.ecomcrm.pipelines.maintenance.MaintenanceMain [--date D] [--older-than-days N]
 * [--retain-last K] [--orphan-age-days A] [--target-file-mb M]}: maintains every Iceberg table and prints one
 * {@code MAINTENANCE table=...} line per table. With {@code --date} the ages count from the end of that UTC day (an
 * Airflow run of a past date behaves as it would have that night), otherwise from now. Exit code 0 when every table
 * succeeded, 1 when one failed (the others still ran), 2 for bad arguments.
 *
 * <p>With {@code --clickhouse [--orphan-publication-age-hours H]} it runs the ClickHouse housekeeping instead (no
 * Spark; {@link ClickHouseHousekeeping}): superseded publications and never-switched ones older than H hours (default
 * {@value #DEFAULT_ORPHAN_PUBLICATION_HOURS}, counted back from the same clock) removed, {@code shop_publications}
 * merged, unfinished mutations listed; one {@code MAINTENANCE clickhouse ...} line (and one per unfinished mutation).
 */
public final class MaintenanceMain {
    /** A publish takes minutes to an hour: a never-switched publication a day old is certainly dead. */
    static final long DEFAULT_ORPHAN_PUBLICATION_HOURS = 24;

    private MaintenanceMain() {
    }

    public static void main(String[] args) {
        MaintenanceJob.Options options = MaintenanceJob.Options.defaults();
        Clock clock = Clock.systemUTC();
        boolean clickHouse = false;
        Duration orphanPublicationAge = Duration.ofHours(DEFAULT_ORPHAN_PUBLICATION_HOURS);
        try {
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--date" -> {
                        LocalDate date = LocalDate.parse(required(args[i], value));
                        clock = Clock.fixed(date.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant(), ZoneOffset.UTC);
                    }
                    case "--older-than-days" -> options = new MaintenanceJob.Options(
                            Duration.ofDays(Long.parseLong(required(args[i], value))), options.retainLast(),
                            options.orphanAge(), options.targetBytes());
                    case "--retain-last" -> options = new MaintenanceJob.Options(options.olderThan(),
                            Integer.parseInt(required(args[i], value)), options.orphanAge(), options.targetBytes());
                    case "--orphan-age-days" -> options = new MaintenanceJob.Options(options.olderThan(),
                            options.retainLast(), Duration.ofDays(Long.parseLong(required(args[i], value))),
                            options.targetBytes());
                    case "--target-file-mb" -> options = new MaintenanceJob.Options(options.olderThan(),
                            options.retainLast(), options.orphanAge(),
                            Long.parseLong(required(args[i], value)) * 1024 * 1024);
                    case "--clickhouse" -> {
                        clickHouse = true;
                        continue;
                    }
                    case "--orphan-publication-age-hours" -> orphanPublicationAge = Duration.ofHours(
                            Long.parseLong(required(args[i], value)));
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
                i++;
            }
        }
        catch (RuntimeException e) {
            System.err.println("Cannot start maintenance: " + e.getMessage());
            System.err.println("usage: MaintenanceMain [--date YYYY-MM-DD] [--older-than-days N] [--retain-last K]"
                    + " [--orphan-age-days A] [--target-file-mb M]");
            System.err.println("   or: MaintenanceMain --clickhouse [--date YYYY-MM-DD]"
                    + " [--orphan-publication-age-hours H]");
            System.exit(2);
            return;
        }
        if (clickHouse) {
            System.exit(runClickHouse(clock, orphanPublicationAge));
            return;
        }
        PipelineSettings settings = PipelineSettings.fromEnvironment();
        SparkSession spark = SparkSessions.create(settings);
        boolean failed;
        try {
            LakehouseTables.ensure(spark);
            List<MaintenanceJob.TableResult> results = new MaintenanceJob(spark, Lakehouse.DEFAULT, clock)
                    .run(options);
            results.forEach(result -> System.out.println(result.line()));
            failed = results.stream().anyMatch(MaintenanceJob.TableResult::failed);
        }
        finally {
            spark.stop();
        }
        System.exit(failed ? 1 : 0);
    }

    private static int runClickHouse(Clock clock, Duration orphanPublicationAge) {
        try (ClickHouseGateway gateway = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment())) {
            ClickHouseHousekeeping.Result result = new ClickHouseHousekeeping(gateway.admin(), clock)
                    .run(orphanPublicationAge);
            result.unfinishedMutations().forEach(mutation -> System.out.println(mutation.line()));
            System.out.println(result.line());
            return 0;
        }
        catch (RuntimeException e) {
            System.err.println("MAINTENANCE clickhouse failed: " + e.getMessage());
            return 1;
        }
    }

    private static String required(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }
}
