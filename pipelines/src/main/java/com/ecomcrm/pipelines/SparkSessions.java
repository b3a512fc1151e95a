package com.ecomcrm.pipelines;

import org.apache.spark.sql.SparkSession;

/**
 * The one way the pipelines get a SparkSession: local, small, with the Iceberg catalog wired to the PostgreSQL JDBC
 * catalog (the same PostgreSQL the rest of the app uses, so there is no separate metastore to run).
 */
public final class SparkSessions {
    private SparkSessions() {
    }

    /** A session with the production catalog {@code lakehouse}. */
    public static SparkSession create(PipelineSettings settings) {
        return create(settings, Lakehouse.DEFAULT);
    }

    /**
     * A session whose catalog {@code lakehouse.catalog()} points at {@code settings.warehouseDir()}. If a session is
     * already running in this JVM (tests) it is reused and the catalog is added to it: catalog settings are runtime
     * settings, only the SQL extensions must be there from the start (they are, whichever call came first).
     */
    public static SparkSession create(PipelineSettings settings, Lakehouse lakehouse) {
        String prefix = "spark.sql.catalog." + lakehouse.catalog();
        return SparkSession.builder()
                .appName("ecomcrm-pipelines")
                .master(settings.sparkMaster())
                // Small data, few cores: the default 200 shuffle partitions would mean 200 tiny files per MERGE.
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.default.parallelism", "4")
                .config("spark.ui.enabled", "false")
                // Timestamps are UTC instants end to end; the RFM day boundaries are UTC days.
                .config("spark.sql.session.timeZone", "UTC")
                // Loopback only: a laptop's or CI's hostname may not resolve, and nothing needs to reach the driver.
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
                .config(prefix, "org.apache.iceberg.spark.SparkCatalog")
                .config(prefix + ".catalog-impl", "org.apache.iceberg.jdbc.JdbcCatalog")
                .config(prefix + ".uri", settings.pgUrl())
                .config(prefix + ".jdbc.user", settings.pgUser())
                .config(prefix + ".jdbc.password", settings.pgPassword())
                // V1 is the layout warehouse-schema's Flyway migration creates (it can hold views, too).
                .config(prefix + ".jdbc.schema-version", "V1")
                .config(prefix + ".warehouse", settings.warehouseDir().toUri().toString())
                .getOrCreate();
    }
}
