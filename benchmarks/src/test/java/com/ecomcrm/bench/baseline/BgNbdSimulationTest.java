package com.ecomcrm.bench.baseline;

import com.ecomcrm.models.BgNbd;
import com.ecomcrm.models.BgNbdParameters;
import com.ecomcrm.models.CustomerHistory;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

class BgNbdSimulationTest {
    private static final BgNbdParameters CDNOW = BgNbdSimulation.CDNOW;

    @Test
    void meanRepeatPurchasesMatchTheModelsExpectation() {
        // Everyone observed for exactly 39 weeks, so E[X(39)] (the paper's eq. 9) applies to every customer.
        List<CustomerHistory> customers = new BgNbdSimulation(CDNOW, 1, 273).customers(200_000, 1L);
        double mean = customers.stream().mapToInt(CustomerHistory::frequency).average().orElseThrow();
        assertThat(mean).isCloseTo(BgNbd.expectedPurchasesNewCustomer(CDNOW, 39), withinPercentage(2));
    }

    @Test
    void shareWithoutRepeatPurchasesMatchesTheModel() {
        // P(X(t) = 0) = (alpha / (alpha + t))^r: no purchase in t weeks, dropout or not.
        List<CustomerHistory> customers = new BgNbdSimulation(CDNOW, 1, 273).customers(200_000, 2L);
        double share = customers.stream().filter(c -> c.frequency() == 0).count() / 200_000.0;
        assertThat(share).isCloseTo(Math.pow(CDNOW.alpha() / (CDNOW.alpha() + 39), CDNOW.r()), withinPercentage(1));
    }

    @Test
    void timesAreWholeDaysWithinTheCdnowCalendar() {
        List<CustomerHistory> customers = BgNbdSimulation.cdnowLike().customers(20_000, 3L);
        assertThat(customers).allSatisfy(c -> {
            assertThat(c.age() * 7).isCloseTo(Math.rint(c.age() * 7), withinPercentage(0.0001));
            assertThat(c.recency() * 7).isCloseTo(Math.rint(c.recency() * 7), withinPercentage(0.0001));
            assertThat(c.age()).isBetween((273 - 83) / 7.0, 273 / 7.0);
            assertThat(c.recency()).isLessThanOrEqualTo(c.age());
        });
    }

    @Test
    void theSameSeedGivesTheSameCustomers() {
        BgNbdSimulation simulation = BgNbdSimulation.cdnowLike();
        assertThat(simulation.customers(1_000, 9L)).isEqualTo(simulation.customers(1_000, 9L));
        assertThat(simulation.customers(1_000, 9L)).isNotEqualTo(simulation.customers(1_000, 10L));
    }
}
