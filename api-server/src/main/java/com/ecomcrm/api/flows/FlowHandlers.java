package com.ecomcrm.api.flows;

import com.ecomcrm.api.auth.SessionTokenHandler;
import com.ecomcrm.domain.ShopId;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The flow routes, all for the session token's shop:
 * <ul>
 *   <li>{@code GET /api/flows}: {@code {"flows":[flow]}}, the library created (switched off) on first call;</li>
 *   <li>{@code GET /api/flows/{id}}: one flow;</li>
 *   <li>{@code PATCH /api/flows/{id}} with any of {@code enabled}, {@code delayMinutes} (0 to 525600),
 *   {@code templateId} (one of the shop's templates; null unlinks) and {@code conditions} (a JSON object): the flow
 *   after the change. Switching a flow off cancels its pending sends at once.</li>
 * </ul>
 * A flow is {@code {"id","kind","name","description","enabled","delayMinutes","conditions","templateId",
 * "templateName","counts":{"scheduled","sent","suppressed","failed","held"}}}; counts leave test sends out.
 */
public final class FlowHandlers {
    /** A year: longer delays are a typo, not a plan. */
    static final int MAX_DELAY_MINUTES = 365 * 24 * 60;

    private final FlowStore store;
    private final CustomerEmails customerEmails;

    public FlowHandlers(FlowStore store, CustomerEmails customerEmails) {
        this.store = requireNonNull(store, "store is null");
        this.customerEmails = requireNonNull(customerEmails, "customerEmails is null");
    }

    public Handler<RoutingContext> list() {
        return ctx -> store.list(shop(ctx))
                .map(flows -> new JsonObject().put("flows", new JsonArray(flows.stream().map(FlowHandlers::json)
                        .toList())))
                .onSuccess(ctx::json).onFailure(ctx::fail);
    }

    public Handler<RoutingContext> get() {
        return ctx -> {
            long id = JsonBody.pathId(ctx, "id");
            store.find(shop(ctx), id).map(FlowHandlers::json).onSuccess(ctx::json).onFailure(ctx::fail);
        };
    }

    public Handler<RoutingContext> patch() {
        return ctx -> {
            long id = JsonBody.pathId(ctx, "id");
            JsonBody body = JsonBody.of(ctx, "change flow " + id);
            FlowStore.FlowChange change = new FlowStore.FlowChange(
                    body.optionalBoolean("enabled"),
                    body.optionalInt("delayMinutes", 0, MAX_DELAY_MINUTES),
                    body.has("templateId") ? Optional.of(body.optionalId("templateId").orElse(0L))
                            : Optional.empty(),
                    body.optionalObject("conditions"));
            if (change.enabled().isEmpty() && change.delayMinutes().isEmpty() && change.templateId().isEmpty()
                    && change.conditions().isEmpty()) {
                throw body.invalid("body", "give at least one of enabled, delayMinutes, templateId, conditions");
            }
            store.update(shop(ctx), id, change).map(FlowHandlers::json).onSuccess(ctx::json).onFailure(ctx::fail);
        };
    }

    /** {@code GET /api/customers/{id}/emails}. */
    public Handler<RoutingContext> customerEmails() {
        return customerEmails;
    }

    static JsonObject json(FlowStore.FlowView flow) {
        FlowCatalog.Entry entry = FlowCatalog.of(flow.kind())
                .orElse(new FlowCatalog.Entry(flow.kind(), flow.kind(), "", 0));
        JsonObject counts = new JsonObject();
        flow.counts().forEach(counts::put);
        return new JsonObject()
                .put("id", flow.id())
                .put("kind", flow.kind())
                .put("name", entry.name())
                .put("description", entry.description())
                .put("enabled", flow.enabled())
                .put("delayMinutes", flow.delayMinutes())
                .put("conditions", flow.conditions())
                .put("templateId", flow.templateId().orElse(null))
                .put("templateName", flow.templateName().orElse(null))
                .put("counts", counts);
    }

    private static ShopId shop(RoutingContext ctx) {
        return SessionTokenHandler.identity(ctx).shop();
    }
}
