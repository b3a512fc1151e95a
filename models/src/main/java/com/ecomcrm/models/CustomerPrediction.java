package com.ecomcrm.models;

import java.time.LocalDate;
import java.util.Objects;
import java.util.Optional;

/**
 * What the models say about one customer as of a day (see {@link CustomerLifetimeValue}): expected purchase days in
 * the next 30, 90 and 365 days, the probability of being alive, the expected value of a purchase, the predicted
 * 12-month value, the churn-risk band and the expected next-order date (empty when fewer than one purchase is expected
 * within {@link CustomerLifetimeValue#NEXT_ORDER_HORIZON_WEEKS} weeks).
 */
public record CustomerPrediction(String customerId, double expectedPurchases30Days, double expectedPurchases90Days,
                                 double expectedPurchases365Days, double probabilityAlive,
                                 double expectedAverageValue, double predictedValue12Months, ChurnRisk churnRisk,
                                 Optional<LocalDate> expectedNextOrder) {
    public CustomerPrediction {
        Objects.requireNonNull(customerId, "customerId is null");
        Objects.requireNonNull(churnRisk, "churnRisk is null");
        Objects.requireNonNull(expectedNextOrder, "expectedNextOrder is null");
    }
}
