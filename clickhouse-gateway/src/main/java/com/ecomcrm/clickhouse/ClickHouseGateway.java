package com.ecomcrm.clickhouse;

import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The only way the application reads or writes ClickHouse. Application code asks for a {@link ShopScope} per shop;
 * migrations and ops use {@link #admin()}. One gateway per process: it holds the HTTP connection pool, and its
 * scopes are cheap views over it, safe to use from several threads.
 */
public final class ClickHouseGateway implements AutoCloseable {
    private final ClickHouseSettings settings;
    private final ClickHouseTransport transport;
    private final ObjectMapper json;
    private final AdminClickHouse admin;

    ClickHouseGateway(ClickHouseSettings settings, ClickHouseTransport transport, ObjectMapper json) {
        this.settings = requireNonNull(settings, "settings is null");
        this.transport = requireNonNull(transport, "transport is null");
        this.json = requireNonNull(json, "json is null");
        this.admin = new AdminClickHouse(transport);
    }

    /**
     * Creates the client. Does not contact the server (so services can start before ClickHouse is up); the first
     * statement or {@code admin().ping()} does.
     */
    public static ClickHouseGateway connect(ClickHouseSettings settings) {
        requireNonNull(settings, "settings is null");
        ObjectMapper json = new ObjectMapper();
        return new ClickHouseGateway(settings, new ClientV2Transport(settings, json), json);
    }

    public ShopScope forShop(ShopId shop) {
        return new ShopScope(shop, transport, json);
    }

    /**
     * One INSERT into {@code table} for the rows of many shops, streamed as they are written (a batch job's one insert
     * per table per run); each row is written for a named shop and stamped with it. See {@link StreamedInsert}.
     */
    public StreamedInsert insertStream(String table, List<String> columns) {
        return new StreamedInsert(transport, json, table, columns);
    }

    public AdminClickHouse admin() {
        return admin;
    }

    public ClickHouseSettings settings() {
        return settings;
    }

    @Override
    public void close() {
        transport.close();
    }
}
