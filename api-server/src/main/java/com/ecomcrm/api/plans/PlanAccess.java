package com.ecomcrm.api.plans;

import com.ecomcrm.api.http.PlanRequiredException;
import com.ecomcrm.domain.PlanFeature;
import io.vertx.core.json.JsonObject;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** The signed-in shop's effective plan ({@code shops.plan}) for one request, and what it allows. */
public record PlanAccess(String plan) {
    public PlanAccess {
        requireNonNull(plan, "plan is null");
    }

    public boolean allows(PlanFeature feature) {
        return feature.includedIn(plan);
    }

    /** Fails with a 403 naming the feature and the plan that includes it. */
    public void require(PlanFeature feature) {
        if (!allows(feature)) {
            throw new PlanRequiredException(feature, plan, Optional.empty());
        }
    }

    /** Fails with a 403 naming the feature, the plan that includes it and the parameter that asked for it. */
    public void require(PlanFeature feature, String parameter) {
        if (!allows(feature)) {
            throw new PlanRequiredException(feature, plan, Optional.of(parameter));
        }
    }

    /** The marker an answer carries where it leaves out what the plan does not include. */
    public JsonObject marker(PlanFeature feature) {
        return new JsonObject().put("feature", feature.key()).put("plan", feature.lowestPlan())
                .put("current_plan", plan);
    }
}
