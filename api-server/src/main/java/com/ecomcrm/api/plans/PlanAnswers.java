package com.ecomcrm.api.plans;

import com.ecomcrm.domain.PlanFeature;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Set;

/**
 * Leaves out of an answer what the shop's plan does not include, and says so. On a plan without predictions:
 * <ul>
 *   <li>a customer ({@code GET /api/customers} items, {@code GET /api/customers/{id}}'s {@code customer}) has no
 *   {@code predictions} and no {@code prediction_status} field, and carries
 *   {@code "plan_required": {"feature": "predictions", "plan": "starter", "current_plan": "free"}};</li>
 *   <li>the list itself carries the same {@code plan_required} marker, so an empty page still says it;</li>
 *   <li>a segment ({@code GET /api/segments}) has no {@code predicted_customers} and no {@code average_clv_12m}, and
 *   the answer carries the marker;</li>
 *   <li>the insights ({@code GET /api/insights}) leave out the findings made of predictions (revenue at risk, which
 *   sums predicted value, and valuable customers slipping, which follows the probability of being alive), and the
 *   answer carries the marker; the other findings (segment swings, flows, templates) stay.</li>
 * </ul>
 * The fields are absent rather than null, so no one reads "no prediction" where the truth is "not on this plan". The
 * predictions themselves are kept and come back with the next request after an upgrade.
 */
public final class PlanAnswers {
    /** The insight kinds (pipelines' {@code Insight.Kind}) whose numbers are predictions. */
    static final Set<String> PREDICTION_INSIGHTS = Set.of("REVENUE_AT_RISK", "VALUABLE_CUSTOMERS_SLIPPING");

    private PlanAnswers() {
    }

    /** {@code GET /api/insights}: the findings made of predictions left out, and the marker on the list. */
    public static JsonObject insights(RoutingContext ctx, JsonObject answer) {
        return PlanGate.access(ctx).filter(access -> !access.allows(PlanFeature.PREDICTIONS)).map(access -> {
            JsonArray kept = new JsonArray();
            answer.getJsonArray("insights", new JsonArray()).forEach(insight -> {
                if (!(insight instanceof JsonObject finding && PREDICTION_INSIGHTS.contains(finding.getString("kind")))) {
                    kept.add(insight);
                }
            });
            return answer.put("insights", kept).put("plan_required", access.marker(PlanFeature.PREDICTIONS));
        }).orElse(answer);
    }

    /** {@code GET /api/customers}: every item, and the marker on the list. */
    public static JsonObject customerList(RoutingContext ctx, JsonObject answer) {
        return PlanGate.access(ctx).filter(access -> !access.allows(PlanFeature.PREDICTIONS)).map(access -> {
            JsonArray items = answer.getJsonArray("items", new JsonArray());
            for (int i = 0; i < items.size(); i++) {
                withoutPredictions(items.getJsonObject(i), access);
            }
            return answer.put("plan_required", access.marker(PlanFeature.PREDICTIONS));
        }).orElse(answer);
    }

    /** {@code GET /api/customers/{id}}: the customer. */
    public static JsonObject customerDetail(RoutingContext ctx, JsonObject answer) {
        return PlanGate.access(ctx).filter(access -> !access.allows(PlanFeature.PREDICTIONS)).map(access -> {
            JsonObject customer = answer.getJsonObject("customer");
            if (customer != null) {
                withoutPredictions(customer, access);
            }
            return answer.put("plan_required", access.marker(PlanFeature.PREDICTIONS));
        }).orElse(answer);
    }

    /** {@code GET /api/segments}: the average predicted CLV of every segment. */
    public static JsonObject segments(RoutingContext ctx, JsonObject answer) {
        return PlanGate.access(ctx).filter(access -> !access.allows(PlanFeature.PREDICTIONS)).map(access -> {
            JsonArray segments = answer.getJsonArray("segments", new JsonArray());
            for (int i = 0; i < segments.size(); i++) {
                JsonObject segment = segments.getJsonObject(i);
                segment.remove("predicted_customers");
                segment.remove("average_clv_12m");
            }
            return answer.put("plan_required", access.marker(PlanFeature.PREDICTIONS));
        }).orElse(answer);
    }

    private static void withoutPredictions(JsonObject customer, PlanAccess access) {
        customer.remove("predictions");
        customer.remove("prediction_status");
        customer.put("plan_required", access.marker(PlanFeature.PREDICTIONS));
    }
}
