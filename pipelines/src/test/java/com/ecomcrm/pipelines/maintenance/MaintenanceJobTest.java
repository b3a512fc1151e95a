package com.ecomcrm.pipelines.maintenance;

import com.ecomcrm.pipelines.Lakehouse;
import com.ecomcrm.pipelines.LakehouseTables;
import com.ecomcrm.pipelines.PipelineSettings;
import com.ecomcrm.pipelines.SparkSessions;
import com.ecomcrm.schema.IcebergDefinitions;
import com.ecomcrm.schema.IcebergTable;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Maintenance on a real lakehouse (Spark + Iceberg + the PostgreSQL JDBC catalog) with many tiny commits. */
class MaintenanceJobTest {
    @TempDir
    static Path temp;
    static SparkSession spark;
    static Lakehouse lakehouse;

    @BeforeAll
    static void start() {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        lakehouse = new Lakehouse("test_maint_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10));
        spark = SparkSessions.create(PipelineSettings.fromEnvironment().withWarehouseDir(temp.resolve("warehouse")),
                lakehouse);
        LakehouseTables.ensure(spark, lakehouse);
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            for (IcebergTable table : IcebergDefinitions.all()) {
                spark.sql("DROP TABLE IF EXISTS " + lakehouse.table(table.namespace(), table.name()) + " PURGE");
            }
            spark.stop();
        }
    }

    @Test
    void compactsSmallFilesExpiresOldSnapshotsAndRemovesOrphansWithoutChangingARow() throws Exception {
        String customers = lakehouse.customers();
        // Six commits of one row each, in two shops: six small files and six snapshots.
        for (int i = 0; i < 6; i++) {
            String shop = i % 2 == 0 ? "a.myshopify.com" : "b.myshopify.com";
            spark.sql("INSERT INTO " + customers + " SELECT '" + shop + "', " + i + ", 'c" + i + "@example.com', "
                    + "'First', 'Last', 'ENABLED', 'SUBSCRIBED', TIMESTAMP'2026-11-01 00:00:00', "
                    + "TIMESTAMP'2026-11-02 00:00:00', false, 'bulk/customers', TIMESTAMP'2026-11-02 00:00:00'");
        }
        List<String> rowsBefore = rows(customers);
        long filesBefore = spark.table(customers + ".files").count();
        long snapshotsBefore = spark.table(customers + ".snapshots").count();
        // A file no snapshot references, written by a write that died two days ago.
        Path orphan = Path.of(java.net.URI.create(new TableMaintenance(spark).load(customers).location()))
                .resolve("data").resolve("orphan-from-a-failed-write.parquet");
        Files.writeString(orphan, "not a real data file");
        Files.setLastModifiedTime(orphan, FileTime.from(Instant.now().minus(Duration.ofDays(2))));

        List<MaintenanceJob.TableResult> results = new MaintenanceJob(spark, lakehouse, Clock.systemUTC())
                .run(new MaintenanceJob.Options(Duration.ZERO, 1, Duration.ofDays(1), 64L * 1024 * 1024));

        results.forEach(r -> System.out.println(r.line()));
        MaintenanceJob.TableResult result = results.stream().filter(r -> r.table().equals(customers)).findFirst()
                .orElseThrow();
        assertThat(result.failed()).as(result.line()).isFalse();
        assertThat(result.rewritten()).isEqualTo(6);
        assertThat(result.added()).isEqualTo(2); // one file per shop partition
        assertThat(result.expired()).isPositive();
        assertThat(result.orphans()).isEqualTo(1);
        assertThat(result.line()).startsWith("MAINTENANCE table=" + customers + " rewritten=6 added=2 expired=")
                .contains(" orphans=1 ").contains(" seconds=");
        assertThat(Files.exists(orphan)).isFalse();
        assertThat(spark.table(customers + ".files").count()).isEqualTo(2).isLessThan(filesBefore);
        assertThat(spark.table(customers + ".snapshots").count()).isLessThan(snapshotsBefore);
        assertThat(rows(customers)).isEqualTo(rowsBefore).hasSize(6);
        assertThat(results).hasSize(IcebergDefinitions.all().size()).noneMatch(MaintenanceJob.TableResult::failed);

        // A second run has nothing left to compact and keeps every row.
        MaintenanceJob.TableResult again = new MaintenanceJob(spark, lakehouse, Clock.systemUTC())
                .run(new MaintenanceJob.Options(Duration.ZERO, 1, Duration.ofDays(1), 64L * 1024 * 1024)).stream()
                .filter(r -> r.table().equals(customers)).findFirst().orElseThrow();
        assertThat(again.rewritten()).isZero();
        assertThat(again.orphans()).isZero();
        assertThat(rows(customers)).isEqualTo(rowsBefore);
    }

    @Test
    void refusesOptionsThatWouldKeepNoSnapshot() {
        assertThatThrownBy(() -> new MaintenanceJob.Options(Duration.ofDays(7), 0, Duration.ofDays(3), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot maintain tables: retain-last must be at least 1, was 0");
    }

    private static List<String> rows(String table) {
        return spark.table(table).toJSON().collectAsList().stream().sorted().toList();
    }
}
