package com.ecomcrm.pipelines;

import com.ecomcrm.schema.IcebergDefinitions;
import com.ecomcrm.schema.IcebergTable;
import org.apache.iceberg.Table;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.spark.sql.SparkSession;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Creates the Iceberg namespaces and tables if missing, from warehouse-schema's definitions (the source of truth for
 * the DDL; nothing here restates a column). Idempotent, so every run calls it.
 */
public final class LakehouseTables {
    private LakehouseTables() {
    }

    public static void ensure(SparkSession spark) {
        ensure(spark, Lakehouse.DEFAULT);
    }

    public static void ensure(SparkSession spark, Lakehouse lakehouse) {
        Set<String> namespaces = new LinkedHashSet<>();
        for (IcebergTable table : IcebergDefinitions.all()) {
            if (namespaces.add(table.namespace())) {
                spark.sql("CREATE NAMESPACE IF NOT EXISTS " + lakehouse.catalog() + "." + table.namespace());
            }
            spark.sql(inCatalog(table, lakehouse));
        }
    }

    /** The definition's SQL with its table created in {@code lakehouse} instead of the production catalog. */
    static String inCatalog(IcebergTable table, Lakehouse lakehouse) {
        String sql = table.createSql();
        String production = table.qualifiedName();
        int at = sql.indexOf(production);
        if (at < 0) {
            throw new IllegalStateException("Iceberg definition of " + production + " does not name " + production);
        }
        return sql.substring(0, at) + lakehouse.table(table.namespace(), table.name())
                + sql.substring(at + production.length());
    }

    /** The Iceberg table behind a Spark table name ({@code catalog.namespace.table}), for its snapshots and UUID. */
    static Table load(SparkSession spark, String table) {
        try {
            return Spark3Util.loadIcebergTable(spark, table);
        }
        catch (Exception e) { // ParseException, NoSuchTableException
            throw new IllegalStateException("Cannot load Iceberg table " + table + ": " + e.getMessage(), e);
        }
    }

    /** The table's Iceberg UUID: another table of the same name (dropped and created again) has another. */
    static String uuid(Table table) {
        try {
            return table.uuid().toString();
        }
        catch (UnsupportedOperationException e) { // a table implementation without one: its location instead
            return table.location();
        }
    }
}
