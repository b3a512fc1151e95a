package com.ecomcrm.api.customers;

import com.ecomcrm.api.analytics.Publication;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What one query read from the shop's current publication, which it picked itself ({@code publish_id = (SELECT
 * max(publish_id) FROM shop_publications ...)}) instead of being given it by an earlier round trip.
 *
 * @param publication the publication the rows came from; empty when the query found no row to tell (no match, or
 *                    nothing published yet): the caller asks {@link CustomerReader#publication} then, if it must know
 */
public record CurrentRead<T>(Optional<Publication> publication, T value) {
    public CurrentRead {
        requireNonNull(publication, "publication is null");
        requireNonNull(value, "value is null");
    }

    /** Whether both reads came from one publication as far as they can tell (a read without rows agrees with any). */
    public boolean agreesWith(CurrentRead<?> other) {
        return publication.isEmpty() || other.publication.isEmpty() || publication.equals(other.publication);
    }

    /** The publication of whichever read has one. */
    public Optional<Publication> publicationOr(CurrentRead<?> other) {
        return publication.isPresent() ? publication : other.publication;
    }
}
