package com.ecomcrm.api.insights;

import com.ecomcrm.domain.ShopId;

/** The insights of the shop's current publication, by rank (blocking). */
public interface InsightReader {
    /**
     * The current publication's insights and that publication's id, in one query that picks the publication itself,
     * so the list and the id it reports always belong together.
     */
    PublishedInsights insights(ShopId shop);
}
