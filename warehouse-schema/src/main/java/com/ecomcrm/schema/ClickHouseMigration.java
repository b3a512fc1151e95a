package com.ecomcrm.schema;

import static java.util.Objects.requireNonNull;

import com.ecomcrm.domain.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One ClickHouse migration file, {@code V<version>__<description>.sql}.
 *
 * <p>File format: one or more statements, each ending with {@code ;} at the end of a line; whole-line {@code --}
 * comments are dropped before the statements are sent. The checksum is the SHA-256 (hex) of the file's bytes, so
 * any edit, comments included, changes it.
 *
 * @param version the number after {@code V}
 * @param fileName the file name, e.g. {@code V1__serving_tables.sql}
 * @param sql the file's text
 * @param checksum SHA-256 of the file's bytes, lower-case hex
 */
public record ClickHouseMigration(int version, String fileName, String sql, String checksum) {
    /** Where the ClickHouse migrations live on the classpath; {@code index.txt} there lists them in order. */
    public static final String CLASSPATH_DIR = "db/clickhouse";

    private static final Pattern FILE_NAME = Pattern.compile("V([0-9]+)__([A-Za-z0-9_]+)\\.sql");

    public ClickHouseMigration {
        requireNonNull(fileName, "fileName is null");
        requireNonNull(sql, "sql is null");
        requireNonNull(checksum, "checksum is null");
    }

    /** A migration from its file name and bytes (the checksum is computed). */
    public static ClickHouseMigration of(String fileName, byte[] content) {
        Matcher m = FILE_NAME.matcher(fileName);
        if (!m.matches()) {
            throw new MigrationException(ErrorCode.INTERNAL, "Bad ClickHouse migration file name '" + fileName
                    + "': expected V<version>__<description>.sql");
        }
        int version = Integer.parseInt(m.group(1));
        return new ClickHouseMigration(version, fileName, new String(content, StandardCharsets.UTF_8),
                sha256(content));
    }

    public static ClickHouseMigration of(String fileName, String content) {
        return of(fileName, content.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The migrations shipped in this module, in the order of {@code db/clickhouse/index.txt}; fails if versions are
     * not strictly increasing.
     */
    public static List<ClickHouseMigration> fromClasspath() {
        List<ClickHouseMigration> migrations = new ArrayList<>();
        for (String name : ClasspathResources.index(CLASSPATH_DIR)) {
            migrations.add(of(name, ClasspathResources.read(CLASSPATH_DIR + "/" + name)));
        }
        checkOrder(migrations);
        return List.copyOf(migrations);
    }

    static void checkOrder(List<ClickHouseMigration> migrations) {
        int previous = 0;
        for (ClickHouseMigration migration : migrations) {
            if (migration.version() <= previous) {
                throw new MigrationException(ErrorCode.INTERNAL, "ClickHouse migration " + migration.fileName()
                        + " is out of order: its version must be greater than " + previous);
            }
            previous = migration.version();
        }
    }

    /** The statements to send, in order: comments dropped, split at lines ending with {@code ;}, no trailing ';'. */
    public List<String> statements() {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : sql.split("\r?\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("--")) {
                continue;
            }
            if (trimmed.endsWith(";")) {
                current.append(line, 0, line.lastIndexOf(';'));
                addIfNotBlank(statements, current);
                current.setLength(0);
            }
            else {
                current.append(line).append('\n');
            }
        }
        addIfNotBlank(statements, current);
        return statements;
    }

    private static void addIfNotBlank(List<String> statements, StringBuilder statement) {
        String text = statement.toString().strip();
        if (!text.isEmpty()) {
            statements.add(text);
        }
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    @Override
    public String toString() {
        return "ClickHouseMigration[" + fileName + ", sha256=" + checksum + "]";
    }
}
