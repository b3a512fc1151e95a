package com.ecomcrm.pipelines.email;

import java.math.BigDecimal;

import static java.util.Objects.requireNonNull;

/** An order credited to one send, through a click or an open, for its net revenue (refunds deducted). */
public record Attribution(long orderId, long sendId, Touch.Kind through, BigDecimal revenue) {
    public Attribution {
        requireNonNull(through, "through is null");
        requireNonNull(revenue, "revenue is null");
    }
}
