package com.ecomcrm.api.insights;

import com.ecomcrm.domain.ShopId;

import java.util.List;

/** The insights of the shop's current publication, by rank (blocking). */
public interface InsightReader {
    List<PublishedInsight> insights(ShopId shop);
}
