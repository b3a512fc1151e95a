package com.ecomcrm.api.customers;

import java.util.List;
import java.util.OptionalLong;

/**
 * A customer's RFM history read up to the shop's current publication, which the query picked itself.
 *
 * @param upToPublication the publication it was read up to; empty when the customer has no snapshot at all
 */
public record CurrentHistory(OptionalLong upToPublication, List<RfmHistoryPoint> points) {
    public CurrentHistory {
        java.util.Objects.requireNonNull(upToPublication, "upToPublication is null");
        points = List.copyOf(points);
    }

    /** Whether it was read up to {@code publishId} (or cannot tell: no snapshot). */
    public boolean readUpTo(long publishId) {
        return upToPublication.isEmpty() || upToPublication.getAsLong() == publishId;
    }
}
