package com.ecomcrm.api.customers;

import java.util.List;
import java.util.OptionalLong;

/**
 * A read of a customer's orders from the shop's current publication, which the query picked itself: a count or a
 * page.
 *
 * @param publication the publication the rows came from; empty when there was no row to tell
 */
public record CurrentOrders(OptionalLong publication, long count, List<CustomerOrder> page) {
    public CurrentOrders {
        java.util.Objects.requireNonNull(publication, "publication is null");
        page = List.copyOf(page);
    }

    /** Whether the read came from {@code publishId} (or cannot tell: no row). */
    public boolean readFrom(long publishId) {
        return publication.isEmpty() || publication.getAsLong() == publishId;
    }
}
