package com.ecomcrm.api.plans;

import java.util.List;

/**
 * The customer-list parameters that read predictions ({@code GET /api/customers} and {@code .csv}): the churn-risk and
 * CLV filters and the sorts by predicted value or chance of buying again. On a plan without predictions they are
 * refused (403 naming the parameter) rather than ignored, so a Free shop never gets a list that silently is not what
 * it asked for, and never learns a customer's prediction from where a filter or a sort puts it.
 */
public final class PredictionParameters {
    public static final List<PlanGate.GatedParameter> ALL = List.of(
            PlanGate.GatedParameter.anyValue("churn_risk"),
            PlanGate.GatedParameter.anyValue("clv_min"),
            PlanGate.GatedParameter.anyValue("clv_max"),
            new PlanGate.GatedParameter("sort", List.of("clv_12m", "probability_alive")));

    private PredictionParameters() {
    }
}
