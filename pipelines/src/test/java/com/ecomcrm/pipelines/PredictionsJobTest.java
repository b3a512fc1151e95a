package com.ecomcrm.pipelines;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.clickhouse.ShopScope;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * PredictionsJob on orders simulated from known BG/NBD and Gamma-Gamma parameters (seeded, so the data is the same on
 * every run), a tiny new shop, a prospect, re-runs, shop independence and publishing.
 */
class PredictionsJobTest {
    private static final String BIG = "big-" + UUID.randomUUID().toString().substring(0, 8) + ".myshopify.com";
    private static final String TINY = "tiny-" + UUID.randomUUID().toString().substring(0, 8) + ".myshopify.com";
    private static final String OTHER = "other-" + UUID.randomUUID().toString().substring(0, 8) + ".myshopify.com";
    private static final LocalDate AS_OF = LocalDate.of(2026, 11, 28);
    private static final Instant UPDATED = Instant.parse("2026-11-28T12:00:00Z");
    /** The truth: BG/NBD r, alpha (weeks), a, b and Gamma-Gamma p, q, v. */
    private static final double[] BG = {0.5, 10.0, 0.8, 2.5};
    private static final double[] GG = {6.0, 4.0, 15.0};

    @TempDir
    static Path temp;
    static TestLakehouse lake;
    private static long nextOrderId = 1;

    @BeforeAll
    static void start() {
        lake = TestLakehouse.start(temp.resolve("warehouse"));
    }

    @AfterAll
    static void stop() {
        if (lake != null) {
            lake.close();
        }
    }

    /**
     * Customers whose first purchase is uniform in the {@code windowDays} before the as-of date; then BG/NBD: repeat
     * purchases at Poisson rate lambda ~ Gamma(r, alpha) per week, dropping out after each with probability p ~
     * Beta(a, b); each purchase worth Gamma(p, nu) with nu ~ Gamma(q, v), to the cent.
     */
    private static List<OrderRow> simulate(String shop, int customers, long seed, double[] bg, double[] gg,
                                           int windowDays) {
        RandomGenerator rng = new Well19937c(seed);
        GammaDistribution rates = new GammaDistribution(rng, bg[0], 1 / bg[1]);
        BetaDistribution dropouts = new BetaDistribution(rng, bg[2], bg[3]);
        GammaDistribution spendRates = new GammaDistribution(rng, gg[1], 1 / gg[2]);
        List<OrderRow> orders = new ArrayList<>();
        for (long c = 1; c <= customers; c++) {
            int ageDays = rng.nextInt(windowDays);
            LocalDate first = AS_OF.minusDays(ageDays);
            double lambda = rates.sample();
            double p = dropouts.sample();
            GammaDistribution values = new GammaDistribution(rng, gg[0], 1 / spendRates.sample());
            orders.add(order(shop, c, first, values.sample()));
            double t = 0;
            while (true) {
                t += -Math.log(1 - rng.nextDouble()) / lambda;
                if (t * 7 >= ageDays + 1) {
                    break;
                }
                orders.add(order(shop, c, first.plusDays((long) Math.floor(t * 7)), values.sample()));
                if (rng.nextDouble() < p) {
                    break;
                }
            }
        }
        return orders;
    }

    private static OrderRow order(String shop, long customer, LocalDate day, double value) {
        Instant at = day.atTime(12, 0).toInstant(ZoneOffset.UTC);
        BigDecimal total = BigDecimal.valueOf(Math.max(0.01, value)).setScale(2, RoundingMode.HALF_UP);
        long id = nextOrderId++;
        return new OrderRow(shop, id, customer, "#" + id, at, at, UPDATED, null, "PAID", "EUR", total,
                BigDecimal.ZERO.setScale(2), false, "bulk/orders", UPDATED);
    }

    private static CustomerRow customer(String shop, long id) {
        return new CustomerRow(shop, id, "c" + id + "@example.com", "F", "L", "ENABLED", "SUBSCRIBED",
                Instant.parse("2026-11-01T00:00:00Z"), UPDATED, false, "bulk/customers", UPDATED);
    }


    private static Row fit(String shop) {
        List<Row> rows = lake.spark.table(lake.lakehouse.shopModelFits())
                .where("shop_id = '" + shop + "' AND as_of_date = DATE '" + AS_OF + "'").collectAsList();
        assertThat(rows).hasSize(1);
        return rows.get(0);
    }

    private static List<Row> predictions(String shop) {
        return lake.spark.table(lake.lakehouse.customerPredictions())
                .where("shop_id = '" + shop + "' AND as_of_date = DATE '" + AS_OF + "'")
                .orderBy("customer_id").collectAsList();
    }

    private static List<String> asStrings(List<Row> rows) {
        return rows.stream().map(Row::toString).toList();
    }

    private static double relativeWidth(Row r) {
        double clv = r.<BigDecimal>getAs("clv_12m").doubleValue();
        return (r.<BigDecimal>getAs("clv_12m_high").doubleValue() - r.<BigDecimal>getAs("clv_12m_low").doubleValue())
                / Math.max(clv, 0.01);
    }

    @Test
    void recoversKnownParametersPoolsTinyShopsAndPublishes() throws Exception {
        lake.append(lake.lakehouse.orders(), simulate(BIG, 4000, 42, BG, GG, 500));
        // A shop in its first week: four buyers, one of them back already, and a prospect.
        lake.append(lake.lakehouse.customers(), List.of(customer(TINY, 1), customer(TINY, 2), customer(TINY, 3),
                customer(TINY, 4), customer(TINY, 5)));
        lake.append(lake.lakehouse.orders(), List.of(
                order(TINY, 1, AS_OF.minusDays(6), 20), order(TINY, 1, AS_OF.minusDays(2), 35),
                order(TINY, 2, AS_OF.minusDays(5), 80), order(TINY, 3, AS_OF.minusDays(1), 15),
                order(TINY, 4, AS_OF, 42.5)));

        long start = System.nanoTime();
        PredictionsJob.Result result = PredictionsJob.run(lake.spark, lake.lakehouse, AS_OF);
        System.out.printf("PredictionsJob on %d buyers: %.1f s (fits %.2f s): %s%n", result.buyers(),
                (System.nanoTime() - start) / 1e9, result.fitSeconds(), result.summary());

        // Parameter recovery: each log-parameter within 3 of its standard errors of the truth (plus 0.05 for the
        // whole-day rounding of the simulated times).
        Row big = fit(BIG);
        assertThat(big.<String>getAs("status")).isEqualTo("OWN");
        assertThat(big.<Boolean>getAs("converged")).isTrue();
        String[] names = {"r", "alpha", "a", "b", "p", "q", "v"};
        double[] truth = {BG[0], BG[1], BG[2], BG[3], GG[0], GG[1], GG[2]};
        for (int i = 0; i < names.length; i++) {
            double estimate = big.getAs(names[i]);
            double se = big.getAs("se_log_" + names[i]);
            System.out.printf("%s: truth %.3f, fitted %.3f, se(ln) %.3f%n", names[i], truth[i], estimate, se);
            assertThat(se).as("se of ln " + names[i]).isPositive().isLessThan(1.0);
            assertThat(Math.abs(Math.log(estimate / truth[i]))).as(names[i]).isLessThan(3 * se + 0.05);
        }
        assertThat(result.modelErrors()).isZero();

        // The tiny shop: fitted with the pooled prior, every buyer predicted, the prospect not.
        Row tiny = fit(TINY);
        assertThat(tiny.<String>getAs("status")).isIn("BLENDED", "POOLED");
        assertThat(tiny.<Long>getAs("buyers")).isEqualTo(4);
        List<Row> tinyRows = predictions(TINY);
        assertThat(tinyRows).extracting(r -> r.<Long>getAs("customer_id") + " " + r.getAs("prediction_status"))
                .containsExactly("1 PREDICTED", "2 PREDICTED", "3 PREDICTED", "4 PREDICTED", "5 NO_ORDERS");
        for (Row r : tinyRows.subList(0, 4)) {
            assertThat(r.<Double>getAs("expected_orders_365d")).isPositive();
            assertThat(r.<BigDecimal>getAs("clv_12m")).isPositive();
            assertThat(r.<BigDecimal>getAs("clv_12m_low")).isLessThan(r.getAs("clv_12m"));
            assertThat(r.<BigDecimal>getAs("clv_12m_high")).isGreaterThan(r.getAs("clv_12m"));
            assertThat(r.<String>getAs("churn_risk")).isIn("LOW", "MEDIUM", "HIGH");
        }
        Row prospect = tinyRows.get(4);
        for (String column : List.of("expected_orders_30d", "probability_alive", "clv_12m", "clv_12m_low",
                "churn_risk", "next_order_date", "repeat_purchases")) {
            assertThat((Object) prospect.getAs(column)).as(column).isNull();
        }
        // Wider intervals where there is less data: every tiny-shop buyer's relative width exceeds the big shop's
        // median.
        List<Double> bigWidths = predictions(BIG).stream().map(PredictionsJobTest::relativeWidth).sorted().toList();
        double bigMedian = bigWidths.get(bigWidths.size() / 2);
        for (Row r : tinyRows.subList(0, 4)) {
            assertThat(relativeWidth(r)).isGreaterThan(bigMedian);
        }
        // Customer 1 (x 1, t_x 4 days, T 6 days, m_x 35.00).
        Row c1 = tinyRows.get(0);
        assertThat(c1.<Integer>getAs("repeat_purchases")).isEqualTo(1);
        assertThat(c1.<Double>getAs("recency_weeks")).isCloseTo(4 / 7.0, within(1e-12));
        assertThat(c1.<Double>getAs("age_weeks")).isCloseTo(6 / 7.0, within(1e-12));
        assertThat(c1.<BigDecimal>getAs("mean_repeat_value")).isEqualByComparingTo("35.00");

        // Re-running the date gives the same rows.
        List<String> bigBefore = asStrings(predictions(BIG));
        List<String> fitsBefore = lake.contents(lake.lakehouse.shopModelFits());
        List<String> allBefore = lake.contents(lake.lakehouse.customerPredictions());
        PredictionsJob.run(lake.spark, lake.lakehouse, AS_OF);
        assertThat(lake.contents(lake.lakehouse.customerPredictions())).isEqualTo(allBefore);
        assertThat(lake.contents(lake.lakehouse.shopModelFits())).isEqualTo(fitsBefore);

        // Another shop changes the prior, but not a shop with its own fit.
        lake.append(lake.lakehouse.orders(), simulate(OTHER, 300, 7, new double[] {0.3, 4, 0.5, 1.5},
                new double[] {3, 5, 40}, 120));
        PredictionsJob.Result third = PredictionsJob.run(lake.spark, lake.lakehouse, AS_OF);
        assertThat(third.shops()).isEqualTo(3);
        assertThat(asStrings(predictions(BIG))).isEqualTo(bigBefore);
        assertThat(fit(OTHER).<String>getAs("status")).isIn("BLENDED", "POOLED");

        // Published with the shop's publication: the ClickHouse rows are the Iceberg rows, money to the cent.
        RfmJob.run(lake.spark, lake.lakehouse, AS_OF);
        try (ClickHouseGateway gateway = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment())) {
            try {
                long t0 = System.nanoTime();
                PublishJob.Result published = PublishJob.run(lake.spark, lake.lakehouse, gateway, AS_OF,
                        Clock.systemUTC());
                System.out.printf("PublishJob: %.1f s: %s%n", (System.nanoTime() - t0) / 1e9, published.summary());
                for (String shop : List.of(TINY, BIG)) {
                    assertPublished(gateway.forShop(ShopId.of(shop)), published.publishIds().get(shop), shop);
                }
            }
            finally {
                for (String shop : List.of(BIG, TINY, OTHER)) {
                    for (String table : List.of("customer_rfm", "segment_summary", "segment_overview",
                            "segment_transitions",
                            "shop_daily_kpis", "customer_segment_history", "segment_history_dates",
                            "customer_predictions", "shop_model_fits", "shop_publications")) {
                        gateway.forShop(ShopId.of(shop)).execute(
                                SqlTemplate.of("ALTER TABLE " + table + " DELETE WHERE shop_id = {shop}"));
                    }
                }
            }
        }
    }

    private static void assertPublished(ShopScope scope, long publishId, String shop) {
        assertThat(scope.currentPublication()).isEqualTo(publishId);
        List<JsonNode> rows = scope.select(SqlTemplate.of("SELECT customer_id, prediction_status,"
                + " expected_orders_30d, expected_orders_90d, expected_orders_365d, probability_alive,"
                + " expected_order_value_cents, clv_12m_cents, clv_low_cents, clv_high_cents, churn_risk,"
                + " toString(next_order_date) AS next_order FROM customer_predictions"
                + " WHERE shop_id = {shop} AND publish_id = {p} ORDER BY customer_id").bind("p", publishId));
        List<Row> gold = predictions(shop);
        assertThat(rows).hasSameSizeAs(gold);
        Map<Long, JsonNode> byId = new HashMap<>();
        rows.forEach(n -> byId.put(n.get("customer_id").asLong(), n));
        for (Row g : gold) {
            JsonNode n = byId.get(g.<Long>getAs("customer_id"));
            assertThat(n).isNotNull();
            assertThat(n.get("prediction_status").asText()).isEqualTo(g.getAs("prediction_status"));
            for (String column : List.of("expected_orders_30d", "expected_orders_90d", "expected_orders_365d",
                    "probability_alive")) {
                Double expected = g.getAs(column);
                if (expected == null) {
                    assertThat(n.get(column).isNull()).as(column).isTrue();
                }
                else {
                    assertThat(n.get(column).asDouble()).as(column).isCloseTo(expected, within(1e-12));
                }
            }
            String[][] money = {{"expected_order_value", "expected_order_value_cents"}, {"clv_12m", "clv_12m_cents"},
                    {"clv_12m_low", "clv_low_cents"}, {"clv_12m_high", "clv_high_cents"}};
            for (String[] m : money) {
                BigDecimal expected = g.getAs(m[0]);
                assertThat(n.get(m[1]).isNull() ? null : n.get(m[1]).asLong()).as(m[1])
                        .isEqualTo(expected == null ? null : expected.movePointRight(2).longValueExact());
            }
            String risk = g.getAs("churn_risk");
            assertThat(n.get("churn_risk").isNull() ? null : n.get("churn_risk").asText()).isEqualTo(risk);
            java.sql.Date next = g.getAs("next_order_date");
            assertThat(n.get("next_order").isNull() ? null : n.get("next_order").asText())
                    .isEqualTo(next == null ? null : next.toLocalDate().toString());
        }
        // The segment cards' predicted value, computed once by the publisher, is what joining every customer's
        // prediction to its segment gives (what GET /api/segments computed per request before segment_overview).
        List<String> joined = scope.select(SqlTemplate.of("""
                SELECT segment, toString(count()) AS predicted, toString(sum(clv)) AS clv_sum
                FROM (SELECT customer_id, segment FROM customer_rfm WHERE shop_id = {shop} AND publish_id = {p})
                ANY INNER JOIN (
                    SELECT customer_id, assumeNotNull(clv_12m_cents) AS clv FROM customer_predictions
                    WHERE shop_id = {shop} AND publish_id = {p} AND prediction_status = 'PREDICTED'
                      AND isNotNull(clv_12m_cents)
                ) USING (customer_id)
                GROUP BY segment ORDER BY segment""").bind("p", publishId)).stream()
                .map(n -> n.get("segment").asText() + " " + n.get("predicted").asText() + " "
                        + n.get("clv_sum").asText()).toList();
        List<String> overview = scope.select(SqlTemplate.of("SELECT segment, toString(predicted_customers) AS"
                        + " predicted, toString(clv_12m_sum_cents) AS clv_sum FROM segment_overview"
                        + " WHERE shop_id = {shop} AND publish_id = {p} AND predicted_customers > 0 ORDER BY segment")
                .bind("p", publishId)).stream()
                .map(n -> n.get("segment").asText() + " " + n.get("predicted").asText() + " "
                        + n.get("clv_sum").asText()).toList();
        assertThat(joined).isNotEmpty();
        assertThat(overview).isEqualTo(joined);
        List<JsonNode> fits = scope.select(SqlTemplate.of("SELECT status, r, v, converged FROM shop_model_fits"
                + " WHERE shop_id = {shop} AND publish_id = {p}").bind("p", publishId));
        Row fit = fit(shop);
        assertThat(fits).hasSize(1);
        assertThat(fits.get(0).get("status").asText()).isEqualTo(fit.getAs("status"));
        assertThat(fits.get(0).get("r").asDouble()).isCloseTo(fit.getAs("r"), within(1e-12));
        assertThat(fits.get(0).get("v").asDouble()).isCloseTo(fit.getAs("v"), within(1e-9));
    }
}
