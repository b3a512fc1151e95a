package com.ecomcrm.bench.baseline;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.models.CustomerHistory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PurchaseHistoriesTest {
    private static final ShopId SHOP = ShopId.of("histories.myshopify.com");
    private static final LocalDate AS_OF = LocalDate.of(2025, 12, 31);

    @Test
    void summarisesPurchaseDaysAsThePredictionsStageDoes() {
        List<CustomerHistory> histories = PurchaseHistories.of(List.of(
                paid(1, "2025-12-03T08:00:00Z"),
                paid(1, "2025-12-03T20:00:00Z"), // same UTC day: one purchase day
                paid(1, "2025-12-17T10:00:00Z"),
                paid(1, "2025-12-24T23:59:59Z"),
                new BaselineOrder(SHOP, 1, 9, Instant.parse("2025-12-30T10:00:00Z"), BigDecimal.TEN,
                        BigDecimal.TEN, false, null), // fully refunded: does not count
                paid(1, "2026-01-01T00:00:00Z"), // after the as-of day
                paid(2, "2025-12-31T12:00:00Z")), AS_OF);

        assertThat(histories).containsExactly(
                new CustomerHistory(SHOP.domain() + "/1", 2, 21 / 7.0, 28 / 7.0, 0),
                new CustomerHistory(SHOP.domain() + "/2", 0, 0, 0, 0));
    }

    @Test
    void lifetimesOutputIsReadBackWithItsTimings() throws IOException {
        LifetimesFit.Result result = LifetimesFit.parse("{\"customers\": 3, \"r\": 0.24, \"alpha\": 4.4, \"a\": 0.79,"
                + " \"b\": 2.4, \"log_likelihood\": -12.5, \"read_seconds\": 0.01, \"fit_seconds\": 0.5,"
                + " \"fit_cpu_seconds\": 0.45}", 1.5);
        assertThat(result).isEqualTo(new LifetimesFit.Result(3, 0.24, 4.4, 0.79, 2.4, -12.5, 0.5, 0.45, 0.01, 1.5));
    }

    private static BaselineOrder paid(long customer, String processedAt) {
        return new BaselineOrder(SHOP, customer, processedAt.hashCode(), Instant.parse(processedAt), BigDecimal.TEN,
                BigDecimal.ZERO, false, null);
    }
}
