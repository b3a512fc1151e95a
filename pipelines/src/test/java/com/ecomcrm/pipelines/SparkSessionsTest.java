package com.ecomcrm.pipelines;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How the session is configured for local runs, the standalone cluster and spark-submit, without starting Spark. */
class SparkSessionsTest {
    private static final PipelineSettings LOCAL = new PipelineSettings("jdbc:postgresql://db:5432/ecomcrm", "app",
            "secret", Path.of("/data/warehouse"), Path.of("/data/landing"), "local[2]");
    private static final Lakehouse LAKEHOUSE = Lakehouse.DEFAULT;

    @Test
    void localRunsUseTheJdbcCatalogOnTheWarehouseDirectoryAndLoopback() {
        Map<String, String> conf = SparkSessions.configuration(LOCAL, LAKEHOUSE, new SparkConf(false), "a.jar");

        assertThat(conf).containsEntry("spark.master", "local[2]")
                .containsEntry("spark.driver.host", "127.0.0.1")
                .containsEntry("spark.sql.session.timeZone", "UTC")
                .containsEntry("spark.sql.catalog.lakehouse.catalog-impl", "org.apache.iceberg.jdbc.JdbcCatalog")
                .containsEntry("spark.sql.catalog.lakehouse.uri", "jdbc:postgresql://db:5432/ecomcrm")
                .containsEntry("spark.sql.catalog.lakehouse.warehouse", LOCAL.warehouseDir().toUri().toString())
                .doesNotContainKey("spark.executor.extraClassPath")
                .containsEntry("spark.hadoop.fs.file.impl", LocalFiles.class.getName());
    }

    @Test
    void onAStandaloneClusterTheExecutorsGetTheDriversClasspathWithAbsoluteEntries() {
        PipelineSettings cluster = new PipelineSettings(LOCAL.pgUrl(), LOCAL.pgUser(), LOCAL.pgPassword(),
                LOCAL.warehouseDir(), LOCAL.landingDir(), "spark://127.0.0.1:7077");
        String cwd = Path.of("").toAbsolutePath().toString();

        Map<String, String> conf = SparkSessions.configuration(cluster, LAKEHOUSE, new SparkConf(false),
                "pipelines/target/classes:/m2/spark-core.jar::/m2/iceberg.jar");

        assertThat(conf).containsEntry("spark.master", "spark://127.0.0.1:7077")
                .containsEntry("spark.executor.extraClassPath",
                        cwd + "/pipelines/target/classes:/m2/spark-core.jar:/m2/iceberg.jar")
                // Only the JVM we start locally gets our file system class; a cluster keeps Hadoop's own.
                .doesNotContainKey("spark.hadoop.fs.file.impl");
    }

    @Test
    void whatSparkSubmitSetsWinsOverOurDefaultsButNeverTheTimeZone() {
        SparkConf submitted = new SparkConf(false)
                .set("spark.master", "k8s://https://kubernetes.default.svc")
                .set("spark.driver.host", "nightly-driver-svc.ecomcrm.svc")
                .set("spark.sql.shuffle.partitions", "64")
                .set("spark.sql.catalog.lakehouse.catalog-impl", "org.apache.iceberg.rest.RESTCatalog")
                .set("spark.sql.catalog.lakehouse.uri", "https://catalog.internal/api/catalog")
                .set("spark.sql.catalog.lakehouse.warehouse", "s3://ecomcrm-lakehouse/warehouse")
                .set("spark.sql.session.timeZone", "Europe/Paris");

        Map<String, String> conf = SparkSessions.configuration(LOCAL, LAKEHOUSE, submitted, "a.jar");

        assertThat(conf).containsEntry("spark.master", "k8s://https://kubernetes.default.svc")
                .containsEntry("spark.driver.host", "nightly-driver-svc.ecomcrm.svc")
                .containsEntry("spark.sql.shuffle.partitions", "64")
                .containsEntry("spark.sql.catalog.lakehouse.catalog-impl", "org.apache.iceberg.rest.RESTCatalog")
                .containsEntry("spark.sql.catalog.lakehouse.uri", "https://catalog.internal/api/catalog")
                .containsEntry("spark.sql.catalog.lakehouse.warehouse", "s3://ecomcrm-lakehouse/warehouse")
                .containsEntry("spark.sql.session.timeZone", "UTC");
    }
}
