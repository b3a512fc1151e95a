package com.ecomcrm.pipelines;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.clickhouse.ShopScope;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.landing.LandingEnvelope;
import com.ecomcrm.landing.LandingLayout;
import com.ecomcrm.landing.LandingZone;
import com.ecomcrm.pipelines.maintenance.MaintenanceJob;
import com.ecomcrm.pipelines.maintenance.TableMaintenance;
import com.ecomcrm.schema.IcebergDefinitions;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The production catalog switch, proven: the nightly pipeline runs against a real Iceberg REST catalog (Iceberg's
 * RESTCatalogServer over a JDBC catalog in its own PostgreSQL schema) with the catalog changed by {@code spark.*}
 * settings only, exactly as spark-submit's {@code --conf} would change it (docs/production.md section 3), and
 * publishes the same numbers as a run on the development JDBC catalog. Maintenance then runs on the REST tables:
 * orphan-file removal finds the table locations through the catalog.
 */
class RestCatalogPipelineTest {
    private static final LocalDate NIGHT = LocalDate.of(2026, 11, 28);
    /** Every stage but migrate (the other tests' schemas are already migrated; it needs no catalog). */
    private static final Set<String> STAGES = new LinkedHashSet<>(NightlyPipeline.STAGES.subList(1,
            NightlyPipeline.STAGES.size()));
    /** The published tables compared between the runs, with their sort order. */
    private static final Map<String, String> PUBLISHED = new LinkedHashMap<>();

    static {
        PUBLISHED.put("customer_rfm", "customer_id");
        PUBLISHED.put("segment_summary", "segment");
        PUBLISHED.put("shop_daily_kpis", "kpi_date");
        PUBLISHED.put("customer_predictions", "customer_id");
        PUBLISHED.put("shop_model_fits", "shop_id");
        PUBLISHED.put("customer_orders", "order_id");
    }

    @TempDir
    Path temp;

    @Test
    void theNightlyPipelineOnTheRestCatalogPublishesWhatTheJdbcCatalogPublishes() throws Exception {
        TestLakehouse.assumeServers();
        ShopId shop = ShopId.of("rest-" + UUID.randomUUID().toString().substring(0, 8) + ".myshopify.com");
        Path landing = temp.resolve("landing");
        land(landing, shop);
        Path localWarehouse = temp.resolve("local-warehouse");
        PipelineSettings settings = PipelineSettings.fromEnvironment().withWarehouseDir(localWarehouse)
                .withLandingDir(landing);
        Lakehouse rest = TestLakehouse.uniqueLakehouse();
        Lakehouse jdbc = TestLakehouse.uniqueLakehouse();

        try (IcebergRestCatalogServer server = IcebergRestCatalogServer.start(temp.resolve("rest"));
             ClickHouseGateway gateway = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment())) {
            try {
                String restOutput = runNight(settings, rest, server);
                assertThat(restOutput).contains("Nightly pipeline for " + NIGHT + " succeeded")
                        .containsPattern("(?m)^NIGHTLY stage=rfm seconds=\\S+ status=ok shops=1 buyers=3 prospects=1 rows_out=4$");
                Map<String, List<String>> publishedFromRest = published(gateway.forShop(shop));

                // Every table was created through the REST server: it lists them, its JDBC backend holds them (under
                // its own catalog name, in its own schema), their files are in its warehouse, and neither the
                // development catalog nor the local warehouse folder of the settings saw any of them.
                List<String> expected = IcebergDefinitions.all().stream()
                        .map(t -> t.namespace() + "." + t.name()).sorted().toList();
                assertThat(Stream.concat(server.listTables("silver").stream(), server.listTables("gold").stream())
                        .sorted().toList()).isEqualTo(expected);
                assertThat(server.backendTables()).containsOnlyKeys(expected)
                        .allSatisfy((table, metadata) -> assertThat(Path.of(URI.create(metadata)))
                                .startsWith(server.warehouse())
                                .satisfies(file -> assertThat(file.getParent().getFileName()).hasToString("metadata")));
                assertThat(developmentCatalogRows(settings, rest)).isZero();
                assertThat(parquetFiles(server.warehouse())).isPositive();
                assertThat(parquetFiles(localWarehouse)).isZero();

                String jdbcOutput = runNight(settings, jdbc, null);
                assertThat(jdbcOutput).contains("Nightly pipeline for " + NIGHT + " succeeded");
                Map<String, List<String>> publishedFromJdbc = published(gateway.forShop(shop));
                assertThat(developmentCatalogRows(settings, jdbc)).isEqualTo(expected.size());

                assertThat(publishedFromRest.get("customer_rfm")).hasSize(4);
                assertThat(publishedFromRest.get("customer_predictions")).hasSize(4);
                assertThat(publishedFromRest.get("customer_orders")).hasSize(5);
                assertThat(publishedFromRest).isEqualTo(publishedFromJdbc);

                maintainOnTheRestCatalog(settings, rest, server);
            }
            finally {
                for (String table : List.of("customer_rfm", "segment_summary", "segment_transitions",
                        "shop_daily_kpis", "customer_segment_history", "segment_history_dates",
                        "customer_predictions", "shop_model_fits", "customer_orders", "email_performance",
                        "shop_insights", "shop_publications")) {
                    gateway.forShop(shop).execute(
                            SqlTemplate.of("ALTER TABLE " + table + " DELETE WHERE shop_id = {shop}"));
                }
                TestLakehouse.open(localWarehouse, jdbc).close();
                withRestSettings(server, rest, () -> {
                    TestLakehouse.open(localWarehouse, rest).close();
                    return null;
                });
            }
        }
    }

    /**
     * Orphan-file removal and compaction on the REST catalog's tables: the job is given no folder, only the catalog,
     * and removes an orphan written into a table's location as the catalog reports it.
     */
    private void maintainOnTheRestCatalog(PipelineSettings settings, Lakehouse rest, IcebergRestCatalogServer server)
            throws Exception {
        withRestSettings(server, rest, () -> {
            SparkSession spark = SparkSessions.create(settings, rest);
            try {
                String location = new TableMaintenance(spark).load(rest.orders()).location();
                assertThat(Path.of(URI.create(location))).startsWith(server.warehouse());
                Path orphan = Path.of(URI.create(location)).resolve("data").resolve("orphan-of-a-failed-write.parquet");
                Files.writeString(orphan, "not a data file");
                Files.setLastModifiedTime(orphan, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
                List<String> before = spark.table(rest.orders()).toJSON().collectAsList().stream().sorted().toList();

                List<MaintenanceJob.TableResult> results = new MaintenanceJob(spark, rest, Clock.systemUTC())
                        .run(new MaintenanceJob.Options(Duration.ZERO, 1, Duration.ofDays(1), 64L * 1024 * 1024));

                results.forEach(result -> System.out.println(result.line()));
                assertThat(results).hasSize(IcebergDefinitions.all().size())
                        .noneMatch(MaintenanceJob.TableResult::failed);
                assertThat(results).filteredOn(r -> r.table().equals(rest.orders()))
                        .singleElement().satisfies(r -> assertThat(r.orphans()).isEqualTo(1));
                assertThat(orphan).doesNotExist();
                assertThat(spark.table(rest.orders()).toJSON().collectAsList().stream().sorted().toList())
                        .isEqualTo(before).hasSize(5);
            }
            finally {
                spark.stop();
            }
            return null;
        });
    }

    /** Runs the night; with a server, the catalog is switched to it by spark.* system properties only. */
    private static String runNight(PipelineSettings settings, Lakehouse lakehouse, IcebergRestCatalogServer server)
            throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = server == null
                ? NightlyPipeline.run(settings, lakehouse, NIGHT, STAGES, new PrintStream(out, true, StandardCharsets.UTF_8))
                : withRestSettings(server, lakehouse, () -> NightlyPipeline.run(settings, lakehouse, NIGHT, STAGES,
                        new PrintStream(out, true, StandardCharsets.UTF_8)));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(status).as(printed).isZero();
        return printed;
    }

    private static <T> T withRestSettings(IcebergRestCatalogServer server, Lakehouse lakehouse,
                                          java.util.concurrent.Callable<T> work) throws Exception {
        Map<String, String> settings = server.sparkSettings(lakehouse);
        settings.forEach(System::setProperty);
        try {
            return work.call();
        }
        finally {
            settings.keySet().forEach(System::clearProperty);
        }
    }

    /** The shop's latest publication, table by table, without the publication's own id. */
    private static Map<String, List<String>> published(ShopScope scope) {
        long publication = scope.currentPublication();
        assertThat(publication).isPositive();
        Map<String, List<String>> tables = new LinkedHashMap<>();
        PUBLISHED.forEach((table, order) -> tables.put(table, scope.select(SqlTemplate.of("SELECT * FROM " + table
                        + " WHERE shop_id = {shop} AND publish_id = {p} ORDER BY " + order).bind("p", publication))
                .stream().map(row -> {
                    ObjectNode copy = ((ObjectNode) row).deepCopy();
                    copy.remove("publish_id");
                    return copy.toString();
                }).toList()));
        return tables;
    }

    private static long developmentCatalogRows(PipelineSettings settings, Lakehouse lakehouse) throws Exception {
        try (Connection pg = DriverManager.getConnection(settings.pgUrl(), settings.pgUser(), settings.pgPassword());
             var statement = pg.prepareStatement("SELECT count(*) FROM iceberg_tables WHERE catalog_name = ?")) {
            statement.setString(1, lakehouse.catalog());
            try (var rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private static long parquetFiles(Path folder) throws Exception {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(f -> f.toString().endsWith(".parquet")).count();
        }
    }

    /** Four customers, three of them buyers with five orders between them. */
    private static void land(Path landing, ShopId shop) throws Exception {
        Instant at = Instant.parse("2026-11-28T09:00:00Z");
        try (LandingZone zone = new LandingZone(new LandingLayout(landing), Clock.fixed(at, ZoneOffset.UTC))) {
            for (int customer = 1; customer <= 4; customer++) {
                zone.appendWebhook(LandingEnvelope.webhook(shop, "customers/create", "c" + customer, at,
                        Optional.empty(), Optional.empty(), "{\"id\":" + customer + ",\"email\":\"c" + customer
                                + "@example.com\",\"updated_at\":\"2026-06-01T00:00:00Z\"}"));
            }
            String[][] orders = {
                    {"10", "1", "2026-07-02", "40.00"}, {"11", "1", "2026-09-15", "55.50"},
                    {"12", "1", "2026-11-20", "12.34"}, {"13", "2", "2026-10-01", "99.99"},
                    {"14", "3", "2026-08-08", "20.00"}};
            for (String[] order : orders) {
                String time = order[2] + "T10:00:00Z";
                zone.appendWebhook(LandingEnvelope.webhook(shop, "orders/create", "o" + order[0], at,
                        Optional.empty(), Optional.empty(), "{\"id\":" + order[0] + ",\"customer\":{\"id\":"
                                + order[1] + "},\"processed_at\":\"" + time + "\",\"updated_at\":\"" + time
                                + "\",\"total_price\":\"" + order[3] + "\",\"currency\":\"EUR\"}"));
            }
        }
    }
}
