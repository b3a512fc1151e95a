package com.ecomcrm.api.customers;

import com.ecomcrm.domain.Segment;

import java.util.Optional;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * A validated customer-list request: filters, sort and page. Built only by {@link CustomerParameters}, so every value
 * here is one the reader may bind.
 *
 * @param segment     only customers in this segment
 * @param churnRisk   only customers with this churn band ({@code LOW}, {@code MEDIUM}, {@code HIGH})
 * @param clvMinCents only customers whose predicted 12-month CLV is at least this (customers without one excluded)
 * @param clvMaxCents only customers whose predicted 12-month CLV is at most this (customers without one excluded)
 * @param idPrefix    only customers whose numeric id starts with these digits (an exact id is its own prefix)
 * @param page        1-based
 * @param pageSize    1..{@value CustomerParameters#MAX_PAGE_SIZE}
 */
public record CustomerQuery(Optional<Segment> segment, Optional<String> churnRisk, OptionalLong clvMinCents,
                            OptionalLong clvMaxCents, Optional<String> idPrefix, CustomerSort sort, boolean descending,
                            int page, int pageSize) {
    public CustomerQuery {
        requireNonNull(segment, "segment is null");
        requireNonNull(churnRisk, "churnRisk is null");
        requireNonNull(clvMinCents, "clvMinCents is null");
        requireNonNull(clvMaxCents, "clvMaxCents is null");
        requireNonNull(idPrefix, "idPrefix is null");
        requireNonNull(sort, "sort is null");
        if (page < 1 || pageSize < 1) {
            throw new IllegalArgumentException("page and pageSize must be positive");
        }
    }

    /** Rows skipped before this page. */
    public long offset() {
        return (long) (page - 1) * pageSize;
    }
}
