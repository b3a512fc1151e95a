package com.ecomcrm.api.serving;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.domain.ShopId;

import static java.util.Objects.requireNonNull;

/**
 * The dashboard's reads of the serving tables: {@link ClickHouseGateway#forShop} with the answers of the shop's current
 * publication kept in a {@link ServingCache}. A read first asks for the shop's current publication
 * ({@link CurrentPublications}: one small query, shared by the requests of a shop that arrive together) and is answered
 * from the cache only under that publication; after a switch the first read of every statement goes to ClickHouse.
 * {@link #uncached} reads straight through (tests of a reader, tools).
 */
public final class ServingClickHouse {
    private final ClickHouseGateway clickHouse;
    private final CurrentPublications publications;
    private final ServingCache cache;

    private ServingClickHouse(ClickHouseGateway clickHouse, CurrentPublications publications, ServingCache cache) {
        this.clickHouse = requireNonNull(clickHouse, "clickHouse is null");
        this.publications = publications;
        this.cache = cache;
    }

    public static ServingClickHouse cached(ClickHouseGateway clickHouse, ServingCache cache) {
        requireNonNull(cache, "cache is null");
        return cache.enabled() ? new ServingClickHouse(clickHouse, new CurrentPublications(clickHouse), cache)
                : uncached(clickHouse);
    }

    public static ServingClickHouse uncached(ClickHouseGateway clickHouse) {
        return new ServingClickHouse(clickHouse, null, null);
    }

    /** One request's view of the shop's serving data: create one per request (it reads the publication once). */
    public ServingScope forShop(ShopId shop) {
        return new ServingScope(clickHouse.forShop(shop), publications, cache);
    }
}
