package com.ecomcrm.pipelines.email;

import java.math.BigDecimal;
import java.time.Instant;

import static java.util.Objects.requireNonNull;

/** A counted order of a customer (pipelines QualifyingOrders), with what was refunded of it. */
public record AttributableOrder(long orderId, long customerId, Instant orderedAt, BigDecimal total,
                                BigDecimal refunded) {
    public AttributableOrder {
        requireNonNull(orderedAt, "orderedAt is null");
        requireNonNull(total, "total is null");
        requireNonNull(refunded, "refunded is null");
    }

    /** What the shop kept: the total minus refunds. */
    public BigDecimal net() {
        return total.subtract(refunded);
    }
}
