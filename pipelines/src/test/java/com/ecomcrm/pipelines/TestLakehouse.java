package com.ecomcrm.pipelines;

import com.ecomcrm.schema.IcebergDefinitions;
import com.ecomcrm.schema.IcebergTable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * A throw-away lakehouse for one test class: its own catalog name (so its rows in the shared PostgreSQL JDBC catalog
 * never meet the demo's {@code lakehouse} or another test's) and its own warehouse directory.
 */
final class TestLakehouse implements AutoCloseable {
    final SparkSession spark;
    final Lakehouse lakehouse;

    private TestLakehouse(SparkSession spark, Lakehouse lakehouse) {
        this.spark = spark;
        this.lakehouse = lakehouse;
    }

    /** Skips the calling test class unless the servers are configured (ECOMCRM_PG_URL set). */
    static TestLakehouse start(Path warehouseDir) {
        assumeServers();
        TestLakehouse lake = open(warehouseDir, uniqueLakehouse());
        LakehouseTables.ensure(lake.spark, lake.lakehouse);
        return lake;
    }

    static void assumeServers() {
        Assumptions.assumeTrue(System.getenv("ECOMCRM_PG_URL") != null,
                "ECOMCRM_PG_URL is not set: integration tests need PostgreSQL (bin/services start; source bin/dev-env)");
    }

    static Lakehouse uniqueLakehouse() {
        return new Lakehouse("test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    }

    /** A session on an existing (or not yet created) test catalog, e.g. to clean up after a run that stopped Spark. */
    static TestLakehouse open(Path warehouseDir, Lakehouse lakehouse) {
        PipelineSettings settings = PipelineSettings.fromEnvironment().withWarehouseDir(warehouseDir);
        return new TestLakehouse(SparkSessions.create(settings, lakehouse), lakehouse);
    }

    /** Appends hand-built silver rows to a table (all of one record type), as a test's given state. */
    void append(String table, List<? extends SilverRecord> records) {
        List<Row> rows = records.stream().map(r -> RowFactory.create(r.values())).toList();
        try {
            spark.createDataFrame(rows, records.get(0).schema()).writeTo(table).append();
        }
        catch (Exception e) {
            throw new IllegalStateException("Cannot append to " + table + ": " + e.getMessage(), e);
        }
    }

    /** Every row of a table, sorted, as strings: a stable picture to compare before and after a run. */
    List<String> contents(String table) {
        return spark.table(table).collectAsList().stream().map(Row::toString).sorted().toList();
    }

    @Override
    public void close() {
        // Leave no rows in the shared JDBC catalog; the files go with the temp directory.
        for (IcebergTable table : IcebergDefinitions.all()) {
            spark.sql("DROP TABLE IF EXISTS " + lakehouse.table(table.namespace(), table.name()) + " PURGE");
        }
        for (String namespace : List.of("silver", "gold")) {
            spark.sql("DROP NAMESPACE IF EXISTS " + lakehouse.catalog() + "." + namespace);
        }
        spark.stop();
    }
}
