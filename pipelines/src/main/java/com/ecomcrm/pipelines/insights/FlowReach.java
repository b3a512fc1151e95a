package com.ecomcrm.pipelines.insights;

import java.util.List;
import java.util.Map;

/**
 * How many customers a flow would reach now if it were on, by its kind: the segments it is written for, or the
 * recent checkouts and orders that trigger it. An estimate for ranking a finding, not the send count.
 */
public final class FlowReach {
    private static final Map<String, List<String>> SEGMENTS = Map.of(
            "welcome", List.of("PROSPECTS", "NEW"),
            "win_back", List.of("AT_RISK", "ALMOST_LOST", "PREVIOUSLY_LOYAL"),
            "vip", List.of("CHAMPIONS", "LOYAL"));

    private FlowReach() {
    }

    /**
     * @param customersPerSegment customers per segment key on the night
     * @param abandonedCheckouts  checkouts of the last 30 days never completed
     * @param recentOrders        counted orders of the last 30 days
     */
    public static long of(String kind, Map<String, Long> customersPerSegment, long abandonedCheckouts,
                          long recentOrders) {
        return switch (kind) {
            case "abandoned_checkout" -> abandonedCheckouts;
            case "post_purchase_thank_you", "review_request" -> recentOrders;
            default -> SEGMENTS.getOrDefault(kind, List.of()).stream()
                    .mapToLong(segment -> customersPerSegment.getOrDefault(segment, 0L)).sum();
        };
    }
}
