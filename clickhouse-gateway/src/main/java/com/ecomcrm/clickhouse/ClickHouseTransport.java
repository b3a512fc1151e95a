package com.ecomcrm.clickhouse;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.function.Consumer;

/**
 * The wire underneath {@link ShopScope} and {@link AdminClickHouse}. Kept as a seam so the tenant rules above it can
 * be unit-tested without a server; the only production implementation is {@link ClientV2Transport}.
 */
interface ClickHouseTransport extends AutoCloseable {

    /** Runs a statement that already ends in {@code FORMAT JSONEachRow}; one node per line. */
    List<JsonNode> queryJsonEachRow(String sql);

    /**
     * Runs a statement that already ends in {@code FORMAT JSONEachRow} and hands each row to {@code rows} as it is
     * read from the HTTP response, holding one row at a time. An exception thrown by {@code rows} stops the read and
     * drops the connection (the server then stops the query); it is rethrown as is.
     *
     * @return the number of rows handed over
     */
    long streamJsonEachRow(String sql, Consumer<JsonNode> rows);

    /**
     * Like {@link #streamJsonEachRow} for a statement that already ends in {@code FORMAT TabSeparated}: each row's
     * cells ({@link TabSeparatedLine}, NULL as {@code null}), exactly {@code columns} of them; a line that has not
     * that many is the server's error text sent after the rows, thrown as an error.
     */
    long streamTabSeparated(String sql, int columns, Consumer<String[]> rows);

    /** Runs a statement with no result rows (DDL, ALTER ... DELETE). */
    void execute(String sql);

    /** {@code INSERT INTO table (columns) FORMAT JSONEachRow} with {@code body} = one JSON object per line. */
    void insertJsonEachRow(String table, List<String> columns, byte[] body);

    /**
     * The same insert with a body written while it is sent ({@link StreamedInsert}); never retried, since the body
     * cannot be written twice. This default gathers the body first (for transports that cannot stream).
     */
    default void insertJsonEachRow(String table, List<String> columns, StreamedInsert.Body body) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            body.writeTo(out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("Cannot write the rows for " + table, e);
        }
        insertJsonEachRow(table, columns, out.toByteArray());
    }

    /** True when the server answers. Never throws for an unreachable server. */
    boolean ping();

    @Override
    void close();
}
