package com.ecomcrm.api.segments;

import com.ecomcrm.domain.Segment;

import java.math.BigDecimal;

import static java.util.Objects.requireNonNull;

/** One segment of one shop as of the last published run: how many customers are in it and what they spent. */
public record SegmentSummary(Segment segment, long customers, BigDecimal revenue) {
    public SegmentSummary {
        requireNonNull(segment, "segment is null");
        requireNonNull(revenue, "revenue is null");
    }
}
