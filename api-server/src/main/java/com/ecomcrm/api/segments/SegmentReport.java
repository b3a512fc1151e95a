package com.ecomcrm.api.segments;

import java.time.LocalDate;
import java.util.List;

import static java.util.Objects.requireNonNull;

/** A shop's segments as of one published run, every segment present (empty ones with zeros), in display order. */
public record SegmentReport(LocalDate asOfDate, long publishId, List<SegmentSummary> segments) {
    public SegmentReport {
        requireNonNull(asOfDate, "asOfDate is null");
        segments = List.copyOf(segments);
    }
}
