package com.ecomcrm.pipelines.insights;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The insight rules on hand-built shops: each finding on its own, the ranking, stable ids, and a quiet shop. */
class InsightRulesTest {
    private static final String SHOP = "insights-shop.myshopify.com";
    private static final LocalDate NIGHT = LocalDate.of(2026, 11, 28);
    private final InsightRules rules = new InsightRules();

    /** Ten snapshots: every segment steady (+1 a day for NEW), then {@code lastAtRisk} At risk customers tonight. */
    private static TreeMap<LocalDate, Map<String, Long>> history(long lastAtRisk) {
        TreeMap<LocalDate, Map<String, Long>> history = new TreeMap<>();
        for (int i = 9; i >= 0; i--) {
            Map<String, Long> day = new HashMap<>();
            day.put("CHAMPIONS", 40L + (i % 2)); // wobbles by one
            day.put("NEW", 100L - i);
            day.put("AT_RISK", i == 0 ? lastAtRisk : 20L);
            history.put(NIGHT.minusDays(i), day);
        }
        return history;
    }

    private static Map<String, ShopFacts.SegmentValue> steadyValue() {
        return Map.of("CHAMPIONS", new ShopFacts.SegmentValue(40, 4_000_000), "NEW", new ShopFacts.SegmentValue(100,
                1_000_000), "AT_RISK", new ShopFacts.SegmentValue(20, 100_000));
    }

    private static ShopFacts quiet() {
        return new ShopFacts(SHOP, NIGHT, history(20), steadyValue(), Optional.empty(),
                List.of(new ShopFacts.FlowClicks(1, "welcome", 60, 6, 240, 24)),
                List.of(new ShopFacts.TemplateResults(5, "Hello", 300, 30, 2, 5000),
                        new ShopFacts.TemplateResults(6, "Hi", 300, 27, 1, 2000)),
                List.of(new ShopFacts.FlowAudience(3, "vip", 12)));
    }

    private static List<String> headlines(List<InsightRules.Ranked> findings) {
        return findings.stream().map(f -> f.rank() + " " + f.insight().severity() + " " + f.insight().kind() + ": "
                + f.insight().title()).toList();
    }

    @Test
    void aQuietShopGetsNothing() {
        assertThat(rules.findings(quiet())).isEmpty();
    }

    @Test
    void aSegmentThatGrewBeyondItsNormalVariationIsFound() {
        ShopFacts facts = new ShopFacts(SHOP, NIGHT, history(32), steadyValue(), Optional.empty(), List.of(),
                List.of(), List.of());

        List<InsightRules.Ranked> findings = rules.findings(facts);

        assertThat(headlines(findings)).containsExactly("1 HIGH SEGMENT_CHANGE: At risk grew by 12 customers");
        Insight insight = findings.get(0).insight();
        assertThat(insight.body()).isEqualTo("At risk went from 20 to 32 customers since 2026-11-27. Over the"
                + " previous 8 days it usually changed by +0.0 a day (give or take 0.0).");
        assertThat(insight.numbers()).containsEntry("customersBefore", 20L).containsEntry("customersNow", 32L)
                .containsEntry("change", 12L);
        assertThat(insight.actionPath()).isEqualTo("/customers?segment=AT_RISK");
    }

    @Test
    void aChangeWithinTheUsualVariationOrTooSmallIsNotFound() {
        // NEW grows by one a day, every day: its +1 tonight is normal. A jump of 4 is below the 5-customer floor.
        ShopFacts facts = new ShopFacts(SHOP, NIGHT, history(24), steadyValue(), Optional.empty(), List.of(),
                List.of(), List.of());

        assertThat(rules.findings(facts)).isEmpty();
    }

    @Test
    void revenueAtRiskCountsAtRiskAndAlmostLostPredictedValue() {
        Map<String, ShopFacts.SegmentValue> value = Map.of(
                "CHAMPIONS", new ShopFacts.SegmentValue(40, 4_000_000),
                "AT_RISK", new ShopFacts.SegmentValue(30, 1_500_000),
                "ALMOST_LOST", new ShopFacts.SegmentValue(10, 500_000));

        List<InsightRules.Ranked> findings = rules.findings(new ShopFacts(SHOP, NIGHT, history(20), value,
                Optional.empty(), List.of(), List.of(), List.of()));

        assertThat(headlines(findings)).containsExactly(
                "1 HIGH REVENUE_AT_RISK: 20,000.00 of predicted revenue is at risk");
        assertThat(findings.get(0).insight().body()).isEqualTo("40 customers in At risk and Almost lost are predicted"
                + " to spend 20,000.00 over the next 12 months: 33% of the value predicted for all your customers.");
        assertThat(findings.get(0).insight().numbers()).containsEntry("customers", 40L)
                .containsEntry("predictedValueCents", 2_000_000L).containsEntry("share", 0.3333);
    }

    @Test
    void valuableCustomersSlippingFlowsTemplatesAndFlowsOffAreFoundAndRanked() {
        ShopFacts facts = new ShopFacts(SHOP, NIGHT, history(20), steadyValue(),
                Optional.of(new ShopFacts.Slipping(NIGHT.minusDays(1), 4, 800_000, 0.35)),
                List.of(new ShopFacts.FlowClicks(1, "abandoned_checkout", 100, 3, 400, 40)),
                List.of(new ShopFacts.TemplateResults(5, "Come back", 200, 40, 6, 90_000),
                        new ShopFacts.TemplateResults(6, "Last chance", 200, 10, 1, 5_000),
                        new ShopFacts.TemplateResults(7, "Tiny", 10, 9, 0, 0)),
                List.of(new ShopFacts.FlowAudience(3, "win_back", 120)));

        List<InsightRules.Ranked> findings = rules.findings(facts);

        assertThat(headlines(findings)).containsExactly(
                "1 HIGH VALUABLE_CUSTOMERS_SLIPPING: 4 of your most valuable customers are slipping away",
                "2 MEDIUM FLOW_OFF: Your Win-back flow is off",
                "3 MEDIUM FLOW_CLICK_RATE_FELL: Clicks on the Abandoned checkout flow fell",
                "4 LOW BEST_TEMPLATE: \"Come back\" is your best template",
                "5 LOW WORST_TEMPLATE: \"Last chance\" is your weakest template");
        assertThat(findings.get(2).insight().body()).isEqualTo("In the last 7 days 3.0% of the 100 delivered"
                + " Abandoned checkout emails were clicked, against 10.0% of 400 in the 28 days before.");
        assertThat(findings.get(3).insight().body()).isEqualTo("Over the last 30 days 20.0% of its 200 delivered"
                + " emails were clicked (\"Last chance\": 5.0%); it earned 6 orders and 900.00.");
        assertThat(findings.get(1).insight().actionPath()).isEqualTo("/flows/win_back");
        assertThat(findings.get(0).insight().numbers()).containsEntry("averageDrop", 0.35)
                .containsEntry("customers", 4L);
    }

    @Test
    void theSameFindingKeepsItsIdFromNightToNightAndShopsNeverShareOne() {
        ShopFacts tonight = new ShopFacts(SHOP, NIGHT, history(20), steadyValue(), Optional.empty(), List.of(),
                List.of(), List.of(new ShopFacts.FlowAudience(3, "win_back", 120)));
        ShopFacts tomorrow = new ShopFacts(SHOP, NIGHT.plusDays(1), history(20), steadyValue(), Optional.empty(),
                List.of(), List.of(), List.of(new ShopFacts.FlowAudience(3, "win_back", 150)));
        ShopFacts otherShop = new ShopFacts("other-shop.myshopify.com", NIGHT, history(20), steadyValue(),
                Optional.empty(), List.of(), List.of(), List.of(new ShopFacts.FlowAudience(3, "win_back", 120)));

        String id = rules.findings(tonight).get(0).insight().id();

        assertThat(id).hasSize(20).matches("[0-9a-f]+");
        assertThat(rules.findings(tomorrow).get(0).insight().id()).isEqualTo(id);
        assertThat(rules.findings(otherShop).get(0).insight().id()).isNotEqualTo(id);
    }

    @Test
    void flowReachFollowsTheFlowsAudience() {
        Map<String, Long> segments = Map.of("AT_RISK", 30L, "ALMOST_LOST", 20L, "PREVIOUSLY_LOYAL", 5L,
                "CHAMPIONS", 7L, "PROSPECTS", 11L);

        assertThat(FlowReach.of("win_back", segments, 99, 98)).isEqualTo(55);
        assertThat(FlowReach.of("vip", segments, 99, 98)).isEqualTo(7);
        assertThat(FlowReach.of("welcome", segments, 99, 98)).isEqualTo(11);
        assertThat(FlowReach.of("abandoned_checkout", segments, 99, 98)).isEqualTo(99);
        assertThat(FlowReach.of("review_request", segments, 99, 98)).isEqualTo(98);
    }
}
