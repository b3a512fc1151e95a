package com.ecomcrm.api.performance;

import com.ecomcrm.api.analytics.CurrentDateRange;
import com.ecomcrm.api.analytics.Publication;
import com.ecomcrm.api.serving.ServingClickHouse;
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
 * in progress is never seen). {@link #currentRows} picks the publication, and the default range that hangs on its date,
 * inside its one query and returns the publication on every row; the others are given the publication. 64-bit numbers
 * are read as strings, under aliases that name no column.
 */
public final class ClickHouseEmailPerformanceReader implements EmailPerformanceReader {
    private static final SqlTemplate PUBLICATION = SqlTemplate.of(
            "SELECT toString(publish_id) AS p, toString(as_of_date) AS d FROM shop_publications"
                    + " WHERE shop_id = {shop} ORDER BY publish_id DESC LIMIT 1");
    private static final String COLUMNS = """
            SELECT toString(send_date) AS day, toString(flow_id) AS flow, flow_kind AS kind,
                   toString(template_id) AS template, toString(sent) AS n_sent, toString(delivered) AS n_delivered,
                   toString(bounced) AS n_bounced, toString(unique_opens) AS n_opens,
                   toString(machine_opens) AS n_machine_opens, toString(unique_clicks) AS n_clicks,
                   toString(unsubscribes) AS n_unsubscribes, toString(orders) AS n_orders,
                   toString(revenue_cents) AS n_revenue""";
    private static final SqlTemplate ROWS = SqlTemplate.of(COLUMNS + """

            FROM email_performance
            WHERE shop_id = {shop} AND publish_id = {publish_id} AND send_date >= {from} AND send_date <= {to}
            ORDER BY send_date, flow_id, template_id""");
    /** %1$s: the first day, %2$s: the last day (bound dates, or expressions of the current publication's date). */
    private static final String CURRENT_ROWS = COLUMNS + """
            ,
                   toString(publish_id) AS publication, toString(%3$s) AS as_of,
                   toString(%1$s) AS first_day, toString(%2$s) AS last_day
            FROM email_performance
            WHERE shop_id = {shop} AND publish_id = %4$s AND send_date >= %1$s AND send_date <= %2$s
            ORDER BY send_date, flow_id, template_id""";

    private final ServingClickHouse clickHouse;

    /** Reads straight from ClickHouse, nothing kept (tests of the reader). */
    public ClickHouseEmailPerformanceReader(ClickHouseGateway clickHouse) {
        this(ServingClickHouse.uncached(clickHouse));
    }

    /** Reads through the serving cache of the shop's current publication (the API server). */
    public ClickHouseEmailPerformanceReader(ServingClickHouse clickHouse) {
        this.clickHouse = requireNonNull(clickHouse, "clickHouse is null");
    }

    @Override
    public Optional<Publication> publication(ShopId shop) {
        List<JsonNode> rows = clickHouse.forShop(shop).select(PUBLICATION);
        return rows.isEmpty() ? Optional.empty() : Optional.of(new Publication(Long.parseLong(rows.get(0).get("p")
                .asText()), LocalDate.parse(rows.get(0).get("d").asText())));
    }

    @Override
    public List<EmailPerformanceRow> rows(ShopId shop, Publication publication, LocalDate from, LocalDate to) {
        return rows(clickHouse.forShop(shop).select(ROWS.bind("publish_id", publication.publishId())
                .bind("from", from).bind("to", to)));
    }

    @Override
    public Optional<PerformanceRead> currentRows(ShopId shop, Optional<LocalDate> from, Optional<LocalDate> to) {
        return CurrentDateRange.read(clickHouse, shop, CURRENT_ROWS, EmailPerformanceHandler.DEFAULT_DAYS, from, to)
                .map(read -> new PerformanceRead(read.publication(), read.firstDay(), read.lastDay(), rows(read.rows())));
    }

    private static List<EmailPerformanceRow> rows(List<JsonNode> rows) {
        List<EmailPerformanceRow> out = new ArrayList<>(rows.size());
        for (JsonNode row : rows) {
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
