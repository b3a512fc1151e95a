package com.ecomcrm.api.insights;

import com.ecomcrm.api.serving.ServingClickHouse;
import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * Insights from ClickHouse's {@code shop_insights}, only of the shop's current publication, in one query: the current
 * publication (one row, 0 when none) joined with the shop's insight rows of that publication. The publication is read
 * once, so the rows and the id reported with them can never be of two publications; a quiet night still says which
 * publication it read (one row without an insight). The right side is the shop's insights of every publication still
 * kept (a few dozen rows), narrowed by the join.
 */
public final class ClickHouseInsightReader implements InsightReader {
    private static final SqlTemplate INSIGHTS = SqlTemplate.of("""
            SELECT toString(current_publish) AS p, insight_id AS i, kind AS k, severity AS s, toString(rank) AS r,
                   title AS t, body AS b, numbers AS n, action_label AS al, action_path AS ap
            FROM (
                SELECT max(publish_id) AS current_publish FROM shop_publications WHERE shop_id = {shop}
            ) ALL LEFT JOIN (
                SELECT publish_id AS current_publish, insight_id, kind, severity, rank, title, body, numbers,
                       action_label, action_path
                FROM shop_insights
                WHERE shop_id = {shop}
            ) USING current_publish
            ORDER BY rank""");

    private final ServingClickHouse clickHouse;

    /** Reads straight from ClickHouse, nothing kept (tests of the reader). */
    public ClickHouseInsightReader(ClickHouseGateway clickHouse) {
        this(ServingClickHouse.uncached(clickHouse));
    }

    /** Reads through the serving cache of the shop's current publication (the API server). */
    public ClickHouseInsightReader(ServingClickHouse clickHouse) {
        this.clickHouse = requireNonNull(clickHouse, "clickHouse is null");
    }

    @Override
    public PublishedInsights insights(ShopId shop) {
        List<PublishedInsight> out = new ArrayList<>();
        long publishId = 0;
        for (JsonNode row : clickHouse.forShop(shop).select(INSIGHTS)) {
            publishId = Long.parseLong(row.get("p").asText());
            if (row.get("i").asText().isEmpty()) {
                continue; // the publication's row on a quiet night: no insight joined
            }
            out.add(new PublishedInsight(row.get("i").asText(), row.get("k").asText(), row.get("s").asText(),
                    Integer.parseInt(row.get("r").asText()), row.get("t").asText(), row.get("b").asText(),
                    row.get("n").asText(), row.get("al").asText(), row.get("ap").asText()));
        }
        // max() of no publication is 0: nothing published yet.
        return new PublishedInsights(publishId == 0 ? OptionalLong.empty() : OptionalLong.of(publishId), out);
    }
}
