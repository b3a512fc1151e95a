package com.ecomcrm.pipelines;

import com.ecomcrm.schema.IcebergDefinitions;
import com.ecomcrm.schema.IcebergTable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Prints one order-independent fingerprint per Iceberg table: row count and the sum of a 64-bit hash of every row.
 * Two runs that leave the same rows give the same lines, whatever the file layout or snapshot history; the
 * end-to-end test compares them to prove a re-run changes nothing. Usage:
 * {@code bin/run pipelines com.ecomcrm.pipelines.WarehouseDigest}.
 */
public final class WarehouseDigest {
    private WarehouseDigest() {
    }

    public static void main(String[] args) {
        PipelineSettings settings = PipelineSettings.fromEnvironment();
        // Not try-with-resources: SparkSession.close() declares IOException; stop() does the same without it.
        SparkSession spark = SparkSessions.create(settings);
        try {
            for (IcebergTable table : IcebergDefinitions.all()) {
                // The sum is taken as a decimal: a long sum of hashes would overflow, which ANSI mode refuses.
                Row row = spark.sql("SELECT count(*) AS n, "
                        + "coalesce(sum(CAST(xxhash64(*) AS DECIMAL(38,0))), 0) AS h FROM " + table.qualifiedName()).first();
                System.out.println("DIGEST " + table.namespace() + "." + table.name() + " rows=" + row.getLong(0) + " hash="
                        + row.get(1));
            }
        }
        finally {
            spark.stop();
        }
    }
}
