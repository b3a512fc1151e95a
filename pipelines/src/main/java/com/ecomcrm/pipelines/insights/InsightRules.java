package com.ecomcrm.pipelines.insights;

import com.ecomcrm.domain.Segment;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * The night's findings for one shop, from its aggregates, ranked: severity first (HIGH, MEDIUM, LOW), then what is at
 * stake, then the id (so equal findings still come out in one order). The text comes from fixed templates filled with
 * the numbers, so the same facts always give the same words. Each rule has a floor (below it, a change is noise), so
 * a quiet shop gets nothing.
 *
 * <ul>
 *   <li>SEGMENT_CHANGE: the segment's day-over-day change on the night is more than {@value #SIGMAS} standard deviations
 *       (at least one customer) from its mean daily change over the previous snapshots (at least
 *       {@value #MIN_HISTORY_CHANGES} of them), and at least {@value #MIN_SEGMENT_CHANGE} customers and
 *       {@value #MIN_SEGMENT_SHARE} of the segment.</li>
 *   <li>REVENUE_AT_RISK: At risk and Almost lost together hold at least {@value #MIN_AT_RISK_CUSTOMERS} customers and
 *       {@value #MIN_AT_RISK_SHARE} of the shop's predicted 12-month value.</li>
 *   <li>VALUABLE_CUSTOMERS_SLIPPING: at least {@value #MIN_SLIPPING} of the shop's top-decile customers by predicted
 *       value saw their probability alive fall by 0.2 or more since the previous predictions.</li>
 *   <li>FLOW_CLICK_RATE_FELL: a flow's click rate of the last 7 days is below {@value #CLICK_RATE_FALL} of its rate
 *       over the 28 days before, with at least {@value #MIN_RECENT_DELIVERED} and {@value #MIN_BASELINE_DELIVERED}
 *       deliveries.</li>
 *   <li>BEST_TEMPLATE / WORST_TEMPLATE: among templates with at least {@value #MIN_TEMPLATE_DELIVERED} deliveries in
 *       30 days (two or more), the highest and lowest click rates, when the best is at least
 *       {@value #TEMPLATE_GAP} times the worst.</li>
 *   <li>FLOW_OFF: a flow switched off that would reach at least {@value #MIN_FLOW_REACH} customers now.</li>
 * </ul>
 */
public final class InsightRules {
    static final double SIGMAS = 3.0;
    static final int MIN_HISTORY_CHANGES = 7;
    static final long MIN_SEGMENT_CHANGE = 5;
    static final double MIN_SEGMENT_SHARE = 0.05;
    static final long MIN_AT_RISK_CUSTOMERS = 5;
    static final double MIN_AT_RISK_SHARE = 0.10;
    static final long MIN_SLIPPING = 3;
    static final double CLICK_RATE_FALL = 0.7;
    static final long MIN_RECENT_DELIVERED = 50;
    static final long MIN_BASELINE_DELIVERED = 100;
    static final long MIN_TEMPLATE_DELIVERED = 50;
    static final double TEMPLATE_GAP = 1.5;
    static final long MIN_FLOW_REACH = 50;
    private static final Set<String> AT_RISK = Set.of("AT_RISK", "ALMOST_LOST");
    /** Segments where growth is bad news, and where shrinking is. */
    private static final Set<String> BAD_GROWTH = Set.of("AT_RISK", "ALMOST_LOST", "DORMANT", "PREVIOUSLY_LOYAL");
    private static final Set<String> BAD_SHRINK = Set.of("CHAMPIONS", "LOYAL", "ACTIVE");

    /** A ranked finding: rank 1 is the most important of the night. */
    public record Ranked(int rank, Insight insight) {
    }

    public List<Ranked> findings(ShopFacts facts) {
        requireNonNull(facts, "facts is null");
        List<Insight> all = new ArrayList<>();
        segmentChanges(facts, all);
        revenueAtRisk(facts, all);
        slipping(facts, all);
        flowClickRates(facts, all);
        templates(facts, all);
        flowsOff(facts, all);
        all.sort(Comparator.comparing(Insight::severity)
                .thenComparing(Comparator.comparingDouble(Insight::weight).reversed())
                .thenComparing(Insight::id));
        List<Ranked> ranked = new ArrayList<>(all.size());
        for (int i = 0; i < all.size(); i++) {
            ranked.add(new Ranked(i + 1, all.get(i)));
        }
        return ranked;
    }

    private static void segmentChanges(ShopFacts facts, List<Insight> out) {
        List<LocalDate> dates = new ArrayList<>(facts.segmentHistory().keySet());
        if (dates.size() < MIN_HISTORY_CHANGES + 2 || !dates.get(dates.size() - 1).equals(facts.asOfDate())) {
            return;
        }
        Set<String> segments = new java.util.TreeSet<>();
        facts.segmentHistory().values().forEach(m -> segments.addAll(m.keySet()));
        for (String segment : segments) {
            long[] counts = dates.stream().mapToLong(d -> facts.segmentHistory().get(d).getOrDefault(segment, 0L))
                    .toArray();
            int n = counts.length;
            long change = counts[n - 1] - counts[n - 2];
            double[] before = new double[n - 2];
            for (int i = 1; i < n - 1; i++) {
                before[i - 1] = counts[i] - counts[i - 1];
            }
            double mean = java.util.Arrays.stream(before).average().orElse(0);
            double sd = Math.sqrt(java.util.Arrays.stream(before).map(x -> (x - mean) * (x - mean)).sum()
                    / before.length);
            long previous = counts[n - 2];
            if (Math.abs(change) < MIN_SEGMENT_CHANGE || Math.abs(change) < MIN_SEGMENT_SHARE * previous
                    || Math.abs(change - mean) <= SIGMAS * Math.max(sd, 1.0)) {
                continue;
            }
            boolean grew = change > 0;
            String name = displayName(segment);
            Insight.Severity severity = grew && BAD_GROWTH.contains(segment) || !grew && BAD_SHRINK.contains(segment)
                    ? Insight.Severity.HIGH : Insight.Severity.MEDIUM;
            Map<String, Object> numbers = new LinkedHashMap<>();
            numbers.put("segment", segment);
            numbers.put("customersBefore", previous);
            numbers.put("customersNow", counts[n - 1]);
            numbers.put("change", change);
            numbers.put("usualDailyChange", round(mean, 1));
            numbers.put("usualVariation", round(sd, 1));
            numbers.put("days", before.length);
            String verb = grew ? "grew" : "shrank";
            out.add(new Insight(facts.shop(), Insight.Kind.SEGMENT_CHANGE, segment + ":" + verb, severity,
                    name + " " + verb + " by " + Math.abs(change) + " customers",
                    String.format(Locale.ROOT, "%s went from %d to %d customers since %s. Over the previous %d days it"
                                    + " usually changed by %+.1f a day (give or take %.1f).", name, previous,
                            counts[n - 1], dates.get(n - 2), before.length, mean, sd),
                    numbers, "See the customers in " + name, "/customers?segment=" + segment, Math.abs(change)));
        }
    }

    private static void revenueAtRisk(ShopFacts facts, List<Insight> out) {
        long customers = 0;
        long atRiskCents = 0;
        long totalCents = 0;
        for (Map.Entry<String, ShopFacts.SegmentValue> e : facts.segmentValue().entrySet()) {
            totalCents += e.getValue().clvCents();
            if (AT_RISK.contains(e.getKey())) {
                customers += e.getValue().customers();
                atRiskCents += e.getValue().clvCents();
            }
        }
        if (customers < MIN_AT_RISK_CUSTOMERS || totalCents <= 0 || atRiskCents < MIN_AT_RISK_SHARE * totalCents) {
            return;
        }
        double share = (double) atRiskCents / totalCents;
        Map<String, Object> numbers = new LinkedHashMap<>();
        numbers.put("customers", customers);
        numbers.put("predictedValueCents", atRiskCents);
        numbers.put("shopPredictedValueCents", totalCents);
        numbers.put("share", round(share, 4));
        out.add(new Insight(facts.shop(), Insight.Kind.REVENUE_AT_RISK, "AT_RISK+ALMOST_LOST",
                share >= 0.25 ? Insight.Severity.HIGH : Insight.Severity.MEDIUM,
                money(atRiskCents) + " of predicted revenue is at risk",
                String.format(Locale.ROOT, "%d customers in At risk and Almost lost are predicted to spend %s over"
                                + " the next 12 months: %.0f%% of the value predicted for all your customers.",
                        customers, money(atRiskCents), share * 100),
                numbers, "Win them back with the win-back flow", "/flows/win_back", atRiskCents));
    }

    private static void slipping(ShopFacts facts, List<Insight> out) {
        facts.slipping().filter(s -> s.customers() >= MIN_SLIPPING).ifPresent(s -> {
            Map<String, Object> numbers = new LinkedHashMap<>();
            numbers.put("customers", s.customers());
            numbers.put("predictedValueCents", s.clvCents());
            numbers.put("averageDrop", round(s.averageDrop(), 4));
            numbers.put("since", s.since().toString());
            out.add(new Insight(facts.shop(), Insight.Kind.VALUABLE_CUSTOMERS_SLIPPING, "top-decile",
                    Insight.Severity.HIGH, s.customers() + " of your most valuable customers are slipping away",
                    String.format(Locale.ROOT, "Since %s, the chance that %d of your top 10%% customers (predicted"
                                    + " to spend %s) are still active fell by %.0f points on average.", s.since(),
                            s.customers(), money(s.clvCents()), s.averageDrop() * 100),
                    numbers, "See customers at high churn risk", "/customers?churn_risk=HIGH&sort=clv_12m",
                    s.clvCents()));
        });
    }

    private static void flowClickRates(ShopFacts facts, List<Insight> out) {
        for (ShopFacts.FlowClicks flow : facts.flows()) {
            if (flow.recentDelivered() < MIN_RECENT_DELIVERED || flow.baselineDelivered() < MIN_BASELINE_DELIVERED
                    || flow.baselineRate() <= 0 || flow.recentRate() >= CLICK_RATE_FALL * flow.baselineRate()) {
                continue;
            }
            String name = flowName(flow.kind());
            Map<String, Object> numbers = new LinkedHashMap<>();
            numbers.put("flowId", flow.flowId());
            numbers.put("flowKind", flow.kind());
            numbers.put("recentClickRate", round(flow.recentRate(), 4));
            numbers.put("recentDelivered", flow.recentDelivered());
            numbers.put("usualClickRate", round(flow.baselineRate(), 4));
            numbers.put("usualDelivered", flow.baselineDelivered());
            out.add(new Insight(facts.shop(), Insight.Kind.FLOW_CLICK_RATE_FELL, "flow:" + flow.flowId(),
                    Insight.Severity.MEDIUM, "Clicks on the " + name + " flow fell",
                    String.format(Locale.ROOT, "In the last 7 days %.1f%% of the %d delivered %s emails were clicked,"
                                    + " against %.1f%% of %d in the 28 days before.", flow.recentRate() * 100,
                            flow.recentDelivered(), name, flow.baselineRate() * 100, flow.baselineDelivered()),
                    numbers, "Review the flow's email", "/flows/" + flow.kind(),
                    (flow.baselineRate() - flow.recentRate()) * flow.recentDelivered()));
        }
    }

    private static void templates(ShopFacts facts, List<Insight> out) {
        List<ShopFacts.TemplateResults> sized = facts.templates().stream()
                .filter(t -> t.delivered() >= MIN_TEMPLATE_DELIVERED)
                .sorted(Comparator.comparingDouble(ShopFacts.TemplateResults::clickRate).reversed()
                        .thenComparingLong(ShopFacts.TemplateResults::templateId))
                .toList();
        if (sized.size() < 2) {
            return;
        }
        ShopFacts.TemplateResults best = sized.get(0);
        ShopFacts.TemplateResults worst = sized.get(sized.size() - 1);
        if (best.clickRate() <= 0 || best.clickRate() < TEMPLATE_GAP * worst.clickRate()) {
            return;
        }
        out.add(template(facts, Insight.Kind.BEST_TEMPLATE, best, worst, "is your best template",
                "Reuse what works in your other emails"));
        out.add(template(facts, Insight.Kind.WORST_TEMPLATE, worst, best, "is your weakest template",
                "Rewrite it"));
    }

    private static Insight template(ShopFacts facts, Insight.Kind kind, ShopFacts.TemplateResults t,
                                    ShopFacts.TemplateResults other, String headline, String action) {
        Map<String, Object> numbers = new LinkedHashMap<>();
        numbers.put("templateId", t.templateId());
        numbers.put("delivered", t.delivered());
        numbers.put("clicks", t.clicks());
        numbers.put("clickRate", round(t.clickRate(), 4));
        numbers.put("orders", t.orders());
        numbers.put("revenueCents", t.revenueCents());
        numbers.put("comparedTemplateId", other.templateId());
        numbers.put("comparedClickRate", round(other.clickRate(), 4));
        return new Insight(facts.shop(), kind, "template:" + t.templateId(), Insight.Severity.LOW,
                "\"" + t.name() + "\" " + headline,
                String.format(Locale.ROOT, "Over the last 30 days %.1f%% of its %d delivered emails were clicked"
                                + " (\"%s\": %.1f%%); it earned %d orders and %s.", t.clickRate() * 100,
                        t.delivered(), other.name(), other.clickRate() * 100, t.orders(), money(t.revenueCents())),
                numbers, action, "/templates/" + t.templateId(), t.delivered());
    }

    private static void flowsOff(ShopFacts facts, List<Insight> out) {
        for (ShopFacts.FlowAudience flow : facts.flowsOff()) {
            if (flow.reach() < MIN_FLOW_REACH) {
                continue;
            }
            String name = flowName(flow.kind());
            Map<String, Object> numbers = new LinkedHashMap<>();
            numbers.put("flowId", flow.flowId());
            numbers.put("flowKind", flow.kind());
            numbers.put("customers", flow.reach());
            out.add(new Insight(facts.shop(), Insight.Kind.FLOW_OFF, "flow:" + flow.flowId(),
                    Insight.Severity.MEDIUM, "Your " + name + " flow is off",
                    "Switched on, it would reach " + flow.reach() + " customers now.",
                    numbers, "Switch on the " + name + " flow", "/flows/" + flow.kind(), flow.reach()));
        }
    }

    static String displayName(String segmentKey) {
        try {
            return Segment.fromKey(segmentKey).displayName();
        }
        catch (RuntimeException e) {
            return segmentKey;
        }
    }

    /** The flow's name as the Flows screen shows it (api-server FlowCatalog); an unknown kind reads as words. */
    static String flowName(String kind) {
        if (kind == null) {
            return "unnamed";
        }
        return switch (kind) {
            case "welcome" -> "Welcome";
            case "abandoned_checkout" -> "Abandoned checkout";
            case "post_purchase_thank_you" -> "Thank you";
            case "review_request" -> "Review request";
            case "win_back" -> "Win-back";
            case "vip" -> "VIP";
            default -> kind.replace('_', ' ');
        };
    }

    /** Cents as an amount with two decimals and thousands separators, e.g. 1,234.50 (currency shown by the app). */
    static String money(long cents) {
        return String.format(Locale.ROOT, "%,.2f", cents / 100.0);
    }

    private static double round(double value, int decimals) {
        return java.math.BigDecimal.valueOf(value).setScale(decimals, java.math.RoundingMode.HALF_UP).doubleValue();
    }
}
