package com.ecomcrm.models;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;

/**
 * {@code count} customers sharing one (x, t_x, T) triple: the aggregated input of {@link BgNbdFit}. With time measured
 * in whole days the triples repeat a great deal, so a shop of a million customers is a few hundred thousand groups at
 * most; the Spark job can compute them with one {@code groupBy(x, t_x, T).count()} and hand them to the driver.
 */
public record HistoryGroup(int frequency, double recency, double age, long count) {
    public HistoryGroup {
        if (frequency < 0 || !Double.isFinite(age) || age < 0 || !Double.isFinite(recency) || recency < 0
                || recency > age || (frequency == 0 && recency != 0)) {
            throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot group histories: (x " + frequency
                    + ", t_x " + recency + ", T " + age + ") is not a valid triple");
        }
        if (count < 1) {
            throw new DomainException(ErrorCode.INVALID_INPUT,
                    "Cannot group histories: count " + count + " is below 1");
        }
    }
}
