package com.ecomcrm.api.serving;

import com.ecomcrm.clickhouse.ShopScope;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * A {@link ShopScope} whose SELECTs are answered from the {@link ServingCache} when the shop's current publication is
 * the one they were read under. The publication is read once per scope, at its first SELECT, and a scope lives for one
 * request, so each request sees the publication current when it arrived (or a newer one), never an older one. Rows
 * from the cache are shared between requests: callers read them, never change them.
 */
public final class ServingScope {
    private final ShopScope scope;
    private final CurrentPublications publications;
    private final ServingCache cache;
    private long publication = -1;

    ServingScope(ShopScope scope, CurrentPublications publications, ServingCache cache) {
        this.scope = requireNonNull(scope, "scope is null");
        this.publications = publications;
        this.cache = cache;
    }

    /** {@link ShopScope#select}, answered from the cache when it holds the statement under the current publication. */
    public List<JsonNode> select(SqlTemplate query) {
        requireNonNull(query, "query is null");
        if (cache == null) {
            return scope.select(query);
        }
        long current = currentPublication();
        if (current <= 0) {
            return scope.select(query); // nothing published: nothing worth keeping
        }
        ServingCache.Key key = new ServingCache.Key(scope.shop(), current, query.render(scope.shop()));
        Optional<List<JsonNode>> known = cache.get(key);
        if (known.isPresent()) {
            return known.get();
        }
        // Read after the publication was: the rows are of that publication or of a newer one (a switch in between),
        // and a newer one's rows stored under the older key are only ever served to requests that saw the older one.
        List<JsonNode> rows = scope.select(query);
        cache.put(key, rows);
        return rows;
    }

    /** {@link ShopScope#stream}: never cached (an export is read once, whatever its size). */
    public long stream(SqlTemplate query, Consumer<JsonNode> rows) {
        return scope.stream(query, rows);
    }

    /** {@link ShopScope#streamTabSeparated}: never cached, like {@link #stream}. */
    public long streamTabSeparated(SqlTemplate query, int columns, Consumer<String[]> rows) {
        return scope.streamTabSeparated(query, columns, rows);
    }

    private long currentPublication() {
        if (publication < 0) {
            publication = publications.current(scope.shop());
        }
        return publication;
    }
}
