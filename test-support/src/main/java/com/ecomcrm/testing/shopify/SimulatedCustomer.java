package com.ecomcrm.testing.shopify;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * A simulated customer. {@code state} and {@code marketingState} are GraphQL enum names ({@code ENABLED},
 * {@code SUBSCRIBED}, ...); {@code marketingOptInLevel} ({@code SINGLE_OPT_IN}, {@code CONFIRMED_OPT_IN}) and
 * {@code consentUpdatedAt} may be null, as in Shopify.
 */
public record SimulatedCustomer(long id, String gid, String email, String firstName, String lastName, String state,
                                Instant createdAt, Instant updatedAt, String marketingState,
                                String marketingOptInLevel, Instant consentUpdatedAt) {
    public SimulatedCustomer {
        requireNonNull(gid, "gid is null");
        requireNonNull(email, "email is null");
        requireNonNull(firstName, "firstName is null");
        requireNonNull(lastName, "lastName is null");
        requireNonNull(state, "state is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(updatedAt, "updatedAt is null");
        requireNonNull(marketingState, "marketingState is null");
        if (updatedAt.isBefore(createdAt)) {
            throw new IllegalArgumentException("Cannot make customer " + id + ": updated before created");
        }
    }
}
