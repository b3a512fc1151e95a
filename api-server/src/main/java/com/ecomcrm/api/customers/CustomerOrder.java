package com.ecomcrm.api.customers;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One order on a customer's timeline, as published from silver.orders: money in integer cents of the shop's currency,
 * {@code netCents} what the shop kept after refunds. A cancelled order stays on the timeline, marked as such.
 */
public record CustomerOrder(long orderId, String name, Instant processedAt, Optional<String> financialStatus,
                            long totalCents, long refundedCents, long netCents, int lineCount, boolean cancelled) {
    public CustomerOrder {
        requireNonNull(name, "name is null");
        requireNonNull(processedAt, "processedAt is null");
        requireNonNull(financialStatus, "financialStatus is null");
    }
}
