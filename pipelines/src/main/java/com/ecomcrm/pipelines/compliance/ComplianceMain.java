package com.ecomcrm.pipelines.compliance;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.landing.LandingLayout;
import com.ecomcrm.pipelines.Lakehouse;
import com.ecomcrm.pipelines.LakehouseTables;
import com.ecomcrm.pipelines.PipelineSettings;
import com.ecomcrm.pipelines.SparkSessions;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/**
 * {@code bin/run pipelines com.ecomcrm.pipelines.compliance.ComplianceMain [--date D]}: processes the PENDING
 * compliance requests (with {@code --date}, those received up to the end of that UTC day; without, all) and prints
 * one {@code COMPLIANCE request=...} line per request. Exports go to {@code ECOMCRM_EXPORT_DIR} (default
 * {@code var/exports}), one folder per shop. Exit code 0 when every request completed (or none was pending), 1 when
 * one is left pending for a retry, 2 for bad arguments. Run it after the nightly pipeline, never alongside a job
 * writing the lakehouse.
 */
public final class ComplianceMain {
    private ComplianceMain() {
    }

    public static void main(String[] args) {
        Instant receivedBefore = Instant.now().plusSeconds(1);
        try {
            if (args.length == 2 && args[0].equals("--date")) {
                receivedBefore = LocalDate.parse(args[1]).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            else if (args.length != 0) {
                throw new IllegalArgumentException("unknown arguments " + String.join(" ", args));
            }
        }
        catch (RuntimeException e) {
            System.err.println("Cannot start compliance: " + e.getMessage());
            System.err.println("usage: ComplianceMain [--date YYYY-MM-DD]");
            System.exit(2);
            return;
        }
        PipelineSettings settings = PipelineSettings.fromEnvironment();
        String exportDir = System.getenv("ECOMCRM_EXPORT_DIR");
        Path exports = Path.of(exportDir == null || exportDir.isBlank() ? "var/exports" : exportDir);
        SparkSession spark = SparkSessions.create(settings);
        boolean allDone = false;
        try (ClickHouseGateway clickHouse = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment())) {
            LakehouseTables.ensure(spark);
            Clock clock = Clock.systemUTC();
            PgConnector postgres = PgConnector.of(settings);
            ComplianceJob job = new ComplianceJob(new ComplianceLedger(postgres), new PostgresStore(postgres),
                    new LandingStore(new LandingLayout(settings.landingDir()), clock),
                    new IcebergStore(spark, Lakehouse.DEFAULT, clock), new ClickHouseStore(clickHouse), exports, clock);
            List<ComplianceJob.Outcome> outcomes = job.run(receivedBefore);
            outcomes.forEach(outcome -> System.out.println(outcome.line()));
            System.out.println("COMPLIANCE processed=" + outcomes.size() + " done="
                    + outcomes.stream().filter(ComplianceJob.Outcome::done).count());
            allDone = outcomes.stream().allMatch(ComplianceJob.Outcome::done);
        }
        catch (RuntimeException e) {
            System.err.println("COMPLIANCE failed: " + e.getMessage());
        }
        finally {
            spark.stop();
        }
        System.exit(allDone ? 0 : 1);
    }
}
