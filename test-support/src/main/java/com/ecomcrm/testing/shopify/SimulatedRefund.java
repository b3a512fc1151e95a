package com.ecomcrm.testing.shopify;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * One refund of a simulated order: which units of which lines went back, when, and for how much. The money refunded
 * is exactly the sum of the refunded lines' subtotals (no tax, shipping or order adjustments in the simulation), paid
 * back by one successful {@code refund} transaction. The same refund reaches the app three ways, with the same ids:
 * inline in the bulk orders file ({@code Order.refunds}), in {@code refunds/create}, and in the {@code refunds} of
 * {@code orders/updated}.
 */
public record SimulatedRefund(long id, String gid, long orderId, Instant createdAt, List<Line> lines) {
    /** A refunded line item: {@code quantity} units of {@code lineItemId}, worth {@code subtotal}. */
    public record Line(long id, long lineItemId, int quantity, BigDecimal subtotal) {
        public Line {
            requireNonNull(subtotal, "subtotal is null");
            if (quantity < 1) {
                throw new IllegalArgumentException("Cannot refund a line: quantity " + quantity + " is not positive");
            }
            if (subtotal.scale() != 2 || subtotal.signum() <= 0) {
                throw new IllegalArgumentException("Cannot refund a line: subtotal " + subtotal
                        + " is not a positive amount in cents");
            }
        }

        public String gid() {
            return "gid://shopify/RefundLineItem/" + id;
        }
    }

    public SimulatedRefund {
        requireNonNull(gid, "gid is null");
        requireNonNull(createdAt, "createdAt is null");
        lines = List.copyOf(lines);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("Cannot make refund " + id + ": it refunds no line");
        }
    }

    /** What the customer got back: the sum of the refunded lines' subtotals, two decimals. */
    public BigDecimal amount() {
        return lines.stream().map(Line::subtotal).reduce(BigDecimal.ZERO.setScale(2), BigDecimal::add);
    }
}
