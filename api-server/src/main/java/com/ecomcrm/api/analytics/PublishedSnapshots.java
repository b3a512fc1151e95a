package com.ecomcrm.api.analytics;

import java.util.List;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * A shop's published segment snapshots, as listed by its current publication, which the listing query picked itself.
 *
 * @param publishId the current publication the list was read under; empty when the shop has no snapshot yet
 * @param slices    the snapshots, oldest first
 */
public record PublishedSnapshots(OptionalLong publishId, List<HistorySlice> slices) {
    public PublishedSnapshots {
        requireNonNull(publishId, "publishId is null");
        slices = List.copyOf(slices);
    }
}
