package com.ecomcrm.api.customers;

import java.time.LocalDate;

import static java.util.Objects.requireNonNull;

/** A customer's segment and net spend in one published daily snapshot ({@code customer_segment_history}). */
public record RfmHistoryPoint(LocalDate date, String segment, long monetaryCents) {
    public RfmHistoryPoint {
        requireNonNull(date, "date is null");
        requireNonNull(segment, "segment is null");
    }
}
