package com.ecomcrm.api.insights;

import com.ecomcrm.domain.ShopId;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.HashMap;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * What each shop did with its insights (PostgreSQL {@code insight_states}, V10): DISMISSED or DONE by insight id. The
 * ids are stable across nights, so a state recorded once applies to the same finding on every later night.
 */
public final class InsightStates {
    public static final String NEW = "NEW";
    public static final String DISMISSED = "DISMISSED";
    public static final String DONE = "DONE";

    private final Pool postgres;

    public InsightStates(Pool postgres) {
        this.postgres = requireNonNull(postgres, "postgres is null");
    }

    /** The shop's recorded states by insight id; an insight without one is NEW. */
    Future<Map<String, String>> of(ShopId shop) {
        return postgres.preparedQuery("SELECT insight_id, state FROM insight_states WHERE shop_domain = $1")
                .execute(Tuple.of(shop.domain()))
                .map(rows -> {
                    Map<String, String> states = new HashMap<>();
                    for (Row row : rows) {
                        states.put(row.getString(0), row.getString(1));
                    }
                    return states;
                });
    }

    Future<Void> record(ShopId shop, String insightId, String state) {
        return postgres.preparedQuery("INSERT INTO insight_states (shop_domain, insight_id, state) VALUES ($1, $2, $3)"
                        + " ON CONFLICT (shop_domain, insight_id) DO UPDATE SET state = EXCLUDED.state,"
                        + " updated_at = now()")
                .execute(Tuple.of(shop.domain(), insightId, state))
                .mapEmpty();
    }
}
