package com.ecomcrm.api.flows;

import com.ecomcrm.api.auth.SessionTokenHandler;
import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;

import static java.util.Objects.requireNonNull;

/**
 * {@code GET /api/customers/{id}/emails}: the emails the shop's flows sent (or tried to send) a customer, newest
 * first, at most {@link #LIMIT}: {@code {"emails":[{"sendId","flowKind","subject","status","sentAt","opened",
 * "clicked"}]}}. Opened and clicked count human events only (machine opens of privacy proxies and link scanners
 * are not the customer). Test sends are left out. A customer the shop never emailed (or another shop's) is 404.
 */
public final class CustomerEmails implements Handler<RoutingContext> {
    static final int LIMIT = 100;

    private final Pool postgres;

    public CustomerEmails(Pool postgres) {
        this.postgres = requireNonNull(postgres, "postgres is null");
    }

    @Override
    public void handle(RoutingContext ctx) {
        ShopId shop = SessionTokenHandler.identity(ctx).shop();
        long customerId = JsonBody.pathId(ctx, "id");
        // The subject is the one of the template version that went out (or the newest version, if it did not go out).
        postgres.preparedQuery("SELECT s.id, f.kind, s.status, s.sent_at, "
                        + "(SELECT v.subject FROM template_versions v WHERE v.shop_domain = s.shop_domain "
                        + "  AND v.template_id = coalesce(s.template_id, f.template_id) "
                        + "  AND (s.template_version IS NULL OR v.version = s.template_version) "
                        + "  ORDER BY v.version DESC LIMIT 1) AS subject, "
                        + "EXISTS (SELECT 1 FROM email_events e WHERE e.shop_domain = s.shop_domain "
                        + "  AND e.send_id = s.id AND e.kind = 'open' AND NOT e.machine) AS opened, "
                        + "EXISTS (SELECT 1 FROM email_events e WHERE e.shop_domain = s.shop_domain "
                        + "  AND e.send_id = s.id AND e.kind = 'click' AND NOT e.machine) AS clicked "
                        + "FROM sends s LEFT JOIN flows f ON f.shop_domain = s.shop_domain AND f.id = s.flow_id "
                        + "WHERE s.shop_domain = $1 AND s.customer_id = $2 AND NOT s.is_test "
                        + "ORDER BY coalesce(s.sent_at, s.due_at) DESC, s.id DESC LIMIT $3")
                .execute(Tuple.of(shop.domain(), customerId, LIMIT))
                .compose(rows -> {
                    JsonArray emails = new JsonArray();
                    rows.forEach(row -> {
                        OffsetDateTime sentAt = row.getOffsetDateTime("sent_at");
                        emails.add(new JsonObject()
                                .put("sendId", row.getLong("id"))
                                .put("flowKind", row.getString("kind"))
                                .put("subject", row.getString("subject"))
                                .put("status", row.getString("status"))
                                .put("sentAt", sentAt == null ? null : sentAt.toInstant().toString())
                                .put("opened", row.getBoolean("opened"))
                                .put("clicked", row.getBoolean("clicked")));
                    });
                    if (!emails.isEmpty()) {
                        return Future.succeededFuture(emails);
                    }
                    return postgres.preparedQuery("SELECT 1 FROM consent WHERE shop_domain = $1 AND customer_id = $2")
                            .execute(Tuple.of(shop.domain(), customerId))
                            .compose(known -> known.size() > 0 ? Future.succeededFuture(emails)
                                    : Future.failedFuture(new DomainException(ErrorCode.NOT_FOUND,
                                    "Cannot find customer " + customerId + " in this shop's email contacts")));
                })
                .map(emails -> new JsonObject().put("emails", emails))
                .onSuccess(ctx::json).onFailure(ctx::fail);
    }
}
