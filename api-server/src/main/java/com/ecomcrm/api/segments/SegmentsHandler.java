package com.ecomcrm.api.segments;

import com.ecomcrm.api.auth.SessionIdentity;
import com.ecomcrm.api.auth.SessionTokenHandler;
import com.ecomcrm.api.plans.PlanAnswers;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.math.BigDecimal;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * {@code GET /api/segments}: the signed-in shop's segments from the last published nightly run. Before the first run
 * the answer is an empty list with a status saying so, so the dashboard can tell the merchant what happens next.
 */
public final class SegmentsHandler implements Handler<RoutingContext> {
    private final Vertx vertx;
    private final SegmentReader reader;

    public SegmentsHandler(Vertx vertx, SegmentReader reader) {
        this.vertx = requireNonNull(vertx, "vertx is null");
        this.reader = requireNonNull(reader, "reader is null");
    }

    @Override
    public void handle(RoutingContext ctx) {
        SessionIdentity identity = SessionTokenHandler.identity(ctx);
        // The ClickHouse client blocks; keep it off the event loop.
        vertx.executeBlocking(() -> reader.latest(identity.shop()), false)
                .onSuccess(report -> ctx.json(PlanAnswers.segments(ctx, toJson(identity, report))))
                .onFailure(ctx::fail);
    }

    static JsonObject toJson(SessionIdentity identity, Optional<SegmentReport> report) {
        JsonObject json = new JsonObject().put("shop", identity.shop().domain());
        if (report.isEmpty()) {
            return json.put("status", "NOT_COMPUTED")
                    .put("message", "Segments appear after the first nightly run has finished for this shop.")
                    .put("as_of_date", null)
                    .put("segments", new JsonArray());
        }
        JsonArray segments = new JsonArray();
        long customers = 0;
        for (SegmentSummary summary : report.get().segments()) {
            customers += summary.customers();
            segments.add(new JsonObject()
                    .put("key", summary.segment().key())
                    .put("name", summary.segment().displayName())
                    .put("description", summary.segment().description())
                    .put("customers", summary.customers())
                    // Money as a decimal string, as Shopify's own APIs do: no binary floating point on the way.
                    .put("revenue", summary.revenue().toPlainString())
                    // Over the customers with a prediction (predicted_customers); null when none has one.
                    .put("predicted_customers", summary.predictedCustomers())
                    .put("average_clv_12m", summary.averageClv().map(BigDecimal::toPlainString).orElse(null)));
        }
        return json.put("status", "READY")
                .put("as_of_date", report.get().asOfDate().toString())
                .put("publish_id", report.get().publishId())
                .put("total_customers", customers)
                .put("segments", segments);
    }
}
