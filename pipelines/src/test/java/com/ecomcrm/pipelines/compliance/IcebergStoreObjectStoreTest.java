package com.ecomcrm.pipelines.compliance;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.pipelines.IcebergRestCatalogServer;
import com.ecomcrm.pipelines.Lakehouse;
import com.ecomcrm.pipelines.LakehouseTables;
import com.ecomcrm.pipelines.PipelineSettings;
import com.ecomcrm.pipelines.S3ObjectStore;
import com.ecomcrm.pipelines.SparkSessions;
import com.ecomcrm.schema.IcebergDefinitions;
import com.ecomcrm.schema.IcebergTable;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The customer erasure of a lakehouse on object storage: with the tables in an S3 bucket behind a REST catalog, the
 * row-level DELETE, the snapshot expiry and the orphan removal leave no object in the bucket that held the customer,
 * as read back from the bucket itself (S3 ListObjectsV2), not from Iceberg's metadata.
 */
class IcebergStoreObjectStoreTest {
    private static final ShopId SHOP = ShopId.of("erasure-s3.myshopify.com");

    @TempDir
    Path temp;

    @Test
    void aRedactedCustomersDataFilesAndHistoryAreGoneFromTheBucket() throws Exception {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        Lakehouse lakehouse = new Lakehouse("test_s3_erasure_" + UUID.randomUUID().toString().replace("-", "")
                .substring(0, 8));
        try (S3ObjectStore store = S3ObjectStore.start(temp.resolve("s3"));
             IcebergRestCatalogServer server = IcebergRestCatalogServer.startOnObjectStorage(temp.resolve("rest"),
                     store)) {
            String prefix = "spark.sql.catalog." + lakehouse.catalog();
            Map<String, String> settings = new LinkedHashMap<>(server.sparkSettings(lakehouse));
            settings.put(prefix + ".warehouse", server.warehouseLocation());
            store.fileIoProperties().forEach((key, value) -> settings.put(prefix + "." + key, value));
            settings.forEach(System::setProperty);
            SparkSession spark = null;
            try {
                spark = SparkSessions.create(PipelineSettings.fromEnvironment()
                        .withWarehouseDir(temp.resolve("unused-local-warehouse")), lakehouse);
                LakehouseTables.ensure(spark, lakehouse);
                String customers = lakehouse.customers();
                for (long id : List.of(1L, 2L)) { // two commits: the first snapshot's file holds customer 1 alone
                    spark.sql("INSERT INTO " + customers + " SELECT '" + SHOP.domain() + "', " + id + ", 'c" + id
                            + "@example.com', 'First', 'Last', 'ENABLED', 'SUBSCRIBED', TIMESTAMP'2026-11-01 00:00:00',"
                            + " TIMESTAMP'2026-11-02 00:00:00', false, 'bulk/customers', TIMESTAMP'2026-11-02 00:00:00'");
                }
                String tablePrefix = "rest-warehouse/silver/customers/";
                List<String> dataFilesBefore = dataFiles(spark, customers);
                assertThat(dataFilesBefore).hasSize(2)
                        .allSatisfy(file -> assertThat(file).startsWith(store.location(tablePrefix + "data/")));
                assertThat(store.locations(tablePrefix + "data/")).containsExactlyInAnyOrderElementsOf(dataFilesBefore);
                List<String> manifestListsBefore = spark.table(customers + ".snapshots").select("manifest_list")
                        .collectAsList().stream().map(row -> row.getString(0)).toList();
                assertThat(manifestListsBefore).hasSize(2);

                Map<String, Long> counts = new IcebergStore(spark, lakehouse, Clock.systemUTC()).eraseCustomer(
                        new CustomerMatch(SHOP, Optional.of(1L), Optional.of("c1@example.com"), List.of()));

                assertThat(counts).containsEntry(customers, 1L);
                assertThat(counts.get("files_expired")).isPositive();
                assertThat(spark.table(customers).select("customer_id").collectAsList())
                        .extracting(row -> row.getLong(0)).containsExactly(2L);
                assertThat(spark.table(customers + ".snapshots").count()).isEqualTo(1);
                // The bucket holds exactly the current data files: the file with customer 1 is gone from the store,
                // and so are the manifest lists of the expired snapshots, which named it.
                List<String> dataFilesAfter = dataFiles(spark, customers);
                assertThat(store.locations(tablePrefix + "data/")).containsExactlyInAnyOrderElementsOf(dataFilesAfter);
                List<String> removed = dataFilesBefore.stream().filter(file -> !dataFilesAfter.contains(file)).toList();
                assertThat(removed).isNotEmpty();
                assertThat(store.locations()).doesNotContainAnyElementsOf(removed)
                        .doesNotContainAnyElementsOf(manifestListsBefore);
                assertThat(Files.exists(temp.resolve("unused-local-warehouse"))).isFalse();
            }
            finally {
                if (spark != null) {
                    for (IcebergTable table : IcebergDefinitions.all()) {
                        spark.sql("DROP TABLE IF EXISTS " + lakehouse.table(table.namespace(), table.name())
                                + " PURGE");
                    }
                    spark.stop();
                }
                settings.keySet().forEach(System::clearProperty);
            }
        }
    }

    private static List<String> dataFiles(SparkSession spark, String table) {
        return spark.table(table + ".files").select("file_path").collectAsList().stream()
                .map(row -> row.getString(0)).sorted().toList();
    }
}
