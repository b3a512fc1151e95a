package com.ecomcrm.schema;

import com.ecomcrm.domain.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Iceberg table definitions ({@code classpath:iceberg/*.sql}, listed in {@code iceberg/index.txt}): Spark SQL
 * {@code CREATE TABLE IF NOT EXISTS} statements, all {@code PARTITIONED BY (shop_id)}, format-version 2. This module
 * has no Spark dependency; the pipelines module runs {@link #createNamespaceSql()} then each {@link IcebergTable#createSql()}.
 */
public final class IcebergDefinitions {
    public static final String CLASSPATH_DIR = "iceberg";

    private static final Pattern TABLE_NAME = Pattern.compile(
            "CREATE\\s+TABLE\\s+IF\\s+NOT\\s+EXISTS\\s+" + IcebergTable.CATALOG + "\\.([a-z_]+)\\.([a-z_]+)\\s*\\(",
            Pattern.CASE_INSENSITIVE);

    private IcebergDefinitions() {
    }

    /** Every table, in creation order. */
    public static List<IcebergTable> all() {
        List<IcebergTable> tables = new ArrayList<>();
        for (String file : ClasspathResources.index(CLASSPATH_DIR)) {
            String text = new String(ClasspathResources.read(CLASSPATH_DIR + "/" + file), StandardCharsets.UTF_8);
            String sql = withoutComments(text);
            Matcher m = TABLE_NAME.matcher(sql);
            if (!m.lookingAt()) {
                throw new MigrationException(ErrorCode.INTERNAL, "Iceberg definition " + file
                        + " must start with CREATE TABLE IF NOT EXISTS " + IcebergTable.CATALOG
                        + ".<namespace>.<table> (");
            }
            tables.add(new IcebergTable(m.group(1), m.group(2), sql));
        }
        return List.copyOf(tables);
    }

    /** The table named {@code <namespace>.<name>}, e.g. {@code silver.orders}. */
    public static IcebergTable get(String namespaceDotName) {
        return all().stream()
                .filter(t -> (t.namespace() + "." + t.name()).equals(namespaceDotName))
                .findFirst()
                .orElseThrow(() -> new MigrationException(ErrorCode.NOT_FOUND,
                        "No Iceberg definition for " + namespaceDotName));
    }

    /** {@code CREATE NAMESPACE IF NOT EXISTS lakehouse.<ns>} for every namespace used, to run before the tables. */
    public static List<String> createNamespaceSql() {
        Set<String> namespaces = new LinkedHashSet<>();
        for (IcebergTable table : all()) {
            namespaces.add(table.namespace());
        }
        return namespaces.stream()
                .map(ns -> "CREATE NAMESPACE IF NOT EXISTS " + IcebergTable.CATALOG + "." + ns)
                .toList();
    }

    private static String withoutComments(String text) {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\r?\n")) {
            if (!line.strip().startsWith("--")) {
                out.append(line).append('\n');
            }
        }
        String sql = out.toString().strip();
        return sql.endsWith(";") ? sql.substring(0, sql.length() - 1).strip() : sql;
    }
}
