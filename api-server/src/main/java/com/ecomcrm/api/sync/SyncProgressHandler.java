package com.ecomcrm.api.sync;

import com.ecomcrm.api.auth.SessionTokenHandler;
import com.ecomcrm.api.shopify.BulkImport;
import com.ecomcrm.domain.ShopId;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * {@code GET /api/sync}: how far the initial import of the session's shop is, from {@code bulk_syncs} (written by
 * {@code BulkImport} and {@code RefundLinesImport}). One entry per step ({@code customers}, {@code orders},
 * {@code checkouts}, then {@code refund_lines}: the refund lines of refunds made before install, fetched after the
 * bulk orders import, where objects are refund lines landed, root objects refunds done and the estimate the refunds
 * the orders file named), its latest run: status, objects so far (Shopify's
 * {@code objectCount} while running, lines landed once completed), root objects so far and an estimate of the root
 * objects to expect (the count of the last completed run of that type; null before the first one). The phase is
 * {@code NOT_STARTED}, {@code RUNNING}, {@code FAILED} or {@code COMPLETED}.
 *
 * <p>Answer: {@code {"shop":..., "phase":..., "step": "orders"|"refund_lines"|...|null, "objects_so_far":n, "objects":[{"object_type", "label", "status",
 * "message", "objects_so_far", "root_objects_so_far", "estimated_root_objects", "started_at", "finished_at", "error"}]}}.
 * {@code label} names the step for the merchant ("Refunded items"); {@code message}, null when there is nothing to
 * say, tells the merchant why a step failed or waits for Shopify's rate limit ({@link SyncStepMessages}); {@code error}
 * is the technical reason, for support. A {@code RUNNING} step may carry an {@code error}: the rate-limit wait it is in.
 */
public final class SyncProgressHandler implements Handler<RoutingContext> {
    private final Pool postgres;

    public SyncProgressHandler(Pool postgres) {
        this.postgres = requireNonNull(postgres, "postgres is null");
    }

    @Override
    public void handle(RoutingContext ctx) {
        ShopId shop = SessionTokenHandler.identity(ctx).shop();
        postgres.preparedQuery("""
                        SELECT DISTINCT ON (s.object_type) s.object_type, s.status, s.objects_so_far,
                               s.root_objects_so_far, s.lines_landed, s.started_at, s.finished_at, s.error,
                               COALESCE(s.estimated_root_objects,
                                        (SELECT p.root_objects_so_far FROM bulk_syncs p
                                         WHERE p.shop_domain = s.shop_domain AND p.object_type = s.object_type
                                           AND p.kind = 'initial' AND p.status = 'COMPLETED' AND p.id <> s.id
                                         ORDER BY p.finished_at DESC NULLS LAST LIMIT 1)) AS estimate
                        FROM bulk_syncs s WHERE s.shop_domain = $1 AND s.kind = 'initial'
                        ORDER BY s.object_type, s.started_at DESC, s.id DESC""")
                .execute(Tuple.of(shop.domain()))
                .onSuccess(rows -> {
                    List<JsonObject> objects = new ArrayList<>();
                    long total = 0;
                    for (Row row : rows) {
                        boolean completed = "COMPLETED".equals(row.getString("status"));
                        Long sofar = completed ? row.getLong("lines_landed") : row.getLong("objects_so_far");
                        total += sofar == null ? 0 : sofar;
                        String type = row.getString("object_type");
                        String status = row.getString("status");
                        objects.add(new JsonObject()
                                .put("object_type", type)
                                .put("label", SyncStepMessages.label(type))
                                .put("status", status)
                                .put("message", SyncStepMessages.message(type, status, row.getString("error"))
                                        .orElse(null))
                                .put("objects_so_far", sofar == null ? 0 : sofar)
                                .put("root_objects_so_far", row.getLong("root_objects_so_far"))
                                .put("estimated_root_objects", row.getLong("estimate"))
                                .put("started_at", text(row.getOffsetDateTime("started_at")))
                                .put("finished_at", text(row.getOffsetDateTime("finished_at")))
                                .put("error", row.getString("error")));
                    }
                    // In the order the import runs them, so a progress display reads top to bottom.
                    List<String> order = new ArrayList<>(BulkImport.SYNC_STEPS);
                    objects.sort(java.util.Comparator.comparingInt(o -> {
                        int position = order.indexOf(o.getString("object_type"));
                        return position < 0 ? order.size() : position;
                    }));
                    ctx.json(new JsonObject().put("shop", shop.domain()).put("phase", phase(objects))
                            .put("step", currentStep(objects))
                            .put("objects_so_far", total).put("objects", new JsonArray(new ArrayList<>(objects))));
                })
                .onFailure(ctx::fail);
    }

    /** The step under way (the first not completed, in order), or null when every step completed. */
    static String currentStep(List<JsonObject> objects) {
        for (String step : BulkImport.SYNC_STEPS) {
            boolean completed = objects.stream().anyMatch(o -> step.equals(o.getString("object_type"))
                    && "COMPLETED".equals(o.getString("status")));
            if (!completed) {
                return step;
            }
        }
        return null;
    }

    static String phase(List<JsonObject> objects) {
        if (objects.isEmpty()) {
            return "NOT_STARTED";
        }
        if (objects.stream().anyMatch(o -> "FAILED".equals(o.getString("status")))) {
            return "FAILED";
        }
        if (objects.stream().anyMatch(o -> "RUNNING".equals(o.getString("status")))) {
            return "RUNNING";
        }
        // Steps run one after the other: until the last has run (the refund lines, after the bulk object types), the
        // import is still under way.
        boolean everyType = BulkImport.SYNC_STEPS.stream()
                .allMatch(type -> objects.stream().anyMatch(o -> type.equals(o.getString("object_type"))));
        return everyType ? "COMPLETED" : "RUNNING";
    }

    private static String text(OffsetDateTime time) {
        return time == null ? null : time.toInstant().toString();
    }
}
