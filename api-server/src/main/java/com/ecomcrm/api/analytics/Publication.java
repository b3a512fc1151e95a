package com.ecomcrm.api.analytics;

import java.time.LocalDate;

import static java.util.Objects.requireNonNull;

/** A shop's current publication: its id and the logical date of the nightly run that wrote it. */
public record Publication(long publishId, LocalDate asOfDate) {
    public Publication {
        requireNonNull(asOfDate, "asOfDate is null");
    }
}
