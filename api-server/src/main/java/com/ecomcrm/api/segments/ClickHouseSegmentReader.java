package com.ecomcrm.api.segments;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ShopScope;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.Segment;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
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
        Map<Segment, SegmentSummary> bySegment = new EnumMap<>(Segment.class);
        for (JsonNode row : rows) {
            Segment segment = Segment.fromKey(row.get("segment").asText());
            bySegment.put(segment, new SegmentSummary(segment, Long.parseLong(row.get("customer_count").asText()),
                    BigDecimal.valueOf(Long.parseLong(row.get("revenue").asText()), 2)));
        }
        List<SegmentSummary> segments = new ArrayList<>();
        for (Segment segment : Segment.values()) {
            segments.add(bySegment.getOrDefault(segment, new SegmentSummary(segment, 0, BigDecimal.ZERO.setScale(2))));
        }
        return Optional.of(new SegmentReport(asOfDate, publishId, segments));
    }
}
