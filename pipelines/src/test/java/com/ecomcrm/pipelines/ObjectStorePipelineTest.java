package com.ecomcrm.pipelines;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.clickhouse.ShopScope;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.landing.LandingEnvelope;
import com.ecomcrm.landing.LandingLayout;
import com.ecomcrm.landing.LandingZone;
import com.ecomcrm.schema.IcebergDefinitions;
import com.ecomcrm.schema.IcebergTable;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
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
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The production lakehouse, proven on loopback: the nightly pipeline writes its Iceberg tables to {@code s3://} object
 * storage (an S3-compatible store, {@link S3ObjectStore}) through Iceberg's S3FileIO behind a REST catalog, switched
 * by {@code spark.*} settings only (docs/production.md section 3), and publishes exactly what a run on local files
 * and the development JDBC catalog publishes. Every data and metadata file is in the bucket; none on local disk.
 */
class ObjectStorePipelineTest {
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
    void theNightlyPipelineOnObjectStoragePublishesWhatItPublishesFromLocalFiles() throws Exception {
        TestLakehouse.assumeServers();
        ShopId shop = ShopId.of("s3-" + UUID.randomUUID().toString().substring(0, 8) + ".myshopify.com");
        Path landing = temp.resolve("landing");
        land(landing, shop);
        Path localWarehouse = temp.resolve("local-warehouse");
        PipelineSettings settings = PipelineSettings.fromEnvironment().withWarehouseDir(localWarehouse)
                .withLandingDir(landing);
        Lakehouse onS3 = TestLakehouse.uniqueLakehouse();
        Lakehouse onFiles = TestLakehouse.uniqueLakehouse();

        try (S3ObjectStore store = S3ObjectStore.start(temp.resolve("s3"));
             IcebergRestCatalogServer server = IcebergRestCatalogServer.startOnObjectStorage(temp.resolve("rest"),
                     store);
             ClickHouseGateway gateway = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment())) {
            Map<String, String> s3Settings = sparkSettings(server, store, onS3);
            try {
                String s3Output = runNight(settings, onS3, s3Settings);
                assertThat(s3Output).contains("Nightly pipeline for " + NIGHT + " succeeded")
                        .containsPattern("(?m)^NIGHTLY stage=rfm seconds=\\S+ status=ok shops=1 buyers=3 prospects=1 rows_out=4$");
                Map<String, List<String>> publishedFromS3 = published(gateway.forShop(shop));
                Map<String, Long> rowsOnS3 = withSettings(s3Settings, () -> rowCounts(settings, onS3, shop));

                // Every table's metadata and data are objects in the bucket, under the REST catalog's warehouse; the
                // local warehouse folder of the settings was never written.
                List<String> expected = IcebergDefinitions.all().stream()
                        .map(t -> t.namespace() + "." + t.name()).sorted().toList();
                assertThat(server.backendTables()).containsOnlyKeys(expected).allSatisfy((table, metadata) ->
                        assertThat(metadata).startsWith(store.location("rest-warehouse/"))
                                .endsWith(".metadata.json").contains("/metadata/"));
                List<String> objects = store.locations();
                assertThat(objects).isNotEmpty().allMatch(o -> o.startsWith(store.location("rest-warehouse/")));
                assertThat(objects).filteredOn(o -> o.endsWith(".parquet")).isNotEmpty();
                assertThat(objects).anyMatch(o -> o.startsWith(store.location("rest-warehouse/silver/orders/data/")));
                assertThat(objects).anyMatch(o -> o.startsWith(store.location("rest-warehouse/gold/customer_rfm/data/")));
                assertThat(files(localWarehouse)).isZero();

                String localOutput = runNight(settings, onFiles, Map.of());
                assertThat(localOutput).contains("Nightly pipeline for " + NIGHT + " succeeded");
                Map<String, List<String>> publishedFromFiles = published(gateway.forShop(shop));
                Map<String, Long> rowsOnFiles = rowCounts(settings, onFiles, shop);
                assertThat(files(localWarehouse)).isPositive();

                assertThat(publishedFromS3.get("customer_rfm")).hasSize(4);
                assertThat(publishedFromS3.get("customer_predictions")).hasSize(4);
                assertThat(publishedFromS3.get("customer_orders")).hasSize(5);
                assertThat(publishedFromS3).isEqualTo(publishedFromFiles);
                assertThat(rowsOnS3).containsEntry("silver.orders", 5L).containsEntry("silver.customers", 4L)
                        .isEqualTo(rowsOnFiles);
            }
            finally {
                for (String table : List.of("customer_rfm", "segment_summary", "segment_transitions",
                        "shop_daily_kpis", "customer_segment_history", "segment_history_dates",
                        "customer_predictions", "shop_model_fits", "customer_orders", "email_performance",
                        "shop_insights", "shop_publications")) {
                    gateway.forShop(shop).execute(
                            SqlTemplate.of("ALTER TABLE " + table + " DELETE WHERE shop_id = {shop}"));
                }
                TestLakehouse.open(localWarehouse, onFiles).close();
                withSettings(s3Settings, () -> {
                    TestLakehouse.open(localWarehouse, onS3).close();
                    return null;
                });
            }
        }
    }

    /**
     * What an operator passes to spark-submit ({@code --conf}) to put the lakehouse on object storage behind a REST
     * catalog: the catalog, its warehouse, S3FileIO and the store's endpoint and keys. Nothing else changes.
     */
    static Map<String, String> sparkSettings(IcebergRestCatalogServer server, S3ObjectStore store,
                                             Lakehouse lakehouse) {
        String prefix = "spark.sql.catalog." + lakehouse.catalog();
        Map<String, String> settings = new LinkedHashMap<>(server.sparkSettings(lakehouse));
        settings.put(prefix + ".warehouse", server.warehouseLocation());
        store.fileIoProperties().forEach((key, value) -> settings.put(prefix + "." + key, value));
        return settings;
    }

    private static String runNight(PipelineSettings settings, Lakehouse lakehouse, Map<String, String> sparkSettings)
            throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = withSettings(sparkSettings, () -> NightlyPipeline.run(settings, lakehouse, NIGHT, STAGES,
                new PrintStream(out, true, StandardCharsets.UTF_8)));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(status).as(printed).isZero();
        return printed;
    }

    /** Runs {@code work} with the settings as {@code spark.*} system properties, as {@code -D} or spark-submit set them. */
    static <T> T withSettings(Map<String, String> sparkSettings, Callable<T> work) throws Exception {
        sparkSettings.forEach(System::setProperty);
        try {
            return work.call();
        }
        finally {
            sparkSettings.keySet().forEach(System::clearProperty);
        }
    }

    /**
     * {@code namespace.table -> the shop's rows} of every Iceberg table, read back through the catalog. Only the
     * shop's: the email tables load every shop's sends from the shared PostgreSQL, where other tests add some.
     */
    private static Map<String, Long> rowCounts(PipelineSettings settings, Lakehouse lakehouse, ShopId shop) {
        SparkSession spark = SparkSessions.create(settings, lakehouse);
        try {
            Map<String, Long> counts = new LinkedHashMap<>();
            for (IcebergTable table : IcebergDefinitions.all()) {
                counts.put(table.namespace() + "." + table.name(),
                        spark.table(lakehouse.table(table.namespace(), table.name()))
                                .where(functions.col("shop_id").equalTo(shop.domain())).count());
            }
            return counts;
        }
        finally {
            spark.stop();
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

    private static long files(Path folder) throws Exception {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).count();
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
