package com.ecomcrm.e2e;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.clickhouse.SqlLiterals;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.landing.LandingLayout;
import com.ecomcrm.landing.LandingZone;
import com.ecomcrm.schema.ClickHouseTarget;
import com.ecomcrm.schema.PostgresTarget;
import com.ecomcrm.schema.SchemaMigrator;
import com.ecomcrm.testing.shopify.BulkJsonlWriter;
import com.ecomcrm.testing.shopify.BulkObjectType;
import com.ecomcrm.testing.shopify.SimulatedOrder;
import com.ecomcrm.testing.shopify.SimulatedStore;
import com.ecomcrm.testing.shopify.StoreGenerator;
import com.ecomcrm.testing.spark.SparkStandaloneCluster;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Scale-out without surprises: the same two seeded stores (bulk files in the landing zone, plus emails sent and
 * opened in PostgreSQL) are loaded into two separate warehouses, each with its own PostgreSQL database (Iceberg JDBC
 * catalog, operational tables) and ClickHouse database. The nightly pipeline runs, unchanged, in local mode for one
 * and on a Spark standalone cluster of one master and two workers started on loopback from the project's own
 * dependencies for the other: a night a week earlier (ingest, RFM: the snapshot segment movement starts from), then
 * the night's remaining stages. Every Iceberg table (silver and gold: RFM, predictions and model fits, transitions, KPIs, email
 * performance, insights) and every published ClickHouse table must hold the same rows: integers, strings and money
 * exactly, model doubles within 1e-9 relative. The cluster run is proven to be one: the master lists the
 * applications and both workers ran an executor for the night's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterParityTest {
    // Named per test JVM so that two runs on one machine never share a database or a work folder.
    private static final String RUN = Long.toString(ProcessHandle.current().pid());
    private static final String LOCAL = "ecomcrm_parity_local_" + RUN;
    private static final String CLUSTER = "ecomcrm_parity_cluster_" + RUN;
    private static final String NIGHTLY = "com.ecomcrm.pipelines.NightlyPipeline";
    /**
     * A run takes a minute or two on a quiet machine; the limit only catches a hang. It is generous because on a
     * shared 2-CPU machine (load average 30) one cluster run was measured at over 15 minutes.
     */
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(30);
    private static final long SEED = 20261130L;
    private static final Instant HISTORY_START = Instant.parse("2024-12-01T00:00:00Z");
    private static final Instant HISTORY_END = Instant.parse("2026-12-01T00:00:00Z");
    private static final LocalDate AS_OF = LocalDate.of(2026, 11, 30);
    private static final Instant LANDED_AT = Instant.parse("2026-11-30T23:00:00Z");
    private static final ShopId SHOP_A = ShopId.of("parity-alpha.myshopify.com");
    private static final ShopId SHOP_B = ShopId.of("parity-beta.myshopify.com");
    /** Columns that say when or under which id a run published, not what it computed. */
    private static final List<String> RUN_STAMPS = List.of("publish_id", "published_at");

    private Path work;
    /** The pipelines' classpath, the project's own jars and classes copied so a concurrent build cannot swap them. */
    private String classpath;
    private SimulatedStore storeA;
    private SimulatedStore storeB;
    private SparkStandaloneCluster cluster;
    private String clusterRunOutput;
    private Duration localRun;
    private Duration clusterRun;
    private Duration total;

    @BeforeAll
    void runThePipelineLocallyAndOnTheCluster() throws Exception {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        long started = System.nanoTime();
        Path root = repositoryRoot();
        work = Files.createDirectories(root.resolve("end-to-end-tests/target/cluster-parity-" + RUN));
        try (Stream<Path> old = Files.walk(work)) {
            old.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(work)).forEach(p -> p.toFile().delete());
        }
        storeA = StoreGenerator.generate(SEED, SHOP_A, 300, HISTORY_START, HISTORY_END);
        storeB = StoreGenerator.generate(SEED, SHOP_B, 150, HISTORY_START, HISTORY_END);

        String opens = PipelineProcess.sparkOpens(root.resolve("pom.xml"));
        classpath = privateClasspath(root);
        PipelineProcess local = prepareWarehouse(root, LOCAL, "local[2]");
        // The local runs and the cluster's go side by side: each is mostly one busy JVM at a time, so on two CPUs
        // the pair takes little longer than the slower one.
        ExecutorService sideBySide = Executors.newFixedThreadPool(2);
        try {
            Future<SparkStandaloneCluster> starting = sideBySide.submit(() -> SparkStandaloneCluster.start(
                    SparkStandaloneCluster.Options.twoSmallWorkers(classpath, work.resolve("cluster"),
                            List.of(opens.trim().split("\\s+")))));
            Future<Duration> localRuns = sideBySide.submit(() -> {
                long localStart = System.nanoTime();
                previousNight(local, LOCAL);
                night(local, "nightly-local");
                Duration took = Duration.ofNanos(System.nanoTime() - localStart);
                export(local, LOCAL);
                return took;
            });
            cluster = starting.get();
            PipelineProcess onCluster = prepareWarehouse(root, CLUSTER, cluster.masterUrl());
            long clusterStart = System.nanoTime();
            previousNight(onCluster, CLUSTER);
            clusterRunOutput = night(onCluster, "nightly-cluster");
            clusterRun = Duration.ofNanos(System.nanoTime() - clusterStart);
            // Read back in local mode: the export only reads the catalog, the cluster's work is done.
            export(prepareReader(root, CLUSTER), CLUSTER);
            localRun = localRuns.get();
        }
        catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error; // a failed run's AssertionError, with the tail of its log
            }
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        finally {
            sideBySide.shutdownNow();
        }
        total = Duration.ofNanos(System.nanoTime() - started);
        System.out.printf("ClusterParityTest: local runs %.1f s, cluster runs %.1f s, whole set-up %.1f s (load %s)%n",
                localRun.toMillis() / 1000.0, clusterRun.toMillis() / 1000.0, total.toMillis() / 1000.0,
                Files.readString(Path.of("/proc/loadavg")).trim());
    }

    @AfterAll
    void stopTheCluster() throws SQLException {
        if (cluster != null) {
            cluster.close();
        }
        // The databases are named per run, so each run removes its own (the work folder stays for a look afterwards).
        try (ClickHouseGateway admin = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment())) {
            admin.admin().execute("DROP DATABASE IF EXISTS " + LOCAL);
            admin.admin().execute("DROP DATABASE IF EXISTS " + CLUSTER);
        }
        PostgresTarget main = PostgresTarget.fromEnv();
        try (Connection connection = DriverManager.getConnection(main.url(), main.user(), main.password());
             Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + LOCAL + " WITH (FORCE)");
            statement.execute("DROP DATABASE IF EXISTS " + CLUSTER + " WITH (FORCE)");
        }
    }

    @Test
    void theClusterRunRanOnTheClustersTwoWorkers() {
        List<SparkStandaloneCluster.Application> apps = cluster.applications();
        // The previous night and the night itself, each a finished application of the pipeline.
        assertThat(apps).as("applications the master saw").hasSize(2).allSatisfy(app -> {
            assertThat(app.name()).isEqualTo("ecomcrm-pipelines");
            assertThat(app.state()).isEqualTo("FINISHED");
        });
        // The driver says where it ran; the id is one the master handed out.
        Matcher session = Pattern.compile("session on " + Pattern.quote(cluster.masterUrl()) + " \\((app-[^)]+)\\)")
                .matcher(clusterRunOutput);
        assertThat(session.find()).as("the night's run names the cluster's master").isTrue();
        String appId = session.group(1);
        assertThat(apps).extracting(SparkStandaloneCluster.Application::id).contains(appId);
        // Each worker launched an executor for it (a standalone driver runs no tasks itself: the executors did all).
        List<Path> executors = cluster.executorDirectories(appId);
        assertThat(executors).extracting(dir -> dir.getParent().getParent().getFileName().toString())
                .containsExactlyInAnyOrder("worker-1", "worker-2");
        for (Path executor : executors) {
            assertThat(executor.resolve("stderr")).content(StandardCharsets.UTF_8)
                    .contains("Spark Executor Command")
                    .doesNotContain("ClassNotFoundException", "NoClassDefFoundError");
        }
    }

    @Test
    void everyIcebergTableHoldsTheSameRowsAfterTheClusterRunAsAfterTheLocalRun() throws Exception {
        Map<String, List<JsonNode>> local = exported(LOCAL);
        Map<String, List<JsonNode>> onCluster = exported(CLUSTER);

        assertThat(onCluster.keySet()).isEqualTo(local.keySet());
        assertThat(local.keySet()).contains("gold.customer_rfm", "gold.customer_predictions", "gold.shop_model_fits",
                "gold.segment_transitions", "gold.shop_daily_kpis", "gold.email_performance", "gold.shop_insights");
        // Not a comparison of two empty tables: the stores and the emails reached every gold table.
        for (String table : List.of("gold.customer_rfm", "gold.customer_predictions", "gold.shop_model_fits",
                "gold.segment_transitions", "gold.shop_daily_kpis", "gold.email_performance", "gold.shop_insights")) {
            assertThat(local.get(table)).as(table).isNotEmpty();
        }
        // customer_rfm keeps one slice per date: the previous night's and the night's, each with every customer.
        assertThat(local.get("gold.customer_rfm"))
                .filteredOn(row -> row.get("as_of_date").asText().equals(AS_OF.toString()))
                .hasSize(storeA.customers().size() + storeB.customers().size());
        List<RowComparison.Result> results = new ArrayList<>();
        local.forEach((table, rows) -> results.add(RowComparison.compare(table, rows, onCluster.get(table))));
        report("iceberg", results);

        assertThat(results.stream().flatMap(r -> r.differences().stream())).as("differences").isEmpty();
    }

    @Test
    void everyPublishedClickHouseTableHoldsTheSameRows() {
        List<RowComparison.Result> results = new ArrayList<>();
        try (ClickHouseGateway local = clickHouse(LOCAL); ClickHouseGateway onCluster = clickHouse(CLUSTER)) {
            List<String> tables = shopTables(local);
            assertThat(shopTables(onCluster)).isEqualTo(tables);
            assertThat(tables).contains("customer_rfm", "segment_summary", "segment_transitions", "shop_daily_kpis",
                    "customer_predictions", "shop_model_fits", "email_performance", "shop_insights",
                    "shop_publications");
            for (String table : tables) {
                List<JsonNode> expected = new ArrayList<>();
                List<JsonNode> actual = new ArrayList<>();
                for (ShopId shop : List.of(SHOP_A, SHOP_B)) {
                    expected.addAll(published(local, table, shop));
                    actual.addAll(published(onCluster, table, shop));
                }
                results.add(RowComparison.compare("clickhouse." + table, expected, actual));
            }
        }
        report("clickhouse", results);

        assertThat(results).filteredOn(r -> r.table().equals("clickhouse.customer_rfm")).singleElement()
                .extracting(RowComparison.Result::rows)
                .isEqualTo(storeA.customers().size() + storeB.customers().size());
        assertThat(results.stream().flatMap(r -> r.differences().stream())).as("differences").isEmpty();
    }

    // ---- set-up -----------------------------------------------------------------------------------------------

    /** A fresh PostgreSQL and ClickHouse database, migrated, with the stores landed and the emails seeded. */
    private PipelineProcess prepareWarehouse(Path root, String name, String sparkMaster) throws Exception {
        PostgresTarget postgres = freshPostgresDatabase(name);
        try (ClickHouseGateway admin = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment())) {
            admin.admin().execute("DROP DATABASE IF EXISTS " + name);
        }
        SchemaMigrator.migrateAll(postgres, ClickHouseTarget.fromEnv().withDatabase(name));
        Path landing = Files.createDirectories(work.resolve(name + "/landing"));
        try (LandingZone zone = new LandingZone(new LandingLayout(landing), Clock.fixed(LANDED_AT, ZoneOffset.UTC))) {
            long operation = 1;
            for (SimulatedStore store : List.of(storeA, storeB)) {
                for (BulkObjectType type : BulkObjectType.values()) {
                    zone.landBulk(store.shop(), type.rootField(), "gid://shopify/BulkOperation/" + operation++,
                            new ByteArrayInputStream(BulkJsonlWriter.toBytes(store, type)));
                }
            }
        }
        try (Connection connection = DriverManager.getConnection(postgres.url(), postgres.user(),
                postgres.password())) {
            seedEmails(connection, storeA);
            seedEmails(connection, storeB);
        }
        Map<String, String> env = environment(postgres, name);
        env.put("SPARK_MASTER", sparkMaster);
        env.put("ECOMCRM_LANDING_DIR", landing.toString());
        return new PipelineProcess(root, env, work.resolve(name), classpath, RUN_TIMEOUT);
    }

    /** The same warehouse, read in local mode. */
    private PipelineProcess prepareReader(Path root, String name) {
        Map<String, String> env = environment(new PostgresTarget(databaseUrl(name), PostgresTarget.fromEnv().user(),
                PostgresTarget.fromEnv().password()), name);
        env.put("SPARK_MASTER", "local[2]");
        return new PipelineProcess(root, env, work.resolve(name), classpath, RUN_TIMEOUT);
    }

    /**
     * pipelines' classes and runtime classpath, with the project's own entries (the modules' jars and classes, in
     * the repository or installed in the local Maven repository) copied under the test's folder: executors load
     * classes long after they start, and a jar rebuilt meanwhile by another build would fail them with
     * NoClassDefFoundError. Third-party jars stay where they are.
     */
    private String privateClasspath(Path root) throws java.io.IOException {
        Path copies = Files.createDirectories(work.resolve("classpath"));
        List<String> entries = new ArrayList<>();
        entries.add(root.resolve("pipelines/target/classes").toString());
        entries.addAll(List.of(Files.readString(root.resolve("pipelines/target/runtime-classpath.txt")).trim()
                .split(":")));
        List<String> result = new ArrayList<>();
        int n = 0;
        for (String entry : entries) {
            Path path = Path.of(entry).toAbsolutePath().normalize();
            boolean ours = path.startsWith(root) || path.toString().contains("/com/ecomcrm/");
            if (!ours || !Files.exists(path)) {
                result.add(entry);
                continue;
            }
            Path copy = copies.resolve(n++ + "-" + path.getFileName());
            if (Files.isDirectory(path)) {
                try (Stream<Path> files = Files.walk(path)) {
                    for (Path file : files.toList()) {
                        Path target = copy.resolve(path.relativize(file).toString());
                        if (Files.isDirectory(file)) {
                            Files.createDirectories(target);
                        }
                        else {
                            Files.copy(file, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            }
            else {
                Files.copy(path, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            result.add(copy.toString());
        }
        return String.join(":", result);
    }

    private Map<String, String> environment(PostgresTarget postgres, String name) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("ECOMCRM_PG_URL", postgres.url());
        env.put("ECOMCRM_CH_DATABASE", name);
        env.put("ECOMCRM_WAREHOUSE_DIR", work.resolve(name + "/warehouse").toString());
        // The insights' wording must come from the templates, not from a chat model that answers differently twice.
        env.remove("ECOMCRM_NARRATOR_URL");
        return env;
    }

    /**
     * A week earlier: ingest (everything landed) and RFM, the snapshot the night's segment transitions start from.
     * The migrations ran when the databases were prepared.
     */
    private void previousNight(PipelineProcess process, String name) throws Exception {
        process.run(NIGHTLY, "previous-night", "--date", AS_OF.minusDays(7).toString(),
                "--landing", work.resolve(name + "/landing").toString(), "--stage", "ingest,rfm");
    }

    /** The night itself: every stage after ingest (which has nothing new to merge since the previous night). */
    private static String night(PipelineProcess process, String runName) throws Exception {
        return process.run(NIGHTLY, runName, "--date", AS_OF.toString(),
                "--stage", "rfm,predictions,transitions,kpis,email_performance,insights,publish");
    }

    private void export(PipelineProcess process, String name) throws Exception {
        process.run("com.ecomcrm.pipelines.WarehouseExport", "export", "--out", work.resolve(name + "/export").toString());
    }

    /**
     * A welcome and a win-back flow (and a VIP flow, off); for each of the first 40 customers with two orders or more, an email two days
     * before the second order: opened an hour later, clicked for every third, bounced for every fifth, and an
     * unsubscribe for every eleventh. Every timestamp is fixed (no {@code now()}), so both databases hold the same.
     */
    private static void seedEmails(Connection c, SimulatedStore store) throws SQLException {
        String shop = store.shop().domain();
        Timestamp setUp = Timestamp.from(HISTORY_START);
        long welcomeTemplate = returningId(c, "INSERT INTO templates (shop_domain, name, created_at, updated_at)"
                + " VALUES (?, 'Welcome', ?, ?)", shop, setUp, setUp);
        long winBackTemplate = returningId(c, "INSERT INTO templates (shop_domain, name, created_at, updated_at)"
                + " VALUES (?, 'Win back', ?, ?)", shop, setUp, setUp);
        long welcome = returningId(c, "INSERT INTO flows (shop_domain, kind, enabled, template_id, created_at,"
                + " updated_at) VALUES (?, 'welcome', true, ?, ?, ?)", shop, welcomeTemplate, setUp, setUp);
        // Win-back was switched off after its sends, and VIP never on: the insights' "flow is off" findings.
        long winBack = returningId(c, "INSERT INTO flows (shop_domain, kind, enabled, template_id, created_at,"
                + " updated_at) VALUES (?, 'win_back', false, ?, ?, ?)", shop, winBackTemplate, setUp, setUp);
        returningId(c, "INSERT INTO flows (shop_domain, kind, enabled, created_at, updated_at)"
                + " VALUES (?, 'vip', false, ?, ?)", shop, setUp, setUp);
        Map<Long, List<SimulatedOrder>> ordersByCustomer = new TreeMap<>(store.orders().stream()
                .filter(o -> o.customerId() > 0)
                .collect(Collectors.groupingBy(SimulatedOrder::customerId)));
        Instant endOfDay = AS_OF.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        int i = 0;
        for (Map.Entry<Long, List<SimulatedOrder>> customer : ordersByCustomer.entrySet()) {
            List<SimulatedOrder> orders = customer.getValue().stream()
                    .sorted(Comparator.comparing(SimulatedOrder::processedAt)).toList();
            if (orders.size() < 2 || i >= 40) {
                continue;
            }
            Instant sentAt = orders.get(1).processedAt().minus(Duration.ofDays(2));
            if (!sentAt.isBefore(endOfDay)) {
                continue;
            }
            boolean first = i % 2 == 0;
            long send = returningId(c, "INSERT INTO sends (shop_domain, flow_id, customer_id, email, trigger_key,"
                            + " idempotency_key, status, due_at, template_id, template_version, sent_at, created_at,"
                            + " updated_at) VALUES (?, ?, ?, ?, ?, ?, 'SENT', ?, ?, 1, ?, ?, ?)",
                    shop, first ? welcome : winBack, customer.getKey(), "customer" + customer.getKey() + "@example.com",
                    "parity-" + i, "parity-" + i, Timestamp.from(sentAt), first ? welcomeTemplate : winBackTemplate,
                    Timestamp.from(sentAt), Timestamp.from(sentAt), Timestamp.from(sentAt));
            if (i % 5 == 4) {
                event(c, shop, send, "bounce", sentAt.plus(Duration.ofMinutes(1)), "b-" + i);
            }
            else {
                event(c, shop, send, "open", sentAt.plus(Duration.ofHours(1)), "o-" + i);
                if (i % 3 == 0) {
                    event(c, shop, send, "click", sentAt.plus(Duration.ofHours(2)), "c-" + i);
                }
                if (i % 11 == 0) {
                    event(c, shop, send, "unsubscribe", sentAt.plus(Duration.ofHours(3)), "u-" + i);
                }
            }
            i++;
        }
    }

    private static void event(Connection c, String shop, long send, String kind, Instant at, String id)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO email_events (shop_domain, send_id, kind,"
                + " occurred_at, event_id) VALUES (?, ?, ?, ?, ?)")) {
            s.setString(1, shop);
            s.setLong(2, send);
            s.setString(3, kind);
            s.setTimestamp(4, Timestamp.from(at));
            s.setString(5, "parity-" + shop + "-" + id);
            s.executeUpdate();
        }
    }

    private static long returningId(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql + " RETURNING id")) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    // ---- reading the results ----------------------------------------------------------------------------------

    /** table ({@code namespace.name}) -> its exported rows. */
    private Map<String, List<JsonNode>> exported(String name) throws Exception {
        Map<String, List<JsonNode>> tables = new TreeMap<>();
        Pattern file = Pattern.compile("(.+)\\.jsonl");
        try (Stream<Path> files = Files.list(work.resolve(name + "/export"))) {
            for (Path path : files.toList()) {
                Matcher matcher = file.matcher(path.getFileName().toString());
                if (matcher.matches()) {
                    tables.put(matcher.group(1), Files.readAllLines(path, StandardCharsets.UTF_8).stream()
                            .filter(line -> !line.isBlank()).map(RowComparison::parse).toList());
                }
            }
        }
        return tables;
    }

    /** Every table of the database that holds shops' rows (all but the migration ledger), sorted. */
    private static List<String> shopTables(ClickHouseGateway gateway) {
        String database = SqlLiterals.string(gateway.settings().database());
        return gateway.admin().query("SELECT table FROM system.columns WHERE database = " + database
                        + " AND name = 'shop_id' ORDER BY table").stream()
                .map(row -> row.get("table").asText()).toList();
    }

    /** The shop's rows of a table, without the columns that only stamp the run. */
    private static List<JsonNode> published(ClickHouseGateway gateway, String table, ShopId shop) {
        List<JsonNode> rows = new ArrayList<>();
        for (JsonNode row : gateway.forShop(shop).select(SqlTemplate.of("SELECT * FROM " + table
                + " WHERE shop_id = {shop}"))) {
            ObjectNode copy = row.deepCopy();
            RUN_STAMPS.forEach(copy::remove);
            rows.add(copy);
        }
        return rows;
    }

    private static ClickHouseGateway clickHouse(String database) {
        return ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment().withDatabase(database));
    }

    private static void report(String store, List<RowComparison.Result> results) {
        for (RowComparison.Result result : results) {
            System.out.printf("ClusterParityTest %s %s: %d rows, %d equal within %.0e only, %s%n", store,
                    result.table(), result.rows(), result.rowsWithinTolerance(), RowComparison.RELATIVE_TOLERANCE,
                    result.equal() ? "same" : result.differences().size() + " differences");
        }
    }

    private static PostgresTarget freshPostgresDatabase(String name) throws SQLException {
        PostgresTarget main = PostgresTarget.fromEnv();
        try (Connection connection = DriverManager.getConnection(main.url(), main.user(), main.password());
             Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            statement.execute("CREATE DATABASE " + name);
        }
        return new PostgresTarget(databaseUrl(name), main.user(), main.password());
    }

    private static String databaseUrl(String name) {
        return PostgresTarget.fromEnv().url().replaceFirst("/[^/?]+(\\?.*)?$", "/" + name + "$1");
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("pipelines/pom.xml"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("Cannot find the repository root above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
