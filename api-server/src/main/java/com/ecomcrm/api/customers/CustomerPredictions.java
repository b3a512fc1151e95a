package com.ecomcrm.api.customers;

import java.time.LocalDate;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A customer's BG/NBD + Gamma-Gamma predictions as published (docs/warehouse-contract.md). Money in cents.
 * {@code clvLowCents}/{@code clvHighCents}: the 95% interval of the expected value from parameter uncertainty.
 *
 * @param nextOrderDate empty when the next order is not expected within 5 years
 */
public record CustomerPredictions(double expectedOrders30d, double expectedOrders90d, double expectedOrders365d,
                                  double probabilityAlive, long expectedOrderValueCents, long clv12mCents,
                                  long clvLowCents, long clvHighCents, String churnRisk,
                                  Optional<LocalDate> nextOrderDate) {
    public CustomerPredictions {
        requireNonNull(churnRisk, "churnRisk is null");
        requireNonNull(nextOrderDate, "nextOrderDate is null");
    }
}
