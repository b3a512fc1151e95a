package com.ecomcrm.api.insights;

import java.util.List;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * The insights of one publication, read in one query that picked the shop's current publication itself.
 *
 * @param publishId the publication read; empty before the shop's first nightly run
 * @param insights  its insights by rank (none on a quiet night)
 */
record PublishedInsights(OptionalLong publishId, List<PublishedInsight> insights) {
    PublishedInsights {
        requireNonNull(publishId, "publishId is null");
        insights = List.copyOf(insights);
    }
}
