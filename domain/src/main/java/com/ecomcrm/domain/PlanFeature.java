package com.ecomcrm.domain;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What each plan offers, in one place: every feature names the cheapest plan that includes it, and every plan above it
 * includes it too. The API's gate, the billing catalogue and the send job (own sender domain) all ask this type, so a
 * plan can never be sold a feature that one of them refuses.
 *
 * <p>Plans are ranked {@code free < starter < growth < pro} ({@link #PLANS}); an unknown or missing plan counts as
 * {@code free}, as {@code shops.plan} is read everywhere. The effective plan is {@code shops.plan}, which billing
 * recomputes from the shop's ACTIVE subscription: a trial is an ACTIVE subscription (the plan's features), a FROZEN,
 * CANCELLED, DECLINED or EXPIRED one leaves the shop on free. Nothing is deleted when a feature goes away: it is
 * hidden or refused until the shop is on a plan that includes it again.
 */
public enum PlanFeature {
    SEGMENTS("segments", "Segments", "free"),
    CUSTOMER_LIST("customer_list", "Customer list", "free"),
    KPIS("kpis", "KPIs", "free"),
    EMAIL_FLOWS("email_flows", "Email flows", "free"),
    CSV_EXPORT("csv_export", "CSV export", "starter"),
    PREDICTIONS("predictions", "Predictions", "starter"),
    SEGMENT_MOVEMENT("segment_movement", "Segment movement", "growth"),
    OWN_SENDER_DOMAIN("own_sender_domain", "Your own sender domain", "growth"),
    PRIORITY_SUPPORT("priority_support", "Priority support", "pro");

    /** The plans (shops.plan, plan_limits.plan) from the cheapest to the most expensive. */
    public static final List<String> PLANS = List.of("free", "starter", "growth", "pro");

    private final String key;
    private final String displayName;
    private final String lowestPlan;

    PlanFeature(String key, String displayName, String lowestPlan) {
        this.key = requireNonNull(key, "key is null");
        this.displayName = requireNonNull(displayName, "displayName is null");
        this.lowestPlan = requireNonNull(lowestPlan, "lowestPlan is null");
    }

    /** The key the API and the billing catalogue use ({@code csv_export}). */
    public String key() {
        return key;
    }

    /** The merchant-facing name ({@code CSV export}). */
    public String displayName() {
        return displayName;
    }

    /** The cheapest plan that includes this feature. */
    public String lowestPlan() {
        return lowestPlan;
    }

    public boolean includedIn(String plan) {
        return rank(plan) >= rank(lowestPlan);
    }

    /** The plans that include this feature, cheapest first. */
    public List<String> plans() {
        return PLANS.subList(rank(lowestPlan), PLANS.size());
    }

    /** The features of a plan, in catalogue order. */
    public static List<PlanFeature> of(String plan) {
        return java.util.Arrays.stream(values()).filter(f -> f.includedIn(plan)).toList();
    }

    public static Optional<PlanFeature> fromKey(String key) {
        return java.util.Arrays.stream(values()).filter(f -> f.key.equals(key)).findFirst();
    }

    /** The plan's position in {@link #PLANS}; an unknown or missing plan counts as free (0). */
    public static int rank(String plan) {
        int rank = plan == null ? -1 : PLANS.indexOf(plan.strip().toLowerCase(Locale.ROOT));
        return Math.max(rank, 0);
    }
}
