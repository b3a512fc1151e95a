package com.ecomcrm.clickhouse;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * The wire underneath {@link ShopScope} and {@link AdminClickHouse}. Kept as a seam so the tenant rules above it can
 * be unit-tested without a server; the only production implementation is {@link ClientV2Transport}.
 */
interface ClickHouseTransport extends AutoCloseable {

    /** Runs a statement that already ends in {@code FORMAT JSONEachRow}; one node per line. */
    List<JsonNode> queryJsonEachRow(String sql);

    /** Runs a statement with no result rows (DDL, ALTER ... DELETE). */
    void execute(String sql);

    /** {@code INSERT INTO table (columns) FORMAT JSONEachRow} with {@code body} = one JSON object per line. */
    void insertJsonEachRow(String table, List<String> columns, byte[] body);

    /** True when the server answers. Never throws for an unreachable server. */
    boolean ping();

    @Override
    void close();
}
