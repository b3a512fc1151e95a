package com.ecomcrm.testing.shopify;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A simulated order. {@code totalPrice} is exactly the sum of the lines; {@code totalRefunded} is exactly the sum of
 * its {@code refunds} (none, one partial refund, or one refund of everything). {@code financialStatus} is the GraphQL
 * enum name ({@code PAID}, {@code PARTIALLY_REFUNDED}, {@code REFUNDED}, {@code VOIDED}); {@code cancelledAt} is null
 * unless the order was cancelled.
 */
public record SimulatedOrder(long id, String gid, String name, long customerId, Instant createdAt,
                             Instant processedAt, Instant updatedAt, Instant cancelledAt, String financialStatus,
                             String currency, List<SimulatedLine> lines, BigDecimal totalPrice,
                             BigDecimal totalRefunded, List<SimulatedRefund> refunds, boolean test) {
    public SimulatedOrder {
        requireNonNull(gid, "gid is null");
        requireNonNull(name, "name is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(processedAt, "processedAt is null");
        requireNonNull(updatedAt, "updatedAt is null");
        requireNonNull(financialStatus, "financialStatus is null");
        requireNonNull(currency, "currency is null");
        requireNonNull(totalPrice, "totalPrice is null");
        requireNonNull(totalRefunded, "totalRefunded is null");
        lines = List.copyOf(lines);
        refunds = List.copyOf(refunds);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("Cannot make order " + name + ": it has no lines");
        }
        BigDecimal sum = lines.stream().map(SimulatedLine::lineTotal).reduce(BigDecimal.ZERO, BigDecimal::add);
        if (sum.compareTo(totalPrice) != 0) {
            throw new IllegalArgumentException("Cannot make order " + name + ": lines sum to " + sum + ", not "
                    + totalPrice);
        }
        BigDecimal refunded = BigDecimal.ZERO;
        for (SimulatedRefund refund : refunds) {
            if (refund.orderId() != id) {
                throw new IllegalArgumentException("Cannot make order " + name + ": refund " + refund.id()
                        + " belongs to order " + refund.orderId());
            }
            refunded = refunded.add(refund.amount());
        }
        if (refunded.compareTo(totalRefunded) != 0) {
            throw new IllegalArgumentException("Cannot make order " + name + ": refunds sum to " + refunded + ", not "
                    + totalRefunded);
        }
    }

    /** Units of line item {@code lineItemId} refunded so far. */
    public int refundedQuantity(long lineItemId) {
        return refunds.stream().flatMap(r -> r.lines().stream()).filter(l -> l.lineItemId() == lineItemId)
                .mapToInt(SimulatedRefund.Line::quantity).sum();
    }

    public String customerGid() {
        return "gid://shopify/Customer/" + customerId;
    }

    public Optional<Instant> cancelled() {
        return Optional.ofNullable(cancelledAt);
    }

    public boolean isCancelled() {
        return cancelledAt != null;
    }

    /** The number in the name: {@code 1001} for {@code #1001}. */
    public long orderNumber() {
        return Long.parseLong(name.substring(1));
    }
}
