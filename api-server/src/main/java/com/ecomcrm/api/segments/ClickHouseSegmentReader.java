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
            "SELECT publish_id, toString(as_of_date) AS as_of_date FROM shop_publications"
                    + " WHERE shop_id = {shop} ORDER BY publish_id DESC LIMIT 1");
    private static final SqlTemplate SUMMARY = new SqlTemplate(
            "SELECT segment, toString(customers) AS customers, toString(revenue_cents) AS revenue_cents"
                    + " FROM segment_summary WHERE shop_id = {shop} AND publish_id = {publish_id}");

    private final ClickHouseGateway clickHouse;

    public ClickHouseSegmentReader(ClickHouseGateway clickHouse) {
        this.clickHouse = requireNonNull(clickHouse, "clickHouse is null");
    }

    @Override
    public Optional<SegmentReport> latest(ShopId shop) {
        ShopScope scope = clickHouse.forShop(shop);
        List<JsonNode> publication = scope.select(PUBLICATION);
        if (publication.isEmpty()) {
            return Optional.empty();
        }
        long publishId = Long.parseLong(publication.get(0).get("publish_id").asText());
        LocalDate asOfDate = LocalDate.parse(publication.get(0).get("as_of_date").asText());
        Map<Segment, SegmentSummary> bySegment = new EnumMap<>(Segment.class);
        for (JsonNode row : scope.select(SUMMARY.bind("publish_id", publishId))) {
            Segment segment = Segment.fromKey(row.get("segment").asText());
            bySegment.put(segment, new SegmentSummary(segment, Long.parseLong(row.get("customers").asText()),
                    BigDecimal.valueOf(Long.parseLong(row.get("revenue_cents").asText()), 2)));
        }
        List<SegmentSummary> segments = new ArrayList<>();
        for (Segment segment : Segment.values()) {
            segments.add(bySegment.getOrDefault(segment, new SegmentSummary(segment, 0, BigDecimal.ZERO.setScale(2))));
        }
        return Optional.of(new SegmentReport(asOfDate, publishId, segments));
    }
}
