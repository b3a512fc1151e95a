package com.ecomcrm.api.analytics;

import java.math.BigDecimal;

import static java.util.Objects.requireNonNull;

/**
 * Customers who were in {@code fromSegment} on the from-date and in {@code toSegment} on the to-date, and their
 * monetary value on the to-date. Segment keys are {@code Segment.key()} values or {@link #NONE} (not a customer yet
 * on the from-date / no longer one on the to-date).
 */
public record SegmentMove(String fromSegment, String toSegment, long customers, BigDecimal revenue) {
    public static final String NONE = "NONE";

    public SegmentMove {
        requireNonNull(fromSegment, "fromSegment is null");
        requireNonNull(toSegment, "toSegment is null");
        requireNonNull(revenue, "revenue is null");
    }
}
