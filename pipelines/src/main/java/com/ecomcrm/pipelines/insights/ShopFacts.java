package com.ecomcrm.pipelines.insights;

import java.time.LocalDate;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * What the insight rules look at for one shop on one night: aggregates only (counts, sums, rates), never a customer.
 *
 * @param segmentHistory customers per segment key, per snapshot date up to {@code asOfDate}
 * @param segmentValue   customers and predicted 12-month CLV (cents) per segment key on {@code asOfDate}
 * @param slipping       valuable customers whose probability alive dropped since the previous predictions, if any
 * @param flows          click figures of each flow that sent email: the last 7 days against the 28 before
 * @param templates      results of each template over the last 30 days
 * @param flowsOff       flows switched off, with how many customers they would reach now
 */
public record ShopFacts(String shop, LocalDate asOfDate, SortedMap<LocalDate, Map<String, Long>> segmentHistory,
                        Map<String, SegmentValue> segmentValue, Optional<Slipping> slipping, List<FlowClicks> flows,
                        List<TemplateResults> templates, List<FlowAudience> flowsOff) {
    public ShopFacts {
        requireNonNull(shop, "shop is null");
        requireNonNull(asOfDate, "asOfDate is null");
        segmentHistory = Collections.unmodifiableSortedMap(new TreeMap<>(segmentHistory));
        segmentValue = Map.copyOf(segmentValue);
        requireNonNull(slipping, "slipping is null");
        flows = List.copyOf(flows);
        templates = List.copyOf(templates);
        flowsOff = List.copyOf(flowsOff);
    }

    public record SegmentValue(long customers, long clvCents) {
    }

    /** @param averageDrop mean fall of probability alive (0..1) of those customers */
    public record Slipping(LocalDate since, long customers, long clvCents, double averageDrop) {
    }

    public record FlowClicks(long flowId, String kind, long recentDelivered, long recentClicks,
                             long baselineDelivered, long baselineClicks) {
        double recentRate() {
            return recentDelivered == 0 ? 0 : (double) recentClicks / recentDelivered;
        }

        double baselineRate() {
            return baselineDelivered == 0 ? 0 : (double) baselineClicks / baselineDelivered;
        }
    }

    public record TemplateResults(long templateId, String name, long delivered, long clicks, long orders,
                                  long revenueCents) {
        double clickRate() {
            return delivered == 0 ? 0 : (double) clicks / delivered;
        }
    }

    public record FlowAudience(long flowId, String kind, long reach) {
    }
}
