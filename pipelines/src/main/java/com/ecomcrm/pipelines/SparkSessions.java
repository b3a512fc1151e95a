package com.ecomcrm.pipelines;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The one way the pipelines get a SparkSession, with the Iceberg catalog wired to the PostgreSQL JDBC catalog (the
 * same PostgreSQL the rest of the app uses, so there is no separate metastore to run).
 *
 * <p>The master is {@code SPARK_MASTER} ({@link PipelineSettings}, default {@code local[2]}). The same code runs on a
 * Spark standalone cluster ({@code spark://host:port}, see {@code bin/spark-cluster}): there the executors are given
 * the driver's own classpath ({@code spark.executor.extraClassPath}), which holds when every node has the build at the
 * same path, as on the loopback cluster; nothing is uploaded. Under {@code spark-submit} (Kubernetes, YARN) the
 * {@code spark.*} system properties it sets win over every default here, the master included (docs/production.md).
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
        SparkSession.Builder builder = SparkSession.builder().appName("ecomcrm-pipelines");
        configuration(settings, lakehouse, new SparkConf(), System.getProperty("java.class.path"))
                .forEach(builder::config);
        return builder.getOrCreate();
    }

    /**
     * Every setting the session is built with. {@code given} holds the {@code spark.*} system properties (what
     * {@code spark-submit --conf} or {@code -Dspark...} set): those win over our defaults, so an operator can size
     * partitions, name the driver's address or point the catalog elsewhere without a code change. Only the time
     * zone and the SQL extensions are fixed.
     */
    static Map<String, String> configuration(PipelineSettings settings, Lakehouse lakehouse, SparkConf given,
                                             String driverClassPath) {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("spark.master", settings.sparkMaster());
        // Small data, few cores: the default 200 shuffle partitions would mean 200 tiny files per MERGE.
        defaults.put("spark.sql.shuffle.partitions", "4");
        defaults.put("spark.default.parallelism", "4");
        defaults.put("spark.ui.enabled", "false");
        // Loopback only: a laptop's or CI's hostname may not resolve. A driver on a real cluster is named by
        // -Dspark.driver.host (or spark-submit), which wins over these.
        defaults.put("spark.driver.host", "127.0.0.1");
        defaults.put("spark.driver.bindAddress", "127.0.0.1");
        if (settings.sparkMaster().startsWith("local")) {
            // One JVM that we start: Hadoop's local file system without a chmod process per directory (LocalFiles).
            defaults.put("spark.hadoop.fs.file.impl", LocalFiles.class.getName());
        }
        if (settings.sparkMaster().startsWith("spark://")) {
            defaults.put("spark.executor.extraClassPath", absoluteClassPath(driverClassPath));
        }
        String prefix = "spark.sql.catalog." + lakehouse.catalog();
        defaults.put(prefix, "org.apache.iceberg.spark.SparkCatalog");
        // The JDBC catalog in our PostgreSQL; production may name a REST catalog and object storage instead
        // (--conf spark.sql.catalog.lakehouse.catalog-impl=org.apache.iceberg.rest.RESTCatalog, .uri, .warehouse).
        defaults.put(prefix + ".catalog-impl", "org.apache.iceberg.jdbc.JdbcCatalog");
        defaults.put(prefix + ".uri", settings.pgUrl());
        defaults.put(prefix + ".jdbc.user", settings.pgUser());
        defaults.put(prefix + ".jdbc.password", settings.pgPassword());
        // V1 is the layout warehouse-schema's Flyway migration creates (it can hold views, too).
        defaults.put(prefix + ".jdbc.schema-version", "V1");
        defaults.put(prefix + ".warehouse", settings.warehouseDir().toUri().toString());
        Map<String, String> configuration = new LinkedHashMap<>();
        defaults.forEach((key, value) -> configuration.put(key, given.contains(key) ? given.get(key) : value));

        // Timestamps are UTC instants end to end; the RFM day boundaries are UTC days. Never overridden: a run in
        // another zone would move orders across days.
        configuration.put("spark.sql.session.timeZone", "UTC");
        configuration.put("spark.sql.extensions",
                "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions");
        return configuration;
    }

    /**
     * The classpath with every entry made absolute: an executor runs in its own work directory, where a relative
     * entry (bin/run's {@code pipelines/target/classes} when started from elsewhere) would point at nothing.
     */
    static String absoluteClassPath(String classPath) {
        return Arrays.stream(classPath.split(File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .map(entry -> Path.of(entry).toAbsolutePath().normalize().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }
}
