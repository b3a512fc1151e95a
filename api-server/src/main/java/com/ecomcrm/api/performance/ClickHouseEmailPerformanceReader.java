package com.ecomcrm.api.performance;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Email performance from ClickHouse's {@code email_performance}, only of the shop's current publication (so a publish
 * in progress is never seen). 64-bit numbers are read as strings, under aliases that name no column.
 */
public final class ClickHouseEmailPerformanceReader implements EmailPerformanceReader {
    private static final SqlTemplate PUBLICATION = SqlTemplate.of(
            "SELECT toString(as_of_date) AS d FROM shop_publications WHERE shop_id = {shop}"
                    + " ORDER BY publish_id DESC LIMIT 1");
    private static final SqlTemplate ROWS = SqlTemplate.of("""
            SELECT toString(send_date) AS day, toString(flow_id) AS flow, flow_kind AS kind,
                   toString(template_id) AS template, toString(sent) AS n_sent, toString(delivered) AS n_delivered,
                   toString(bounced) AS n_bounced, toString(unique_opens) AS n_opens,
                   toString(machine_opens) AS n_machine_opens, toString(unique_clicks) AS n_clicks,
                   toString(unsubscribes) AS n_unsubscribes, toString(orders) AS n_orders,
                   toString(revenue_cents) AS n_revenue
            FROM email_performance
            WHERE shop_id = {shop}
              AND publish_id = (SELECT max(publish_id) FROM shop_publications WHERE shop_id = {shop})
              AND send_date >= {from} AND send_date <= {to}
            ORDER BY send_date, flow_id, template_id""");

    private final ClickHouseGateway clickHouse;

    public ClickHouseEmailPerformanceReader(ClickHouseGateway clickHouse) {
        this.clickHouse = requireNonNull(clickHouse, "clickHouse is null");
    }

    @Override
    public Optional<LocalDate> publishedAsOf(ShopId shop) {
        List<JsonNode> rows = clickHouse.forShop(shop).select(PUBLICATION);
        return rows.isEmpty() ? Optional.empty() : Optional.of(LocalDate.parse(rows.get(0).get("d").asText()));
    }

    @Override
    public List<EmailPerformanceRow> rows(ShopId shop, LocalDate from, LocalDate to) {
        List<EmailPerformanceRow> out = new ArrayList<>();
        for (JsonNode row : clickHouse.forShop(shop).select(ROWS.bind("from", from).bind("to", to))) {
            out.add(new EmailPerformanceRow(LocalDate.parse(row.get("day").asText()), number(row, "flow"),
                    row.get("kind").asText(), number(row, "template"),
                    new EmailMetrics(number(row, "n_sent"), number(row, "n_delivered"), number(row, "n_bounced"),
                            number(row, "n_opens"), number(row, "n_machine_opens"), number(row, "n_clicks"),
                            number(row, "n_unsubscribes"), number(row, "n_orders"), number(row, "n_revenue"))));
        }
        return out;
    }

    private static long number(JsonNode row, String column) {
        return Long.parseLong(row.get(column).asText());
    }
}
