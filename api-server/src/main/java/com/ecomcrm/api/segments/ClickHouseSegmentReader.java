package com.ecomcrm.api.segments;

import com.ecomcrm.api.serving.ServingClickHouse;
import com.ecomcrm.api.serving.ServingScope;
import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.Segment;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Reads the segments of a shop's current publication from ClickHouse, in one round trip: the publisher wrote each
 * segment's card (customers, revenue, customers with a prediction and the sum of their predicted 12-month CLV) to
 * {@code segment_overview}, and the query picks the current publication itself ({@code publish_id = (SELECT
 * max(publish_id) FROM shop_publications ...)}), so a publish in progress (rows written, publication row not yet) is
 * never seen and all rows come from one publication.
 *
 * <p>A publication without overview rows (published before ClickHouse V7, or with no customers at all, or none yet)
 * is read the way it was before: the summary rows, then the predictions joined to the customers per request. That
 * path goes once every shop has been published again after V7.
 */
public final class ClickHouseSegmentReader implements SegmentReader {
    /** The segment cards of the current publication, as the publisher computed them. */
    private static final SqlTemplate CURRENT_OVERVIEW = SqlTemplate.of("""
            SELECT segment, toString(customers) AS customer_count, toString(revenue_cents) AS revenue,
                   toString(predicted_customers) AS predicted, toString(clv_12m_sum_cents) AS clv_sum,
                   toString(publish_id) AS publication, toString(as_of_date) AS as_of
            FROM segment_overview
            WHERE shop_id = {shop}
              AND publish_id = (SELECT max(publish_id) FROM shop_publications WHERE shop_id = {shop})""");
    private static final SqlTemplate PUBLICATION = new SqlTemplate(
            "SELECT toString(publish_id) AS publication, toString(as_of_date) AS as_of FROM shop_publications"
                    + " WHERE shop_id = {shop} ORDER BY publish_id DESC LIMIT 1");
    /**
     * The current publication's rows in one round trip: the subquery picks the publication, as readers must. Aliases
     * never reuse a column's name: ClickHouse resolves aliases in WHERE too, so {@code toString(publish_id) AS
     * publish_id} would turn the filter into a string comparison.
     */
    private static final SqlTemplate CURRENT_SUMMARY = new SqlTemplate(
            "SELECT segment, toString(customers) AS customer_count, toString(revenue_cents) AS revenue,"
                    + " toString(publish_id) AS publication, toString(as_of_date) AS as_of"
                    + " FROM segment_summary WHERE shop_id = {shop}"
                    + " AND publish_id = (SELECT max(publish_id) FROM shop_publications WHERE shop_id = {shop})");
    /**
     * Per segment of the publication, the sum and count of its customers' predicted 12-month CLV (cents), over the
     * customers with a prediction: the average is the sum divided by the count, rounded to the cent in Java (exact,
     * no floating point). The join runs in the form ClickHouse 18.16 accepts, both sides narrowed to the shop and
     * the publication first.
     */
    private static final SqlTemplate CLV_BY_SEGMENT = SqlTemplate.of("""
            SELECT segment, toString(count()) AS predicted, toString(sum(clv)) AS clv_sum
            FROM (
                SELECT customer_id, segment FROM customer_rfm WHERE shop_id = {shop} AND publish_id = {publish_id}
            ) ANY INNER JOIN (
                SELECT customer_id, assumeNotNull(clv_12m_cents) AS clv FROM customer_predictions
                WHERE shop_id = {shop} AND publish_id = {publish_id} AND prediction_status = 'PREDICTED'
                  AND isNotNull(clv_12m_cents)
            ) USING (customer_id)
            GROUP BY segment""");

    private final ServingClickHouse clickHouse;

    /** Reads straight from ClickHouse, nothing kept (tests of the reader). */
    public ClickHouseSegmentReader(ClickHouseGateway clickHouse) {
        this(ServingClickHouse.uncached(clickHouse));
    }

    /** Reads through the serving cache of the shop's current publication (the API server). */
    public ClickHouseSegmentReader(ServingClickHouse clickHouse) {
        this.clickHouse = requireNonNull(clickHouse, "clickHouse is null");
    }

    @Override
    public Optional<SegmentReport> latest(ShopId shop) {
        ServingScope scope = clickHouse.forShop(shop);
        List<JsonNode> overview = scope.select(CURRENT_OVERVIEW);
        if (!overview.isEmpty()) {
            return Optional.of(fromOverview(overview));
        }
        return computedPerRequest(scope);
    }

    private static SegmentReport fromOverview(List<JsonNode> rows) {
        Map<Segment, SegmentSummary> bySegment = new EnumMap<>(Segment.class);
        for (JsonNode row : rows) {
            Segment segment = Segment.fromKey(row.get("segment").asText());
            long predicted = Long.parseLong(row.get("predicted").asText());
            bySegment.put(segment, new SegmentSummary(segment, Long.parseLong(row.get("customer_count").asText()),
                    BigDecimal.valueOf(Long.parseLong(row.get("revenue").asText()), 2), predicted,
                    average(predicted, Long.parseLong(row.get("clv_sum").asText()))));
        }
        JsonNode first = rows.get(0);
        return new SegmentReport(LocalDate.parse(first.get("as_of").asText()),
                Long.parseLong(first.get("publication").asText()), everySegment(bySegment));
    }

    /** The sum over the count, rounded half up to the cent (exact, no floating point); empty without a prediction. */
    private static Optional<BigDecimal> average(long predicted, long sumCents) {
        return predicted == 0 ? Optional.empty()
                : Optional.of(BigDecimal.valueOf(sumCents).divide(BigDecimal.valueOf(predicted), 0,
                RoundingMode.HALF_UP).movePointLeft(2));
    }

    /** Every segment in display order, the ones without customers with zeros. */
    private static List<SegmentSummary> everySegment(Map<Segment, SegmentSummary> bySegment) {
        List<SegmentSummary> segments = new ArrayList<>();
        for (Segment segment : Segment.values()) {
            segments.add(bySegment.getOrDefault(segment, new SegmentSummary(segment, 0, BigDecimal.ZERO.setScale(2))));
        }
        return segments;
    }

    /** A publication without overview rows: the summary, then the predictions joined per request. */
    private Optional<SegmentReport> computedPerRequest(ServingScope scope) {
        List<JsonNode> rows = scope.select(CURRENT_SUMMARY);
        long publishId;
        LocalDate asOfDate;
        if (!rows.isEmpty()) {
            publishId = Long.parseLong(rows.get(0).get("publication").asText());
            asOfDate = LocalDate.parse(rows.get(0).get("as_of").asText());
        }
        else {
            // No summary rows: either nothing is published yet, or the publication has no customers at all.
            List<JsonNode> publication = scope.select(PUBLICATION);
            if (publication.isEmpty()) {
                return Optional.empty();
            }
            publishId = Long.parseLong(publication.get(0).get("publication").asText());
            asOfDate = LocalDate.parse(publication.get(0).get("as_of").asText());
        }
        Map<Segment, long[]> clv = new EnumMap<>(Segment.class); // segment -> {predicted customers, sum cents}
        if (!rows.isEmpty()) {
            for (JsonNode row : scope.select(CLV_BY_SEGMENT.bind("publish_id", publishId))) {
                clv.put(Segment.fromKey(row.get("segment").asText()),
                        new long[] {Long.parseLong(row.get("predicted").asText()),
                                Long.parseLong(row.get("clv_sum").asText())});
            }
        }
        Map<Segment, SegmentSummary> bySegment = new EnumMap<>(Segment.class);
        for (JsonNode row : rows) {
            Segment segment = Segment.fromKey(row.get("segment").asText());
            long[] predicted = clv.getOrDefault(segment, new long[2]);
            bySegment.put(segment, new SegmentSummary(segment, Long.parseLong(row.get("customer_count").asText()),
                    BigDecimal.valueOf(Long.parseLong(row.get("revenue").asText()), 2), predicted[0],
                    average(predicted[0], predicted[1])));
        }
        return Optional.of(new SegmentReport(asOfDate, publishId, everySegment(bySegment)));
    }
}
