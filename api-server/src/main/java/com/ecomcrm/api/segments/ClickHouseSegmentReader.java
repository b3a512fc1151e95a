package com.ecomcrm.api.segments;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ShopScope;
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
 * Reads the segments of a shop's current publication from ClickHouse. The publication is read first and the summary
 * rows are filtered by it, so a publish in progress (rows written, publication row not yet) is never seen.
 */
public final class ClickHouseSegmentReader implements SegmentReader {
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

    private final ClickHouseGateway clickHouse;

    public ClickHouseSegmentReader(ClickHouseGateway clickHouse) {
        this.clickHouse = requireNonNull(clickHouse, "clickHouse is null");
    }

    @Override
    public Optional<SegmentReport> latest(ShopId shop) {
        ShopScope scope = clickHouse.forShop(shop);
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
            Optional<BigDecimal> average = predicted[0] == 0 ? Optional.empty()
                    : Optional.of(BigDecimal.valueOf(predicted[1]).divide(BigDecimal.valueOf(predicted[0]), 0,
                    RoundingMode.HALF_UP).movePointLeft(2));
            bySegment.put(segment, new SegmentSummary(segment, Long.parseLong(row.get("customer_count").asText()),
                    BigDecimal.valueOf(Long.parseLong(row.get("revenue").asText()), 2), predicted[0], average));
        }
        List<SegmentSummary> segments = new ArrayList<>();
        for (Segment segment : Segment.values()) {
            segments.add(bySegment.getOrDefault(segment, new SegmentSummary(segment, 0, BigDecimal.ZERO.setScale(2))));
        }
        return Optional.of(new SegmentReport(asOfDate, publishId, segments));
    }
}
