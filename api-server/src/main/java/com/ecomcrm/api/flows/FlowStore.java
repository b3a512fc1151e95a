package com.ecomcrm.api.flows;

import com.ecomcrm.api.http.ParameterException;
import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A shop's flows in PostgreSQL ({@code flows}, V4) as the API reads and changes them: the library, per-flow send
 * counts, and configuration. Every statement carries the shop.
 */
public final class FlowStore {
    /** A flow with its template's name and its send counts (test sends excluded). */
    public record FlowView(long id, String kind, boolean enabled, int delayMinutes, JsonObject conditions,
                           Optional<Long> templateId, Optional<String> templateName, Map<String, Long> counts) {
        public FlowView {
            requireNonNull(kind, "kind is null");
            requireNonNull(conditions, "conditions is null");
            requireNonNull(templateId, "templateId is null");
            requireNonNull(templateName, "templateName is null");
            requireNonNull(counts, "counts is null");
        }
    }

    /** What a PATCH changes; empty fields stay as they are. {@code templateId} present with 0 unlinks. */
    public record FlowChange(Optional<Boolean> enabled, Optional<Integer> delayMinutes, Optional<Long> templateId,
                             Optional<JsonObject> conditions) {
        public FlowChange {
            requireNonNull(enabled, "enabled is null");
            requireNonNull(delayMinutes, "delayMinutes is null");
            requireNonNull(templateId, "templateId is null");
            requireNonNull(conditions, "conditions is null");
        }
    }

    private static final String SELECT = "SELECT f.id, f.kind, f.enabled, f.delay_minutes, f.conditions::text AS "
            + "conditions, f.template_id, t.name AS template_name, "
            + "(SELECT count(*) FROM sends s WHERE s.shop_domain = f.shop_domain AND s.flow_id = f.id AND NOT "
            + "s.is_test AND s.status IN ('SCHEDULED', 'SENDING')) AS scheduled, "
            + "(SELECT count(*) FROM sends s WHERE s.shop_domain = f.shop_domain AND s.flow_id = f.id AND NOT "
            + "s.is_test AND s.status = 'SENT') AS sent, "
            + "(SELECT count(*) FROM sends s WHERE s.shop_domain = f.shop_domain AND s.flow_id = f.id AND NOT "
            + "s.is_test AND s.status = 'SKIPPED') AS suppressed, "
            + "(SELECT count(*) FROM sends s WHERE s.shop_domain = f.shop_domain AND s.flow_id = f.id AND NOT "
            + "s.is_test AND s.status = 'FAILED') AS failed, "
            + "(SELECT count(*) FROM sends s WHERE s.shop_domain = f.shop_domain AND s.flow_id = f.id AND NOT "
            + "s.is_test AND s.status = 'HELD') AS held "
            + "FROM flows f LEFT JOIN templates t ON t.shop_domain = f.shop_domain AND t.id = f.template_id "
            + "WHERE f.shop_domain = $1";

    private final Pool postgres;

    public FlowStore(Pool postgres) {
        this.postgres = requireNonNull(postgres, "postgres is null");
    }

    /** Creates the library's flows the shop does not have yet, switched off (like the jobs' FlowStore). */
    public Future<Void> ensureLibrary(ShopId shop) {
        List<Tuple> rows = new ArrayList<>();
        for (FlowCatalog.Entry entry : FlowCatalog.entries()) {
            rows.add(Tuple.of(shop.domain(), entry.kind(), entry.defaultDelayMinutes()));
        }
        return postgres.preparedQuery("INSERT INTO flows (shop_domain, kind, delay_minutes) VALUES ($1, $2, $3) "
                + "ON CONFLICT (shop_domain, kind) DO NOTHING").executeBatch(rows).mapEmpty();
    }

    public Future<List<FlowView>> list(ShopId shop) {
        return ensureLibrary(shop)
                .compose(x -> postgres.preparedQuery(SELECT + " ORDER BY f.id").execute(Tuple.of(shop.domain())))
                .map(rows -> {
                    List<FlowView> flows = new ArrayList<>();
                    rows.forEach(row -> flows.add(view(row)));
                    return flows;
                });
    }

    public Future<FlowView> find(ShopId shop, long id) {
        return ensureLibrary(shop).compose(x -> find(postgres, shop, id));
    }

    /**
     * Applies {@code change} in one transaction. Switching a flow off cancels its pending (SCHEDULED) sends in the
     * same transaction, as the jobs' FlowStore does, so the toggle takes effect at once (a send a worker already
     * holds is cancelled by the worker's own check). A template must be one of the shop's own: another shop's id is
     * not found.
     */
    public Future<FlowView> update(ShopId shop, long id, FlowChange change) {
        return ensureLibrary(shop).compose(x -> postgres.withTransaction(conn -> conn
                .preparedQuery("SELECT id FROM flows WHERE shop_domain = $1 AND id = $2 FOR UPDATE")
                .execute(Tuple.of(shop.domain(), id))
                .compose(found -> {
                    if (found.size() == 0) {
                        return Future.failedFuture(notFound(id));
                    }
                    return checkTemplate(conn, shop, change.templateId());
                })
                .compose(ok -> conn.preparedQuery("UPDATE flows SET "
                                + "enabled = coalesce($3::boolean, enabled), "
                                + "delay_minutes = coalesce($4::integer, delay_minutes), "
                                + "template_id = CASE WHEN $5::boolean THEN $6::bigint ELSE template_id END, "
                                + "conditions = coalesce($7::jsonb, conditions), updated_at = now() "
                                + "WHERE shop_domain = $1 AND id = $2")
                        .execute(Tuple.of(shop.domain(), id, change.enabled().orElse(null),
                                change.delayMinutes().orElse(null), change.templateId().isPresent(),
                                change.templateId().filter(t -> t > 0).orElse(null),
                                change.conditions().orElse(null))))
                .compose(updated -> change.enabled().orElse(true) ? Future.succeededFuture()
                        : conn.preparedQuery("UPDATE sends SET status = 'CANCELLED', skip_reason = 'flow_disabled', "
                                        + "updated_at = now() WHERE shop_domain = $1 AND flow_id = $2 "
                                        + "AND status = 'SCHEDULED'")
                                .execute(Tuple.of(shop.domain(), id)).mapEmpty())
                .compose(x2 -> find(conn, shop, id))));
    }

    private static Future<Void> checkTemplate(SqlConnection conn, ShopId shop, Optional<Long> templateId) {
        if (templateId.isEmpty() || templateId.get() == 0) {
            return Future.succeededFuture();
        }
        return conn.preparedQuery("SELECT 1 FROM templates WHERE shop_domain = $1 AND id = $2")
                .execute(Tuple.of(shop.domain(), templateId.get()))
                .compose(rows -> rows.size() == 1 ? Future.succeededFuture()
                        : Future.failedFuture(new ParameterException(ErrorCode.NOT_FOUND,
                        "templateId", "Cannot find template " + templateId.get() + " in this shop's templates")));
    }

    private static Future<FlowView> find(SqlClient client, ShopId shop, long id) {
        return client.preparedQuery(SELECT + " AND f.id = $2").execute(Tuple.of(shop.domain(), id))
                .compose(rows -> rows.size() == 0 ? Future.failedFuture(notFound(id))
                        : Future.succeededFuture(view(rows.iterator().next())));
    }

    private static DomainException notFound(long id) {
        return new DomainException(ErrorCode.NOT_FOUND, "Cannot find flow " + id + " in this shop's flows");
    }

    private static FlowView view(Row row) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String status : List.of("scheduled", "sent", "suppressed", "failed", "held")) {
            counts.put(status, row.getLong(status));
        }
        return new FlowView(row.getLong("id"), row.getString("kind"), row.getBoolean("enabled"),
                row.getInteger("delay_minutes"), new JsonObject(row.getString("conditions")),
                Optional.ofNullable(row.getLong("template_id")), Optional.ofNullable(row.getString("template_name")),
                counts);
    }
}
