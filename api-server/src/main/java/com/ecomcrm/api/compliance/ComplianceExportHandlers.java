package com.ecomcrm.api.compliance;

import com.ecomcrm.api.auth.SessionTokenHandler;
import com.ecomcrm.api.http.ParameterException;
import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The merchant's customer data exports (answers to {@code customers/data_request}), for the session's shop only:
 * {@code GET /api/compliance/exports} lists them, newest first, with the request's status;
 * {@code GET /api/compliance/exports/{id}} downloads one as JSON. Another shop's export id answers 404, exactly like
 * an id that does not exist, so ids reveal nothing.
 */
public final class ComplianceExportHandlers {
    private final Vertx vertx;
    private final Pool postgres;
    private final ExportFolder folder;

    public ComplianceExportHandlers(Vertx vertx, Pool postgres, ExportFolder folder) {
        this.vertx = requireNonNull(vertx, "vertx is null");
        this.postgres = requireNonNull(postgres, "postgres is null");
        this.folder = requireNonNull(folder, "folder is null");
    }

    public Handler<RoutingContext> list() {
        return ctx -> {
            ShopId shop = SessionTokenHandler.identity(ctx).shop();
            postgres.preparedQuery("""
                            SELECT e.id, e.request_id, e.customer_id, e.bytes, e.created_at, r.received_at,
                                   r.shopify_request_id
                            FROM compliance_exports e JOIN compliance_requests r ON r.id = e.request_id
                            WHERE e.shop_domain = $1 AND r.shop_domain = $1
                            ORDER BY e.id DESC LIMIT 500""")
                    .execute(Tuple.of(shop.domain()))
                    .onSuccess(rows -> {
                        List<JsonObject> exports = new ArrayList<>();
                        for (Row row : rows) {
                            exports.add(new JsonObject()
                                    .put("id", row.getLong("id"))
                                    .put("request_id", row.getLong("request_id"))
                                    .put("shopify_request_id", row.getString("shopify_request_id"))
                                    .put("customer_id", row.getLong("customer_id"))
                                    .put("bytes", row.getLong("bytes"))
                                    .put("requested_at", row.getOffsetDateTime("received_at").toInstant().toString())
                                    .put("created_at", row.getOffsetDateTime("created_at").toInstant().toString())
                                    .put("download", "/api/compliance/exports/" + row.getLong("id")));
                        }
                        ctx.json(new JsonObject().put("shop", shop.domain())
                                .put("exports", new JsonArray(new ArrayList<>(exports))));
                    })
                    .onFailure(ctx::fail);
        };
    }

    public Handler<RoutingContext> download() {
        return ctx -> {
            ShopId shop = SessionTokenHandler.identity(ctx).shop();
            long id;
            try {
                id = Long.parseLong(ctx.pathParam("id"));
            }
            catch (NumberFormatException e) {
                ctx.fail(new ParameterException(ErrorCode.INVALID_INPUT, "id",
                        "Cannot read export id: expected a whole number"));
                return;
            }
            postgres.preparedQuery("SELECT file_name FROM compliance_exports WHERE shop_domain = $1 AND id = $2")
                    .execute(Tuple.of(shop.domain(), id))
                    .compose(rows -> {
                        if (rows.size() == 0) {
                            throw new DomainException(ErrorCode.NOT_FOUND, "Cannot find export " + id);
                        }
                        Path file = folder.file(shop, rows.iterator().next().getString("file_name"));
                        return vertx.executeBlocking(() -> {
                            if (!Files.isRegularFile(file)) {
                                throw new DomainException(ErrorCode.NOT_FOUND, "Cannot find export " + id
                                        + ": its file is gone");
                            }
                            return file;
                        }, false);
                    })
                    .onSuccess(file -> ctx.response()
                            .putHeader("Content-Type", "application/json")
                            .putHeader("Content-Disposition", "attachment; filename=\"customer-export-" + id
                                    + ".json\"")
                            .putHeader("Cache-Control", "no-store")
                            .sendFile(file.toString()))
                    .onFailure(ctx::fail);
        };
    }
}
