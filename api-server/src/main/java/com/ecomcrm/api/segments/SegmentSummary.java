package com.ecomcrm.api.segments;

import com.ecomcrm.domain.Segment;

import java.math.BigDecimal;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One segment of one shop as of the last published run: how many customers are in it, what they spent, and the
 * average predicted 12-month value of those of them with a prediction (empty when none has one).
 */
public record SegmentSummary(Segment segment, long customers, BigDecimal revenue, long predictedCustomers,
                             Optional<BigDecimal> averageClv) {
    public SegmentSummary {
        requireNonNull(segment, "segment is null");
        requireNonNull(revenue, "revenue is null");
        requireNonNull(averageClv, "averageClv is null");
    }

    /** A segment without predictions (none computed, or none of its customers has one). */
    public SegmentSummary(Segment segment, long customers, BigDecimal revenue) {
        this(segment, customers, revenue, 0, Optional.empty());
    }
}
