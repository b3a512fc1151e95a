package com.ecomcrm.models;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class CustomerLifetimeValueTest {
    private static final BgNbdParameters BG = BgNbdParameters.of(0.243, 4.414, 0.793, 2.426);
    private static final GammaGammaParameters GG = GammaGammaParameters.of(6.25, 3.74, 15.44);
    private static final LocalDate AS_OF = LocalDate.of(1997, 9, 30);
    private static final CustomerHistory LOYAL = new CustomerHistory("loyal", 12, 38, 38.86, 25);

    @Test
    void twelveMonthValueIsExpectedPurchasesInFiftyTwoWeeksTimesExpectedSpend() {
        CustomerPrediction prediction = CustomerLifetimeValue.predict(BG, GG, LOYAL, AS_OF);
        double expected = BgNbd.expectedPurchases(BG, LOYAL, 52) * GammaGamma.expectedAverageValue(GG, 12, 25);
        assertThat(prediction.predictedValue12Months()).isCloseTo(expected, within(1e-9));
        assertThat(prediction.expectedPurchases30Days()).isLessThan(prediction.expectedPurchases90Days());
        assertThat(prediction.expectedPurchases90Days()).isLessThan(prediction.expectedPurchases365Days());
        assertThat(prediction.customerId()).isEqualTo("loyal");
    }

    @Test
    void discountingLowersTheValueAndZeroRateChangesNothing() {
        double value = GammaGamma.expectedAverageValue(GG, LOYAL);
        double undiscounted = CustomerLifetimeValue.predictedValue(BG, LOYAL, value, 0);
        double tinyRate = CustomerLifetimeValue.predictedValue(BG, LOYAL, value, 1e-12);
        double tenPercent = CustomerLifetimeValue.predictedValue(BG, LOYAL, value, 0.10);
        assertThat(tinyRate).isCloseTo(undiscounted, within(1e-6));
        assertThat(tenPercent).isLessThan(undiscounted).isGreaterThan(undiscounted / 1.10);
    }

    @Test
    void churnRiskBandsFollowTheWrittenThresholds() {
        assertThat(ChurnRisk.of(1.0)).isEqualTo(ChurnRisk.LOW);
        assertThat(ChurnRisk.of(0.7)).isEqualTo(ChurnRisk.LOW);
        assertThat(ChurnRisk.of(0.6999)).isEqualTo(ChurnRisk.MEDIUM);
        assertThat(ChurnRisk.of(0.3)).isEqualTo(ChurnRisk.MEDIUM);
        assertThat(ChurnRisk.of(0.2999)).isEqualTo(ChurnRisk.HIGH);
        CustomerHistory lapsed = new CustomerHistory("lapsed", 6, 4, 38.86, 20);
        assertThat(CustomerLifetimeValue.predict(BG, GG, lapsed, AS_OF).churnRisk()).isEqualTo(ChurnRisk.HIGH);
        assertThat(CustomerLifetimeValue.predict(BG, GG, LOYAL, AS_OF).churnRisk()).isEqualTo(ChurnRisk.LOW);
    }

    @Test
    void nextOrderDateIsWhenOnePurchaseIsExpected() {
        LocalDate next = CustomerLifetimeValue.predict(BG, GG, LOYAL, AS_OF).expectedNextOrder().orElseThrow();
        double weeks = CalibrationSummary.weeksBetween(AS_OF, next);
        assertThat(BgNbd.expectedPurchases(BG, LOYAL, weeks)).isCloseTo(1.0, within(0.05));
        assertThat(next).isAfter(AS_OF);
        assertThat(CustomerLifetimeValue.predict(BG, GG, LOYAL, AS_OF).expectedNextOrder()).contains(next);
    }

    @Test
    void oneTimeBuyerHasNoExpectedNextOrderWithinFiveYears() {
        CustomerHistory once = new CustomerHistory("once", 0, 0, 38.86, 0);
        CustomerPrediction prediction = CustomerLifetimeValue.predict(BG, GG, once, AS_OF);
        assertThat(prediction.expectedNextOrder()).isEmpty();
        assertThat(prediction.probabilityAlive()).isEqualTo(1.0);
        assertThat(prediction.expectedAverageValue()).isCloseTo(6.25 * 15.44 / 2.74, within(1e-9));
    }
}
