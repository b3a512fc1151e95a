package com.ecomcrm.api.billing;

import com.ecomcrm.api.http.ParameterException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.PlanFeature;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The plan catalogue, the single source of what each plan costs and offers. Limits (monthly emails, contacts) are not
 * here: they are the rows of {@code plan_limits} (migration V6), which the send job enforces; {@link #ALL}'s names are
 * exactly those rows (checked by a test), and {@code GET /api/billing} joins the two.
 *
 * <p>Features are enforced in one place, {@code plans.PlanGate} (API) with {@link PlanFeature} (also read by the send
 * job for the own sender domain): CSV export and predictions from Starter, segment movement and the own sender domain
 * from Growth. A refused request is a 403 {@code PLAN_REQUIRED} naming the feature and the plan; predictions are left
 * out of answers with a {@code plan_required} marker ({@code plans.PlanAnswers}). A downgrade deletes nothing.
 *
 * <p>The <b>contacts</b> limit counts the customers the flows can email: marketing consent {@code SUBSCRIBED}, an
 * email address, not suppressed (as Shopify's email-marketing apps count subscribers); customers who never agreed,
 * unsubscribed, bounced or were redacted are free. Over the limit every customer stays imported and analysed; the
 * flows skip the newest contacts beyond it (ranked by Shopify customer id; jobs {@code ContactsLimit}) until the shop
 * upgrades, and {@code GET /api/billing} says so ({@code usage.over_contacts_limit}).
 *
 * <p>A paid plan is one Shopify recurring line item, {@code EVERY_30_DAYS}, in USD. The subscription's {@code name} is
 * the plan's {@link Plan#displayName()}, which is how a webhook about a subscription the app has no row for (made
 * before this table existed) is mapped back to a plan.
 */
public final class Plans {
    public static final String FREE = "free";
    public static final String CURRENCY = "USD";
    public static final String INTERVAL = "EVERY_30_DAYS";

    /** One plan: its key (shops.plan, plan_limits.plan), the name Shopify shows the merchant, price and trial. */
    public record Plan(String name, String displayName, BigDecimal monthlyPrice, int trialDays, List<String> features) {
        public Plan {
            requireNonNull(name, "name is null");
            requireNonNull(displayName, "displayName is null");
            requireNonNull(monthlyPrice, "monthlyPrice is null");
            features = List.copyOf(features);
        }

        public boolean free() {
            return monthlyPrice.signum() == 0;
        }
    }

    public static final List<Plan> ALL = List.of(
            new Plan(FREE, "Free", new BigDecimal("0.00"), 0, features(FREE)),
            new Plan("starter", "Starter", new BigDecimal("19.00"), 14, features("starter")),
            new Plan("growth", "Growth", new BigDecimal("49.00"), 14, features("growth")),
            new Plan("pro", "Pro", new BigDecimal("149.00"), 14, features("pro")));

    /** A plan's features are {@link PlanFeature}'s, the table the API's gate and the send job enforce. */
    private static List<String> features(String plan) {
        return PlanFeature.of(plan).stream().map(PlanFeature::key).toList();
    }

    private Plans() {
    }

    public static Optional<Plan> find(String name) {
        return name == null ? Optional.empty()
                : ALL.stream().filter(p -> p.name().equals(name.trim().toLowerCase(Locale.ROOT))).findFirst();
    }

    /** The plan a request names, or a 400 naming {@code plan}. */
    public static Plan require(String name) {
        return find(name).orElseThrow(() -> new ParameterException(ErrorCode.INVALID_INPUT, "plan",
                "Cannot change plan: plan must be one of " + ALL.stream().map(Plan::name).toList()
                        + (name == null ? "" : ", not '" + abbreviate(name) + "'")));
    }

    /** The plan of a subscription Shopify reports, by the name the app gave it. */
    public static Optional<Plan> bySubscriptionName(String subscriptionName) {
        return subscriptionName == null ? Optional.empty()
                : ALL.stream().filter(p -> !p.free() && p.displayName().equalsIgnoreCase(subscriptionName.trim()))
                .findFirst();
    }

    /** An unknown or missing plan counts as free (as in the send job). */
    public static Plan orFree(String name) {
        return find(name).orElse(ALL.get(0));
    }

    private static String abbreviate(String value) {
        String printable = value.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 40 ? printable.substring(0, 40) + "..." : printable;
    }
}
