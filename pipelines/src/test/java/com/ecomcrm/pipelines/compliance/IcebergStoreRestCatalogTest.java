package com.ecomcrm.pipelines.compliance;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.pipelines.IcebergRestCatalogServer;
import com.ecomcrm.pipelines.Lakehouse;
import com.ecomcrm.pipelines.LakehouseTables;
import com.ecomcrm.pipelines.PipelineSettings;
import com.ecomcrm.pipelines.SparkSessions;
import com.ecomcrm.schema.IcebergDefinitions;
import com.ecomcrm.schema.IcebergTable;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The customer erasure of the lakehouse on a REST catalog: the store is given only the catalog, never a folder, and
 * still removes the customer's rows, the table history and the superseded data files, wherever the catalog put them.
 */
class IcebergStoreRestCatalogTest {
    private static final ShopId SHOP = ShopId.of("erasure-rest.myshopify.com");

    @TempDir
    Path temp;

    @Test
    void aRedactedCustomerLeavesNeitherRowsNorHistoryNorFilesInTheRestCatalogsTables() throws Exception {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        Lakehouse lakehouse = new Lakehouse("test_rest_erasure_" + UUID.randomUUID().toString().replace("-", "")
                .substring(0, 8));
        try (IcebergRestCatalogServer server = IcebergRestCatalogServer.start(temp.resolve("rest"))) {
            Map<String, String> settings = server.sparkSettings(lakehouse);
            settings.forEach(System::setProperty);
            SparkSession spark = null;
            try {
                // The local warehouse folder of the settings is never used: the REST catalog places the tables.
                spark = SparkSessions.create(PipelineSettings.fromEnvironment()
                        .withWarehouseDir(temp.resolve("unused-local-warehouse")), lakehouse);
                LakehouseTables.ensure(spark, lakehouse);
                String customers = lakehouse.customers();
                for (long id : List.of(1L, 2L)) { // two commits: the first snapshot holds both customers
                    spark.sql("INSERT INTO " + customers + " SELECT '" + SHOP.domain() + "', " + id + ", 'c" + id
                            + "@example.com', 'First', 'Last', 'ENABLED', 'SUBSCRIBED', TIMESTAMP'2026-11-01 00:00:00',"
                            + " TIMESTAMP'2026-11-02 00:00:00', false, 'bulk/customers', TIMESTAMP'2026-11-02 00:00:00'");
                }
                List<String> filesBefore = spark.table(customers + ".files").select("file_path").collectAsList()
                        .stream().map(row -> row.getString(0)).toList();
                assertThat(filesBefore).hasSize(2)
                        .allSatisfy(file -> assertThat(Path.of(URI.create(file))).startsWith(server.warehouse()));

                Map<String, Long> counts = new IcebergStore(spark, lakehouse, Clock.systemUTC()).eraseCustomer(
                        new CustomerMatch(SHOP, Optional.of(1L), Optional.of("c1@example.com"), List.of()));

                assertThat(counts).containsEntry(customers, 1L);
                assertThat(spark.table(customers).select("customer_id").collectAsList())
                        .extracting(row -> row.getLong(0)).containsExactly(2L);
                assertThat(spark.table(customers + ".snapshots").count()).isEqualTo(1);
                List<String> filesAfter = spark.table(customers + ".files").select("file_path").collectAsList()
                        .stream().map(row -> row.getString(0)).toList();
                // Every data file that held customer 1 is gone from disk, not only from the table's current state.
                for (String file : filesBefore) {
                    if (!filesAfter.contains(file)) {
                        assertThat(Path.of(URI.create(file))).doesNotExist();
                    }
                }
                assertThat(filesBefore).anyMatch(file -> !filesAfter.contains(file));
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
}
