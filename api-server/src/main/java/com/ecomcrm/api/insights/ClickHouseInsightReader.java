package com.ecomcrm.api.insights;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/** Insights from ClickHouse's {@code shop_insights}, only of the shop's current publication. */
public final class ClickHouseInsightReader implements InsightReader {
    private static final SqlTemplate INSIGHTS = SqlTemplate.of("""
            SELECT insight_id AS i, kind AS k, severity AS s, toString(rank) AS r, title AS t, body AS b,
                   numbers AS n, action_label AS al, action_path AS ap
            FROM shop_insights
            WHERE shop_id = {shop}
              AND publish_id = (SELECT max(publish_id) FROM shop_publications WHERE shop_id = {shop})
            ORDER BY rank""");

    private final ClickHouseGateway clickHouse;

    public ClickHouseInsightReader(ClickHouseGateway clickHouse) {
        this.clickHouse = requireNonNull(clickHouse, "clickHouse is null");
    }

    @Override
    public List<PublishedInsight> insights(ShopId shop) {
        List<PublishedInsight> out = new ArrayList<>();
        for (JsonNode row : clickHouse.forShop(shop).select(INSIGHTS)) {
            out.add(new PublishedInsight(row.get("i").asText(), row.get("k").asText(), row.get("s").asText(),
                    Integer.parseInt(row.get("r").asText()), row.get("t").asText(), row.get("b").asText(),
                    row.get("n").asText(), row.get("al").asText(), row.get("ap").asText()));
        }
        return out;
    }
}
