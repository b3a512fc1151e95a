package com.ecomcrm.api.analytics;

import com.ecomcrm.domain.ShopId;

import java.util.List;

/** Reads a shop's published segment history. Blocking. */
public interface MovementReader {
    /**
     * The shop's published snapshots, oldest first; only those of its current publication or earlier ones, with the
     * id of that publication (picked inside the query). A slice is a (date, publish_id) pair whose rows never change,
     * so a movement read from these slices afterwards is of this publication even if a new one is switched in between.
     */
    PublishedSnapshots snapshots(ShopId shop);

    /** The movement between two of the shop's snapshots (as returned by {@link #snapshots}), sorted by from, to. */
    SegmentMovement movement(ShopId shop, HistorySlice from, HistorySlice to);
}
