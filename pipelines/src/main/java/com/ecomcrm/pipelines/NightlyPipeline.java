package com.ecomcrm.pipelines;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.schema.SchemaMigrator;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The nightly run: migrate, ensure the Iceberg tables, ingest the landing zone, compute RFM as of the logical date,
 * publish to ClickHouse.
 *
 * <pre>bin/run pipelines com.ecomcrm.pipelines.NightlyPipeline --date 2026-11-28 [--landing DIR]</pre>
 *
 * <p>{@code --date} is required and is never defaulted to "today": a re-run or a backfill of a given night must
 * give that night's answer, whenever it runs. Settings come from the environment (docs/development.md). Exit code
 * 0 on success, 1 when a stage failed, 2 on bad arguments.
 */
public final class NightlyPipeline {
    private NightlyPipeline() {
    }

    /** The parsed command line. */
    record Arguments(LocalDate date, Path landing) {
        static Arguments parse(String[] args, Path defaultLanding) {
            LocalDate date = null;
            Path landing = defaultLanding;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (arg) {
                    case "--date" -> {
                        if (value == null) {
                            throw new IllegalArgumentException("--date needs a value (yyyy-mm-dd)");
                        }
                        try {
                            date = LocalDate.parse(value);
                        }
                        catch (DateTimeParseException e) {
                            throw new IllegalArgumentException("--date '" + value + "' is not a yyyy-mm-dd date");
                        }
                        i++;
                    }
                    case "--landing" -> {
                        if (value == null) {
                            throw new IllegalArgumentException("--landing needs a directory");
                        }
                        landing = Path.of(value);
                        i++;
                    }
                    default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
                }
            }
            if (date == null) {
                throw new IllegalArgumentException("--date yyyy-mm-dd is required (the logical date to score)");
            }
            return new Arguments(date, landing);
        }
    }

    /** One stage's name, how long it took and what it said. */
    record StageTiming(String stage, Duration took, String outcome) {
    }

    public static void main(String[] args) {
        PipelineSettings settings = PipelineSettings.fromEnvironment();
        Arguments arguments;
        try {
            arguments = Arguments.parse(args, settings.landingDir());
        }
        catch (IllegalArgumentException e) {
            System.err.println("NightlyPipeline: " + e.getMessage());
            System.err.println("usage: NightlyPipeline --date yyyy-mm-dd [--landing DIR]");
            System.exit(2);
            return;
        }
        int status = run(settings.withLandingDir(arguments.landing()), arguments.date(), System.out);
        System.exit(status);
    }

    /** Runs every stage; returns the exit status. Stops at the first failing stage and says which. */
    static int run(PipelineSettings settings, LocalDate date, PrintStream out) {
        return run(settings, Lakehouse.DEFAULT, date, out);
    }

    /** As {@link #run(PipelineSettings, LocalDate, PrintStream)} on another catalog (tests). */
    static int run(PipelineSettings settings, Lakehouse lakehouse, LocalDate date, PrintStream out) {
        List<StageTiming> timings = new ArrayList<>();
        out.println("Nightly pipeline for " + date + " (" + settings + ")");
        SparkSession spark = null;
        try (ClickHouseGateway gateway = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment())) {
            stage(timings, "migrate", () -> {
                SchemaMigrator.Result r = SchemaMigrator.migrateAll();
                return r.postgresApplied() + " PostgreSQL, " + r.clickHouseApplied().size() + " ClickHouse applied";
            });
            SparkSession session = stage(timings, "spark", () -> SparkSessions.create(settings, lakehouse),
                    s -> "local session");
            spark = session;
            stage(timings, "tables", () -> {
                LakehouseTables.ensure(session, lakehouse);
                return "lakehouse tables present";
            });
            stage(timings, "ingest", () -> IngestJob.run(session, lakehouse, settings.landingDir()),
                    IngestJob.Result::summary);
            stage(timings, "rfm", () -> RfmJob.run(session, lakehouse, date), RfmJob.Result::summary);
            stage(timings, "publish", () -> PublishJob.run(session, lakehouse, gateway, date, Clock.systemUTC()),
                    PublishJob.Result::summary);
            printTimings(out, timings);
            out.println("Nightly pipeline for " + date + " succeeded");
            return 0;
        }
        catch (StageFailed e) {
            printTimings(out, timings);
            System.err.println("NightlyPipeline: stage '" + e.stage + "' failed for " + date + ": "
                    + describe(e.getCause()));
            e.getCause().printStackTrace(System.err);
            return 1;
        }
        catch (Exception e) {
            printTimings(out, timings);
            System.err.println("NightlyPipeline: failed for " + date + ": " + describe(e));
            e.printStackTrace(System.err);
            return 1;
        }
        finally {
            if (spark != null) {
                spark.stop();
            }
        }
    }

    private static void stage(List<StageTiming> timings, String name, Supplier<String> work) {
        stage(timings, name, work, s -> s);
    }

    private static <T> T stage(List<StageTiming> timings, String name, Supplier<T> work,
                               Function<T, String> describe) {
        long start = System.nanoTime();
        try {
            T result = work.get();
            timings.add(new StageTiming(name, Duration.ofNanos(System.nanoTime() - start), describe.apply(result)));
            return result;
        }
        catch (Exception e) { // Spark's AnalysisException is checked in Java's eyes but thrown from Scala unchecked
            timings.add(new StageTiming(name, Duration.ofNanos(System.nanoTime() - start), "FAILED"));
            throw new StageFailed(name, e);
        }
    }

    private static void printTimings(PrintStream out, List<StageTiming> timings) {
        out.println("stage     seconds  outcome");
        Duration total = Duration.ZERO;
        for (StageTiming t : timings) {
            out.printf("%-8s %8.1f  %s%n", t.stage(), t.took().toMillis() / 1000.0, t.outcome());
            total = total.plus(t.took());
        }
        out.printf("%-8s %8.1f%n", "total", total.toMillis() / 1000.0);
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message.lines().findFirst().orElse(""));
    }

    private static final class StageFailed extends RuntimeException {
        private final String stage;

        StageFailed(String stage, Exception cause) {
            super(cause);
            this.stage = stage;
        }
    }
}
