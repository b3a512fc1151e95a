package com.ecomcrm.api.analytics;

import com.ecomcrm.api.serving.ServingClickHouse;
import com.ecomcrm.api.serving.ServingScope;
import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * Segment movement from ClickHouse. A date's snapshot is the slice of {@code customer_segment_history} listed in
 * {@code segment_history_dates} under the largest publish_id that is not newer than the shop's current publication,
 * so a publish in progress (rows written, publication row not yet) is never read. The listing says which publication
 * it was read under ({@link PublishedSnapshots}); the slices it names never change afterwards, so the movement read
 * from them is of that publication even when a newer one is switched in between the two queries. Between any two snapshots the
 * movement is one query: the two slices full-outer-joined on customer_id (ClickHouse 18.16 syntax: explicit ALL,
 * USING, unmatched sides filled with '' and 0, read as NONE and no revenue). When the pair is exactly the one the
 * nightly run precomputed for the current publication, {@code segment_transitions} is read instead.
 *
 * <p>No alias is named like a column that WHERE or ORDER BY uses: in ClickHouse an alias replaces the column
 * everywhere in the query.
 */
public final class ClickHouseMovementReader implements MovementReader {
    private static final SqlTemplate SNAPSHOTS = SqlTemplate.of("""
            SELECT toString(as_of_date) AS snapshot_date, toString(max(publish_id)) AS snapshot_publish,
                   toString((SELECT max(publish_id) FROM shop_publications WHERE shop_id = {shop})) AS current_publication
            FROM segment_history_dates
            WHERE shop_id = {shop}
              AND publish_id <= (SELECT max(publish_id) FROM shop_publications WHERE shop_id = {shop})
            GROUP BY as_of_date
            ORDER BY as_of_date""");
    private static final SqlTemplate PRECOMPUTED = SqlTemplate.of("""
            SELECT from_segment, to_segment, toString(customers) AS customers, toString(revenue_cents) AS revenue_cents
            FROM segment_transitions
            WHERE shop_id = {shop} AND publish_id = {publish_id} AND from_date = {from_date} AND to_date = {to_date}
            ORDER BY from_segment, to_segment""");
    private static final SqlTemplate JOINED = SqlTemplate.of("""
            SELECT if(f_segment = '', 'NONE', f_segment) AS from_segment,
                   if(t_segment = '', 'NONE', t_segment) AS to_segment,
                   toString(count()) AS customers,
                   toString(sum(t_cents)) AS revenue_cents
            FROM (
                SELECT customer_id, segment AS f_segment FROM customer_segment_history
                WHERE shop_id = {shop} AND as_of_date = {from_date} AND publish_id = {from_publish}
            ) ALL FULL OUTER JOIN (
                SELECT customer_id, segment AS t_segment, monetary_cents AS t_cents FROM customer_segment_history
                WHERE shop_id = {shop} AND as_of_date = {to_date} AND publish_id = {to_publish}
            ) USING customer_id
            GROUP BY from_segment, to_segment
            ORDER BY from_segment, to_segment""");

    private final ServingClickHouse clickHouse;

    /** Reads straight from ClickHouse, nothing kept (tests of the reader). */
    public ClickHouseMovementReader(ClickHouseGateway clickHouse) {
        this(ServingClickHouse.uncached(clickHouse));
    }

    /** Reads through the serving cache of the shop's current publication (the API server). */
    public ClickHouseMovementReader(ServingClickHouse clickHouse) {
        this.clickHouse = requireNonNull(clickHouse, "clickHouse is null");
    }

    @Override
    public PublishedSnapshots snapshots(ShopId shop) {
        List<HistorySlice> slices = new ArrayList<>();
        OptionalLong current = OptionalLong.empty();
        for (JsonNode row : clickHouse.forShop(shop).select(SNAPSHOTS)) {
            slices.add(new HistorySlice(LocalDate.parse(row.get("snapshot_date").asText()),
                    Long.parseLong(row.get("snapshot_publish").asText())));
            // The same scalar on every row: the subquery is evaluated once per query.
            current = OptionalLong.of(Long.parseLong(row.get("current_publication").asText()));
        }
        return new PublishedSnapshots(current, slices);
    }

    @Override
    public SegmentMovement movement(ShopId shop, HistorySlice from, HistorySlice to) {
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
        ServingScope scope = clickHouse.forShop(shop);
        // The nightly precomputed pair: published by the same publication as the to-date's slice.
        List<JsonNode> rows = scope.select(PRECOMPUTED.bind("publish_id", to.publishId())
                .bind("from_date", from.date()).bind("to_date", to.date()));
        if (!rows.isEmpty()) {
            return new SegmentMovement(from, to, moves(rows), true);
        }
        return joined(shop, from, to);
    }

    /** The movement computed from the two history slices, whatever was precomputed. */
    SegmentMovement joined(ShopId shop, HistorySlice from, HistorySlice to) {
        List<JsonNode> rows = clickHouse.forShop(shop).select(JOINED.bind("from_date", from.date())
                .bind("from_publish", from.publishId()).bind("to_date", to.date()).bind("to_publish", to.publishId()));
        return new SegmentMovement(from, to, moves(rows), false);
    }

    private static List<SegmentMove> moves(List<JsonNode> rows) {
        List<SegmentMove> moves = new ArrayList<>(rows.size());
        for (JsonNode row : rows) {
            moves.add(new SegmentMove(row.get("from_segment").asText(), row.get("to_segment").asText(),
                    Long.parseLong(row.get("customers").asText()),
                    BigDecimal.valueOf(Long.parseLong(row.get("revenue_cents").asText()), 2)));
        }
        return moves;
    }
}
