package com.ecomcrm.api.analytics;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The movement between two published snapshots.
 *
 * @param precomputed true when read from the nightly {@code segment_transitions} of the current publication, false
 *                    when computed from {@code customer_segment_history} (any two published dates)
 */
public record SegmentMovement(HistorySlice from, HistorySlice to, List<SegmentMove> moves, boolean precomputed) {
    public SegmentMovement {
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
        moves = List.copyOf(moves);
    }
}
