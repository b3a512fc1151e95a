package com.ecomcrm.api.analytics;

import com.ecomcrm.api.serving.ServingClickHouse;
import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Daily KPIs from ClickHouse's {@code shop_daily_kpis}, only of the shop's current publication (read first), so a
 * publish in progress is never seen. 64-bit numbers are read as strings (their JSON form differs between releases),
 * with no alias named like a column that WHERE or ORDER BY uses (in ClickHouse an alias replaces the column there).
 */
public final class ClickHouseKpiReader implements KpiReader {
    private static final SqlTemplate PUBLICATION = SqlTemplate.of(
            "SELECT toString(publish_id) AS p, toString(as_of_date) AS d FROM shop_publications"
                    + " WHERE shop_id = {shop} ORDER BY publish_id DESC LIMIT 1");
    private static final SqlTemplate DAYS = SqlTemplate.of("""
            SELECT toString(kpi_date) AS day, toString(orders) AS orders,
                   toString(revenue_cents) AS revenue_cents, toString(aov_cents) AS aov_cents,
                   toString(new_customer_orders) AS new_customer_orders,
                   toString(returning_customer_orders) AS returning_customer_orders,
                   toString(buyers) AS buyers, toString(customers) AS customers,
                   toString(repeat_customers) AS repeat_customers, repeat_rate
            FROM shop_daily_kpis
            WHERE shop_id = {shop} AND publish_id = {publish_id} AND kpi_date >= {from} AND kpi_date <= {to}
            ORDER BY kpi_date""");

    /** %1$s: the first day, %2$s: the last day (bound dates, or expressions of the current publication's date). */
    private static final String CURRENT_DAYS = """
            SELECT toString(kpi_date) AS day, toString(orders) AS orders,
                   toString(revenue_cents) AS revenue_cents, toString(aov_cents) AS aov_cents,
                   toString(new_customer_orders) AS new_customer_orders,
                   toString(returning_customer_orders) AS returning_customer_orders,
                   toString(buyers) AS buyers, toString(customers) AS customers,
                   toString(repeat_customers) AS repeat_customers, repeat_rate,
                   toString(publish_id) AS publication, toString(%3$s) AS as_of,
                   toString(%1$s) AS first_day, toString(%2$s) AS last_day
            FROM shop_daily_kpis
            WHERE shop_id = {shop} AND publish_id = %4$s AND kpi_date >= %1$s AND kpi_date <= %2$s
            ORDER BY kpi_date""";

    private final ServingClickHouse clickHouse;

    /** Reads straight from ClickHouse, nothing kept (tests of the reader). */
    public ClickHouseKpiReader(ClickHouseGateway clickHouse) {
        this(ServingClickHouse.uncached(clickHouse));
    }

    /** Reads through the serving cache of the shop's current publication (the API server). */
    public ClickHouseKpiReader(ServingClickHouse clickHouse) {
        this.clickHouse = requireNonNull(clickHouse, "clickHouse is null");
    }

    @Override
    public Optional<Publication> publication(ShopId shop) {
        List<JsonNode> rows = clickHouse.forShop(shop).select(PUBLICATION);
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Publication(Long.parseLong(rows.get(0).get("p").asText()),
                LocalDate.parse(rows.get(0).get("d").asText())));
    }

    @Override
    public Optional<KpiDays> currentDays(ShopId shop, Optional<LocalDate> from, Optional<LocalDate> to) {
        return CurrentDateRange.read(clickHouse, shop, CURRENT_DAYS, KpisHandler.DEFAULT_DAYS, from, to)
                .map(read -> new KpiDays(read.publication(), read.firstDay(), read.lastDay(), days(read.rows())));
    }

    @Override
    public List<DailyKpis> days(ShopId shop, Publication publication, LocalDate from, LocalDate to) {
        return days(clickHouse.forShop(shop).select(DAYS.bind("publish_id", publication.publishId())
                .bind("from", from).bind("to", to)));
    }

    private static List<DailyKpis> days(List<JsonNode> rows) {
        List<DailyKpis> days = new ArrayList<>(rows.size());
        for (JsonNode row : rows) {
            days.add(new DailyKpis(LocalDate.parse(row.get("day").asText()), number(row, "orders"),
                    money(row, "revenue_cents"), money(row, "aov_cents"), number(row, "new_customer_orders"),
                    number(row, "returning_customer_orders"), number(row, "buyers"), number(row, "customers"),
                    number(row, "repeat_customers"), row.get("repeat_rate").asDouble()));
        }
        return days;
    }

    private static long number(JsonNode row, String column) {
        return Long.parseLong(row.get(column).asText());
    }

    private static BigDecimal money(JsonNode row, String column) {
        return BigDecimal.valueOf(number(row, column), 2);
    }
}
