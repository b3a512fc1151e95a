package com.ecomcrm.api.analytics;

import java.time.LocalDate;

import static java.util.Objects.requireNonNull;

/** One published RFM snapshot of a shop: its date and the publication whose rows of customer_segment_history hold it. */
public record HistorySlice(LocalDate date, long publishId) {
    public HistorySlice {
        requireNonNull(date, "date is null");
    }
}
