package com.ecomcrm.clickhouse;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The unscoped door, for migrations (warehouse-schema), ops and tests only: DDL, the migration ledger, system
 * tables. Serving data for a shop is read through {@link ShopScope}; nothing here renders values, so callers build
 * any literal with {@link SqlLiterals}.
 */
public final class AdminClickHouse {
    private final ClickHouseTransport transport;

    AdminClickHouse(ClickHouseTransport transport) {
        this.transport = requireNonNull(transport, "transport is null");
    }

    /** Runs a statement without a result (CREATE, DROP, ALTER, INSERT ... VALUES). */
    public void execute(String sql) {
        requireNonNull(sql, "sql is null");
        transport.execute(sql.strip());
    }

    /** Runs a query without FORMAT; the gateway appends {@code FORMAT JSONEachRow} and parses each line. */
    public List<JsonNode> query(String sqlWithoutFormat) {
        requireNonNull(sqlWithoutFormat, "sql is null");
        String sql = SqlTemplate.stripTrailingSemicolon(sqlWithoutFormat);
        if (SqlTemplate.hasFormatClause(sql)) {
            throw new DomainException(ErrorCode.INTERNAL,
                    "Cannot query with FORMAT: the gateway appends the output format itself: " + SqlTemplate.brief(sql));
        }
        return transport.queryJsonEachRow(sql + ShopScope.FORMAT_SUFFIX);
    }

    /** True when ClickHouse answers; false (not an exception) when it is down, for health checks. */
    public boolean ping() {
        return transport.ping();
    }
}
