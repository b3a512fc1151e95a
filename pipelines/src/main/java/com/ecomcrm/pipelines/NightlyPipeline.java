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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The nightly run: migrate, ensure the Iceberg tables, ingest the landing zone, compute RFM as of the logical date,
 * the customers' predictions (BG/NBD, Gamma-Gamma, CLV) as of it, the segment transitions into it and the daily
 * shop KPIs up to it, the email performance up to it (sends and events copied from PostgreSQL, last-touch
 * attribution), the night's insights, publish to ClickHouse.
 *
 * <p>At the end it prints a table of stage timings for people and, after it, one line per stage for programs (the
 * benchmark driver): {@code NIGHTLY stage=<name> seconds=<s> status=<ok|failed> <key>=<value>...}, where the keys
 * are the stage's counts (rows in, merged, published; see each job's {@code metrics()}).
 *
 * <pre>bin/run pipelines com.ecomcrm.pipelines.NightlyPipeline --date 2026-11-28 [--landing DIR] [--stage NAME]...
 *     [--full-ingest]</pre>
 *
 * <p>Without {@code --stage} every stage runs in order ({@link #STAGES}); with it, only the named ones (repeat the
 * option or give a comma list), still in that order. Airflow runs one stage per task so a retry repeats only what
 * failed; each stage is idempotent for its logical date, so running one twice changes nothing.
 *
 * <p>The ingest reads only the landing files that are new or changed since the last ingest into this lakehouse
 * ({@link IngestJob#newFiles}), and the email_performance stage only the sends and events changed since its last load
 * ({@link EmailLakehouseLoad}); {@code --full-ingest} makes both read everything, to rebuild silver after the
 * lakehouse was restored from a backup older than the records of what was read.
 *
 * <p>{@code --date} is required and is never defaulted to "today": a re-run or a backfill of a given night must
 * give that night's answer, whenever it runs. Settings come from the environment (docs/development.md). Exit code
 * 0 on success, 1 when a stage failed, 2 on bad arguments.
 */
public final class NightlyPipeline {
    private NightlyPipeline() {
    }

    /** Every stage that can be asked for by name, in the order they run. */
    static final List<String> STAGES = List.of("migrate", "ingest", "rfm", "predictions", "transitions", "kpis",
            "email_performance", "insights", "publish");
    /** The stages that read the purchase days ({@link CustomerDays}). */
    private static final List<String> DAY_STAGES = List.of("rfm", "predictions", "kpis");

    /** Which landing files the ingest stage reads. */
    enum IngestRead {
        /** The files not yet ingested into this lakehouse, or changed since (every night). */
        NEW_FILES,
        /** Every landing file ({@code --full-ingest}: a rebuild after a lakehouse restore). */
        EVERY_FILE
    }

    /** The parsed command line; {@code stages} holds the stages to run, all of them unless some were named. */
    record Arguments(LocalDate date, Path landing, java.util.Set<String> stages, IngestRead ingestRead) {
        static Arguments parse(String[] args, Path defaultLanding) {
            LocalDate date = null;
            Path landing = defaultLanding;
            IngestRead ingestRead = IngestRead.NEW_FILES;
            java.util.Set<String> stages = new java.util.LinkedHashSet<>();
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
                    case "--stage" -> {
                        if (value == null) {
                            throw new IllegalArgumentException("--stage needs a name, one of " + STAGES);
                        }
                        for (String name : value.split(",")) {
                            if (!STAGES.contains(name.trim())) {
                                throw new IllegalArgumentException("--stage '" + name.trim()
                                        + "' is not a stage; the stages are " + STAGES);
                            }
                            stages.add(name.trim());
                        }
                        i++;
                    }
                    case "--full-ingest" -> ingestRead = IngestRead.EVERY_FILE;
                    default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
                }
            }
            if (date == null) {
                throw new IllegalArgumentException("--date yyyy-mm-dd is required (the logical date to score)");
            }
            return new Arguments(date, landing, stages.isEmpty() ? new java.util.LinkedHashSet<>(STAGES) : stages,
                    ingestRead);
        }
    }

    /** One stage's name, how long it took, what it said, and its counts for the machine-readable line. */
    record StageTiming(String stage, Duration took, String outcome, Map<String, Object> metrics) {
        StageTiming {
            metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        }

        /** {@code NIGHTLY stage=rfm seconds=1.234 status=ok shops=2 ...}; values never contain spaces. */
        String machineLine() {
            StringBuilder line = new StringBuilder("NIGHTLY stage=").append(stage)
                    .append(" seconds=").append(String.format(Locale.ROOT, "%.3f", took.toNanos() / 1e9))
                    .append(" status=").append("FAILED".equals(outcome) ? "failed" : "ok");
            metrics.forEach((key, value) -> line.append(' ').append(key).append('=')
                    .append(String.valueOf(value).replaceAll("\\s+", "_")));
            return line.toString();
        }
    }

    public static void main(String[] args) {
        PipelineSettings settings = PipelineSettings.fromEnvironment();
        Arguments arguments;
        try {
            arguments = Arguments.parse(args, settings.landingDir());
        }
        catch (IllegalArgumentException e) {
            System.err.println("NightlyPipeline: " + e.getMessage());
            System.err.println("usage: NightlyPipeline --date yyyy-mm-dd [--landing DIR] [--stage "
                    + String.join("|", STAGES) + "]... [--full-ingest]");
            System.exit(2);
            return;
        }
        int status = run(settings.withLandingDir(arguments.landing()), Lakehouse.DEFAULT, arguments.date(),
                arguments.stages(), arguments.ingestRead(), System.out);
        System.exit(status);
    }

    /** Runs every stage; returns the exit status. Stops at the first failing stage and says which. */
    static int run(PipelineSettings settings, LocalDate date, PrintStream out) {
        return run(settings, Lakehouse.DEFAULT, date, out);
    }

    /** As {@link #run(PipelineSettings, LocalDate, PrintStream)} on another catalog (tests). */
    static int run(PipelineSettings settings, Lakehouse lakehouse, LocalDate date, PrintStream out) {
        return run(settings, lakehouse, date, new java.util.LinkedHashSet<>(STAGES), out);
    }

    /** Runs the given stages (names from {@link #STAGES}) in their fixed order; the ingest reads new files only. */
    static int run(PipelineSettings settings, Lakehouse lakehouse, LocalDate date, java.util.Set<String> stages,
                   PrintStream out) {
        return run(settings, lakehouse, date, stages, IngestRead.NEW_FILES, out);
    }

    /** Runs the given stages in their fixed order, the ingest reading {@code ingestRead}. */
    static int run(PipelineSettings settings, Lakehouse lakehouse, LocalDate date, java.util.Set<String> stages,
                   IngestRead ingestRead, PrintStream out) {
        List<StageTiming> timings = new ArrayList<>();
        out.println("Nightly pipeline for " + date + " (" + settings + "), stages " + stages);
        SparkSession spark = null;
        PipelineRuns runs = new PipelineRuns(settings, lakehouse, Clock.systemUTC());
        Optional<Long> run = Optional.empty();
        try (ClickHouseGateway gateway = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment())) {
            if (stages.contains("migrate")) {
                stage(timings, "migrate", SchemaMigrator::migrateAll,
                        r -> r.postgresApplied() + " PostgreSQL, " + r.clickHouseApplied().size()
                                + " ClickHouse applied",
                        r -> counts("postgres_applied", r.postgresApplied(),
                                "clickhouse_applied", r.clickHouseApplied().size()));
            }
            // Recorded after migrate, which creates pipeline_runs on a fresh database.
            run = runs.started(date, stages);
            Optional<Long> runId = run;
            boolean needsSpark = stages.stream().anyMatch(name -> !name.equals("migrate"));
            if (!needsSpark) {
                printTimings(out, timings);
                runs.finished(run, stages, timings, Optional.empty());
                out.println("Nightly pipeline for " + date + " succeeded");
                return 0;
            }
            SparkSession session = stage(timings, "spark", () -> SparkSessions.create(settings, lakehouse),
                    s -> "session on " + s.sparkContext().master() + " (" + s.sparkContext().applicationId() + ")",
                    s -> Map.of());
            spark = session;
            stage(timings, "tables", () -> {
                LakehouseTables.ensure(session, lakehouse);
                return "lakehouse tables present";
            });
            if (stages.contains("ingest")) {
                IngestedLandingFiles ingested = new IngestedLandingFiles(settings, Clock.systemUTC());
                stage(timings, "ingest", () -> ingestRead == IngestRead.EVERY_FILE
                                ? IngestJob.allFiles(session, lakehouse, settings.landingDir(), ingested, runId)
                                : IngestJob.newFiles(session, lakehouse, settings.landingDir(), ingested, runId),
                        IngestJob.Result::summary, NightlyPipeline::ingestMetrics);
            }
            // RFM, predictions and the KPIs start from the same purchase days: computed once and kept while more than
            // one of them runs (each computed them from the orders before: three scans and aggregations of silver).
            long dayStages = DAY_STAGES.stream().filter(stages::contains).count();
            CustomerDays days = dayStages == 0 ? null : dayStages > 1 ? CustomerDays.cached(session, lakehouse, date)
                    : CustomerDays.of(session, lakehouse, date);
            try {
                if (stages.contains("rfm")) {
                    stage(timings, "rfm", () -> RfmJob.run(session, lakehouse, date, days), RfmJob.Result::summary,
                            r -> counts("shops", r.shops(), "buyers", r.buyers(), "prospects", r.prospects(),
                                    "rows_out", r.buyers() + r.prospects()));
                }
                if (stages.contains("predictions")) {
                    stage(timings, "predictions", () -> PredictionsJob.run(session, lakehouse, date, days),
                            PredictionsJob.Result::summary, PredictionsJob.Result::metrics);
                }
                if (stages.contains("transitions")) {
                    stage(timings, "transitions", () -> SegmentTransitionsJob.run(session, lakehouse, date),
                            SegmentTransitionsJob.Result::summary, SegmentTransitionsJob.Result::metrics);
                }
                if (stages.contains("kpis")) {
                    stage(timings, "kpis", () -> ShopKpisJob.run(session, lakehouse, date, days),
                            ShopKpisJob.Result::summary, ShopKpisJob.Result::metrics);
                }
            }
            finally {
                if (days != null) {
                    days.close();
                }
            }
            if (stages.contains("email_performance")) {
                stage(timings, "email_performance", () -> EmailPerformanceJob.run(session, lakehouse, settings, date,
                                ingestRead == IngestRead.EVERY_FILE, runId),
                        EmailPerformanceJob.Result::summary, EmailPerformanceJob.Result::metrics);
            }
            if (stages.contains("insights")) {
                stage(timings, "insights", () -> InsightsJob.run(session, lakehouse, settings, date),
                        InsightsJob.Result::summary, InsightsJob.Result::metrics);
            }
            if (stages.contains("publish")) {
                stage(timings, "publish", () -> PublishJob.run(session, lakehouse, gateway, date, Clock.systemUTC()),
                        PublishJob.Result::summary, PublishJob.Result::metrics);
            }
            printTimings(out, timings);
            runs.finished(run, stages, timings, Optional.empty());
            out.println("Nightly pipeline for " + date + " succeeded");
            return 0;
        }
        catch (StageFailed e) {
            printTimings(out, timings);
            runs.finished(run, stages, timings, Optional.of("stage '" + e.stage + "': " + describe(e.getCause())));
            System.err.println("NightlyPipeline: stage '" + e.stage + "' failed for " + date + ": "
                    + describe(e.getCause()));
            e.getCause().printStackTrace(System.err);
            return 1;
        }
        catch (Exception e) {
            printTimings(out, timings);
            runs.finished(run, stages, timings, Optional.of(describe(e)));
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
        stage(timings, name, work, s -> s, s -> Map.of());
    }

    private static <T> T stage(List<StageTiming> timings, String name, Supplier<T> work,
                               Function<T, String> describe, Function<T, Map<String, ?>> metrics) {
        long start = System.nanoTime();
        try {
            T result = work.get();
            timings.add(new StageTiming(name, Duration.ofNanos(System.nanoTime() - start), describe.apply(result),
                    new LinkedHashMap<String, Object>(metrics.apply(result))));
            return result;
        }
        catch (Exception e) { // Spark's AnalysisException is checked in Java's eyes but thrown from Scala unchecked
            timings.add(new StageTiming(name, Duration.ofNanos(System.nanoTime() - start), "FAILED", Map.of()));
            throw new StageFailed(name, e);
        }
    }

    /** key, value, key, value... in that order. */
    private static Map<String, Object> counts(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    /** Ingest counts: lines in, rejects, and rows merged per table plus in all ({@code merged}). */
    static Map<String, Object> ingestMetrics(IngestJob.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("files", r.files());
        m.put("files_skipped", r.filesSkipped());
        m.put("every_file", r.readEveryFile() ? 1 : 0);
        m.put("rows_in", r.lines());
        m.put("ignored", r.ignored());
        m.put("rejects", r.rejects());
        m.put("merged", r.rowsMerged().values().stream().mapToLong(Long::longValue).sum());
        r.rowsMerged().forEach((table, rows) -> m.put("merged_" + table.replaceAll("[^A-Za-z0-9_]", "_"), rows));
        return m;
    }

    private static void printTimings(PrintStream out, List<StageTiming> timings) {
        out.println("stage          seconds  outcome");
        Duration total = Duration.ZERO;
        for (StageTiming t : timings) {
            out.printf("%-11s %8.1f  %s%n", t.stage(), t.took().toMillis() / 1000.0, t.outcome());
            total = total.plus(t.took());
        }
        out.printf("%-11s %8.1f%n", "total", total.toMillis() / 1000.0);
        // Machine-readable, after the human table (whose parsers stop at "total"): one line per stage.
        for (StageTiming t : timings) {
            out.println(t.machineLine());
        }
        out.println("NIGHTLY stage=total seconds=" + String.format(Locale.ROOT, "%.3f", total.toNanos() / 1e9));
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
