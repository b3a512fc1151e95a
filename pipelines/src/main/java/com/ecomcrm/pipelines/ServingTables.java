package com.ecomcrm.pipelines;

import java.util.List;

/**
 * The ClickHouse tables keyed by publication that the nightly publish writes, by how a shop's older publications go
 * away: one list for {@link PublishJob} (which deletes what the switch superseded) and the ClickHouse housekeeping
 * (which deletes what a failed or interrupted publish left), so a table added to one is cleaned by both. A test
 * compares them with every table of the schema that has a {@code publish_id} column.
 */
public final class ServingTables {
    /** One publication per shop, read only at the shop's current id: everything older is superseded. */
    public static final List<String> CURRENT_ONLY = List.of("customer_rfm", "segment_summary", "segment_overview",
            "segment_transitions", "shop_daily_kpis", "customer_predictions", "shop_model_fits", "email_performance",
            "shop_insights", "customer_orders", "shop_publications");
    /**
     * History readers use, one publication per shop and date: a re-published date's older slice is removed by the
     * publish, nothing else. customer_segment_timeline is filled from customer_segment_history by its view (V8).
     */
    public static final List<String> HISTORY = List.of("customer_segment_history", "segment_history_dates",
            "customer_segment_timeline");

    private ServingTables() {
    }
}
