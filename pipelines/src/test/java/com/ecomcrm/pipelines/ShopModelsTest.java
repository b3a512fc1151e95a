package com.ecomcrm.pipelines;

import com.ecomcrm.models.BgNbd;
import com.ecomcrm.models.CustomerHistory;
import com.ecomcrm.models.GammaGamma;
import com.ecomcrm.models.HistoryGroup;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The grouped likelihoods against the models' public functions, and the pooling rule without Spark. */
class ShopModelsTest {
    private static final List<CustomerHistory> HISTORIES = List.of(
            new CustomerHistory("1", 0, 0, 10, 0), new CustomerHistory("2", 0, 0, 10, 0),
            new CustomerHistory("3", 2, 5, 20, 12.5), new CustomerHistory("4", 1, 30, 31, 40),
            new CustomerHistory("5", 7, 38, 39, 18.25), new CustomerHistory("6", 2, 5, 20, 12.5),
            new CustomerHistory("7", 0, 0, 0, 0));

    @Test
    void groupedLikelihoodsEqualTheModelsOwn() {
        ModelLikelihoods.BgGroups groups = ModelLikelihoods.BgGroups.of(BgNbd.groups(HISTORIES));
        double[] gradient = new double[4];
        double value = ModelLikelihoods.bgNbd(new double[] {0.4, 5.0, 0.7, 2.2}, groups, gradient);
        assertThat(value).isCloseTo(BgNbd.logLikelihood(0.4, 5.0, 0.7, 2.2, HISTORIES), within(1e-9));
        double[] expected = BgNbd.gradient(0.4, 5.0, 0.7, 2.2, HISTORIES);
        for (int i = 0; i < 4; i++) {
            assertThat(gradient[i]).isCloseTo(expected[i], within(1e-9));
        }

        ModelLikelihoods.SpendGroups spend = ShopModels.sortSpend(new int[] {2, 1, 7}, new double[] {12.5, 40, 18.25},
                new double[] {2, 1, 1}, 4);
        double[] gg = new double[3];
        double ggValue = ModelLikelihoods.gammaGamma(new double[] {6, 3.7, 15}, spend, gg);
        assertThat(ggValue).isCloseTo(GammaGamma.logLikelihood(6, 3.7, 15, HISTORIES), within(1e-9));
        double[] ggExpected = GammaGamma.gradient(6, 3.7, 15, HISTORIES);
        for (int i = 0; i < 3; i++) {
            assertThat(gg[i]).isCloseTo(ggExpected[i], within(1e-9));
        }
    }

    @Test
    void aTinyShopGetsAPosteriorModeNearThePriorWithThePriorsWidthOrLess() {
        List<HistoryGroup> groups = BgNbd.groups(HISTORIES);
        ModelLikelihoods.SpendGroups spend = ShopModels.sortSpend(new int[] {2, 1, 7}, new double[] {12.5, 40, 18.25},
                new double[] {2, 1, 1}, 4);
        ShopModels.ShopData tiny = new ShopModels.ShopData("tiny.myshopify.com", 7, 4, 273, 20.0, groups, spend);
        ShopModels.Prior prior = new ShopModels.Prior(ShopModels.FALLBACK_BG, ShopModels.FALLBACK_GG_UNIT, false,
                false);

        ShopModels.ShopFit fit = ShopModels.fit(tiny, prior);

        assertThat(fit.status()).isEqualTo(ShopModels.Status.BLENDED);
        assertThat(fit.converged()).isTrue();
        for (int i = 0; i < 4; i++) {
            // Within two prior sds of the centre, and the posterior no wider than the prior.
            assertThat(Math.abs(Math.log(fit.bg()[i] / prior.bg()[i]))).isLessThan(2 * ShopModels.PRIOR_SD);
            assertThat(fit.standardError(true, i)).isLessThanOrEqualTo(ShopModels.PRIOR_SD + 1e-9).isPositive();
        }
        // Gamma-Gamma's v is centred at the prior's v times the shop's spend scale.
        assertThat(Math.abs(Math.log(fit.gg()[2] / (prior.ggUnit()[2] * 20.0)))).isLessThan(2 * ShopModels.PRIOR_SD);
        // Same input, same output, bit for bit.
        ShopModels.ShopFit again = ShopModels.fit(tiny, prior);
        assertThat(again.bg()).containsExactly(fit.bg());
        assertThat(again.gg()).containsExactly(fit.gg());
    }

    @Test
    void aShopWithoutRepeatBuyersGetsThePriorsSpendModelOnItsOwnScale() {
        List<HistoryGroup> groups = List.of(new HistoryGroup(0, 0, 1, 3));
        ShopModels.ShopData shop = new ShopModels.ShopData("new.myshopify.com", 3, 0, 7, 50.0, groups,
                ModelLikelihoods.SpendGroups.empty());
        ShopModels.Prior prior = new ShopModels.Prior(ShopModels.FALLBACK_BG, ShopModels.FALLBACK_GG_UNIT, false,
                false);
        ShopModels.ShopFit fit = ShopModels.fit(shop, prior);
        assertThat(fit.status()).isEqualTo(ShopModels.Status.BLENDED);
        double[] g = new double[3];
        // Prior mean spend p v / (q - 1) = 1 spend scale: a new customer's expected order value is the shop's.
        assertThat(PredictionsJob.expectedValue(fit, 0, 0, g)).isCloseTo(50.0, within(1e-6));
        assertThat(fit.standardError(false, 2)).isCloseTo(ShopModels.PRIOR_SD, within(1e-4));
    }

    @Test
    void mergingShopsGroupsSumsEqualTriplesInAscendingOrderAsASortedMapWould() {
        java.util.Random random = new java.util.Random(7);
        List<ShopModels.ShopData> shops = new java.util.ArrayList<>();
        java.util.TreeMap<List<Double>, Long> expected = new java.util.TreeMap<>((p, q) -> {
            for (int i = 0; i < 3; i++) {
                int c = Double.compare(p.get(i), q.get(i));
                if (c != 0) {
                    return c;
                }
            }
            return 0;
        });
        for (int s = 0; s < 20; s++) {
            List<HistoryGroup> groups = new java.util.ArrayList<>();
            for (int g = 0; g < 300; g++) {
                int x = random.nextInt(6);
                HistoryGroup group = new HistoryGroup(x, x == 0 ? 0.0 : random.nextInt(40) / 7.0,
                        (40 + random.nextInt(20)) / 7.0, 1 + random.nextInt(5));
                groups.add(group);
                expected.merge(List.of((double) group.frequency(), group.recency(), group.age()), group.count(),
                        Long::sum);
            }
            shops.add(new ShopModels.ShopData("s" + s + ".myshopify.com", 300, 0, 60, 1.0, groups,
                    ModelLikelihoods.SpendGroups.empty()));
        }

        List<HistoryGroup> merged = ShopModels.mergedGroups(shops);

        assertThat(merged).extracting(g -> List.of((double) g.frequency(), g.recency(), g.age(), (double) g.count()))
                .containsExactlyElementsOf(expected.entrySet().stream().map(e -> List.of(e.getKey().get(0),
                        e.getKey().get(1), e.getKey().get(2), (double) e.getValue())).toList());
    }

    @Test
    void fittingShopsOnSeveralThreadsGivesEachShopTheFitItGetsAlone() {
        ModelLikelihoods.SpendGroups spend = ShopModels.sortSpend(new int[] {2, 1, 7}, new double[] {12.5, 40, 18.25},
                new double[] {2, 1, 1}, 4);
        ShopModels.Prior prior = new ShopModels.Prior(ShopModels.FALLBACK_BG, ShopModels.FALLBACK_GG_UNIT, false,
                false);
        List<ShopModels.ShopData> shops = new java.util.ArrayList<>();
        for (int s = 0; s < 12; s++) {
            shops.add(new ShopModels.ShopData("shop-" + s + ".myshopify.com", 7, 4, 273, 10.0 + s,
                    BgNbd.groups(HISTORIES), spend));
        }

        java.util.Map<String, ShopModels.ShopFit> fits = PredictionsJob.fitAll(shops, prior);

        assertThat(fits).hasSize(12);
        for (ShopModels.ShopData shop : shops) {
            ShopModels.ShopFit alone = ShopModels.fit(shop, prior);
            assertThat(fits.get(shop.shopId()).bg()).containsExactly(alone.bg());
            assertThat(fits.get(shop.shopId()).gg()).containsExactly(alone.gg());
            assertThat(fits.get(shop.shopId()).status()).isEqualTo(alone.status());
        }
    }
}
