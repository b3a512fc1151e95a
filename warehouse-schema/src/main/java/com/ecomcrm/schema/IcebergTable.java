package com.ecomcrm.schema;

import static java.util.Objects.requireNonNull;

/**
 * One Iceberg table of the {@code lakehouse} catalog.
 *
 * @param namespace e.g. {@code silver}
 * @param name e.g. {@code customers}
 * @param createSql the Spark SQL {@code CREATE TABLE IF NOT EXISTS lakehouse.<namespace>.<name> ...} statement,
 *     without comments or a trailing semicolon, ready for {@code spark.sql(...)}
 */
public record IcebergTable(String namespace, String name, String createSql) {
    /** The Spark catalog name every definition is created in. */
    public static final String CATALOG = "lakehouse";

    public IcebergTable {
        requireNonNull(namespace, "namespace is null");
        requireNonNull(name, "name is null");
        requireNonNull(createSql, "createSql is null");
    }

    /** {@code lakehouse.<namespace>.<name>}, as used in Spark SQL. */
    public String qualifiedName() {
        return CATALOG + "." + namespace + "." + name;
    }
}
