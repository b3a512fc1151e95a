package com.ecomcrm.api.customers;

import java.util.Optional;
import java.util.OptionalInt;

import static java.util.Objects.requireNonNull;

/**
 * One customer of a shop's current publication: RFM from {@code customer_rfm}, predictions from
 * {@code customer_predictions}.
 *
 * @param recencyDays      days since the last counted order; empty for prospects (no counted order)
 * @param predictionStatus {@code PREDICTED}, {@code NO_ORDERS}, {@code MODEL_ERROR}; empty when the publication has
 *                         no prediction row for the customer (the predictions stage did not run for the date)
 * @param predictions      present only when the status is {@code PREDICTED}
 */
public record CustomerRow(long customerId, String segment, OptionalInt recencyDays, long frequency,
                          long monetaryCents, int rScore, int fScore, int mScore, Optional<String> predictionStatus,
                          Optional<CustomerPredictions> predictions) {
    public CustomerRow {
        requireNonNull(segment, "segment is null");
        requireNonNull(recencyDays, "recencyDays is null");
        requireNonNull(predictionStatus, "predictionStatus is null");
        requireNonNull(predictions, "predictions is null");
    }
}
