package com.ecomcrm.api.analytics;

import com.ecomcrm.api.serving.ServingClickHouse;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A date-range read of one table from the shop's current publication, the publication picked inside the one query
 * (so a publish in between can never mix two), with the default range ending at the publication's date. Used by the
 * KPI and the email performance reads, whose queries differ only in their table and columns.
 */
public final class CurrentDateRange {
    /** The shop's current publication, picked inside the query (evaluated once per query, like every use of it). */
    public static final String CURRENT = "(SELECT max(publish_id) FROM shop_publications WHERE shop_id = {shop})";
    /** An aggregate, so no publication gives the zero date (no day matches), not NULL (which 18.16 cannot compare). */
    public static final String CURRENT_DATE = "(SELECT argMax(as_of_date, publish_id) FROM shop_publications"
            + " WHERE shop_id = {shop})";

    /** The rows read, with the publication they came from and the range they cover. */
    public record Rows(Publication publication, LocalDate firstDay, LocalDate lastDay, List<JsonNode> rows) {
        public Rows {
            requireNonNull(publication, "publication is null");
            requireNonNull(firstDay, "firstDay is null");
            requireNonNull(lastDay, "lastDay is null");
            rows = List.copyOf(rows);
        }
    }

    private CurrentDateRange() {
    }

    /**
     * Runs {@code queryFormat} (%1$s: the first day, %2$s: the last day, %3$s: {@link #CURRENT_DATE}, %4$s:
     * {@link #CURRENT}); each row must carry {@code publication}, {@code as_of}, {@code first_day} and
     * {@code last_day}. Empty when no row matched (the caller then reads the publication and its rows apart).
     */
    public static Optional<Rows> read(ServingClickHouse clickHouse, ShopId shop, String queryFormat, int defaultDays,
                                      Optional<LocalDate> from, Optional<LocalDate> to) {
        String last = to.isPresent() ? "{to}" : CURRENT_DATE;
        String first = from.isPresent() ? "{from}" : "(" + last + " - " + (defaultDays - 1) + ")";
        SqlTemplate query = SqlTemplate.of(queryFormat.formatted(first, last, CURRENT_DATE, CURRENT));
        if (from.isPresent()) {
            query = query.bind("from", from.get());
        }
        if (to.isPresent()) {
            query = query.bind("to", to.get());
        }
        List<JsonNode> rows = clickHouse.forShop(shop).select(query);
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        JsonNode head = rows.get(0);
        for (JsonNode row : rows) {
            if (!row.get("publication").asText().equals(head.get("publication").asText())) {
                return Optional.empty(); // cannot happen (one publish_id in the filter); read the slow way then
            }
        }
        return Optional.of(new Rows(new Publication(Long.parseLong(head.get("publication").asText()),
                LocalDate.parse(head.get("as_of").asText())), LocalDate.parse(head.get("first_day").asText()),
                LocalDate.parse(head.get("last_day").asText()), rows));
    }
}
