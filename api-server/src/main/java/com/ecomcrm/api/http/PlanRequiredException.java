package com.ecomcrm.api.http;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.PlanFeature;

import java.util.Locale;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A request for a feature the shop's plan does not include: 403 {@code PLAN_REQUIRED}, whose error body names the
 * feature ({@code error.feature}), the cheapest plan that includes it ({@code error.plan}), the shop's plan
 * ({@code error.current_plan}) and, when one parameter asked for it, that parameter ({@code error.field}).
 */
public final class PlanRequiredException extends DomainException {
    private final PlanFeature feature;
    private final String currentPlan;
    private final Optional<String> parameter;

    public PlanRequiredException(PlanFeature feature, String currentPlan, Optional<String> parameter) {
        super(ErrorCode.PLAN_REQUIRED, message(feature, currentPlan, parameter));
        this.feature = requireNonNull(feature, "feature is null");
        this.currentPlan = requireNonNull(currentPlan, "currentPlan is null");
        this.parameter = requireNonNull(parameter, "parameter is null");
    }

    public PlanFeature feature() {
        return feature;
    }

    public String currentPlan() {
        return currentPlan;
    }

    public Optional<String> parameter() {
        return parameter;
    }

    private static String message(PlanFeature feature, String currentPlan, Optional<String> parameter) {
        return "Cannot use " + feature.displayName().toLowerCase(Locale.ROOT)
                + parameter.map(p -> " (parameter '" + p + "')").orElse("") + ": it is part of the "
                + names(feature.plans()) + (feature.plans().size() == 1 ? " plan" : " plans") + " and this shop is on " + title(currentPlan) + "; upgrade in Billing to use it";
    }

    private static String names(java.util.List<String> plans) {
        java.util.List<String> titles = plans.stream().map(PlanRequiredException::title).toList();
        return titles.size() == 1 ? titles.get(0)
                : String.join(", ", titles.subList(0, titles.size() - 1)) + " and " + titles.get(titles.size() - 1);
    }

    private static String title(String plan) {
        return plan.isEmpty() ? plan : plan.substring(0, 1).toUpperCase(Locale.ROOT) + plan.substring(1);
    }
}
