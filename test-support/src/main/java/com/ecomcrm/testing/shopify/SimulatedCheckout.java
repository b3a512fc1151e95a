package com.ecomcrm.testing.shopify;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A simulated checkout. Abandoned ones have no {@code completedAt} and no order; recovered ones were left for a while
 * and then completed when {@code orderId} was placed ({@code completedAt} = the order's creation). {@code token} is the
 * checkout token of the REST payloads and of the recovery URL; {@code id} is the number in the
 * {@code gid://shopify/AbandonedCheckout/...} of the GraphQL Admin API.
 */
public record SimulatedCheckout(long id, String token, long customerId, String email, Instant createdAt,
                                Instant updatedAt, Instant completedAt, Long orderId, String currency,
                                List<SimulatedLine> lines, BigDecimal totalPrice) {
    public SimulatedCheckout {
        requireNonNull(token, "token is null");
        requireNonNull(email, "email is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(updatedAt, "updatedAt is null");
        requireNonNull(currency, "currency is null");
        requireNonNull(totalPrice, "totalPrice is null");
        lines = List.copyOf(lines);
        if ((completedAt == null) != (orderId == null)) {
            throw new IllegalArgumentException("Cannot make checkout " + token + ": completed without an order or the "
                    + "other way round");
        }
    }

    public String gid() {
        return "gid://shopify/AbandonedCheckout/" + id;
    }

    public String customerGid() {
        return "gid://shopify/Customer/" + customerId;
    }

    public boolean isAbandoned() {
        return completedAt == null;
    }

    public Optional<Instant> completed() {
        return Optional.ofNullable(completedAt);
    }

    /** Where the buyer resumes the checkout, shaped as Shopify's {@code abandoned_checkout_url}. */
    public String recoveryUrl(String shopDomain) {
        return "https://" + shopDomain + "/checkouts/" + token + "/recover?key=" + Long.toHexString(id * 2654435761L);
    }
}
