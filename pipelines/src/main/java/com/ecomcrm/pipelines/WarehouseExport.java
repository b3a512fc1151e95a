package com.ecomcrm.pipelines;

import com.ecomcrm.schema.IcebergDefinitions;
import com.ecomcrm.schema.IcebergTable;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes every row of every Iceberg table as JSON, one file per table ({@code <namespace>.<table>.jsonl}), lines
 * sorted, nulls written out: two warehouses that hold the same rows give the same files, whatever their file layout,
 * snapshots or the cluster that wrote them. Doubles are written in Java's shortest round-trip form, so a comparison
 * can be exact or within a tolerance. For test- and demo-sized warehouses (every row passes through the driver);
 * {@link WarehouseDigest} is the cheap fingerprint. Usage:
 *
 * <pre>bin/run pipelines com.ecomcrm.pipelines.WarehouseExport --out DIR</pre>
 */
public final class WarehouseExport {
    private WarehouseExport() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2 || !args[0].equals("--out")) {
            System.err.println("usage: WarehouseExport --out DIR");
            System.exit(2);
            return;
        }
        Path out = Files.createDirectories(Path.of(args[1]));
        PipelineSettings settings = PipelineSettings.fromEnvironment();
        SparkSession spark = SparkSessions.create(settings);
        try {
            for (IcebergTable table : IcebergDefinitions.all()) {
                List<String> rows = export(spark, table.qualifiedName());
                Files.write(out.resolve(table.namespace() + "." + table.name() + ".jsonl"), rows,
                        StandardCharsets.UTF_8);
                System.out.println("EXPORT " + table.namespace() + "." + table.name() + " rows=" + rows.size());
            }
        }
        finally {
            spark.stop();
        }
    }

    /** The table's rows as JSON objects (columns in table order, nulls kept), sorted. */
    static List<String> export(SparkSession spark, String table) {
        return spark.sql("SELECT to_json(struct(*), map('ignoreNullFields', 'false')) AS row FROM " + table)
                .collectAsList().stream().map(row -> row.getString(0)).sorted().toList();
    }
}
