package com.ecomcrm.api.customers;

import com.ecomcrm.api.analytics.Publication;
import com.ecomcrm.api.serving.ServingClickHouse;
import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * A customer's orders from ClickHouse's {@code customer_orders}, filtered by the publication the caller resolved (so a
 * publish still being written is never read). 64-bit numbers and the time go through {@code toString} /
 * {@code toUnixTimestamp} so no JSON layer rounds them and no server time zone shifts them; aliases never reuse a
 * column's name (ClickHouse resolves aliases in WHERE and ORDER BY too).
 */
public final class ClickHouseCustomerOrderReader implements CustomerOrderReader {
    private static final SqlTemplate COUNT = SqlTemplate.of("""
            SELECT toString(count()) AS orders_count FROM customer_orders
            WHERE shop_id = {shop} AND publish_id = {publish_id} AND customer_id = {customer_id}""");
    private static final SqlTemplate PAGE = SqlTemplate.of("""
            SELECT toString(order_id) AS oid, order_name, toString(toUnixTimestamp(processed_at)) AS processed_epoch,
                   financial_status, toString(total_cents) AS total, toString(refunded_cents) AS refunded,
                   toString(net_cents) AS net, line_count, cancelled
            FROM customer_orders
            WHERE shop_id = {shop} AND publish_id = {publish_id} AND customer_id = {customer_id}
            ORDER BY processed_at DESC, order_id DESC
            LIMIT {offset}, {limit}""");

    /** Grouped by publication: no row when the customer has no order (or nothing is published). */
    private static final SqlTemplate CURRENT_COUNT = SqlTemplate.of("""
            SELECT toString(publish_id) AS publication, toString(count()) AS orders_count FROM customer_orders
            WHERE shop_id = {shop} AND publish_id = %s AND customer_id = {customer_id}
            GROUP BY publish_id""".formatted(ClickHouseCustomerReader.CURRENT));
    private static final SqlTemplate CURRENT_PAGE = SqlTemplate.of("""
            SELECT toString(order_id) AS oid, order_name, toString(toUnixTimestamp(processed_at)) AS processed_epoch,
                   financial_status, toString(total_cents) AS total, toString(refunded_cents) AS refunded,
                   toString(net_cents) AS net, line_count, cancelled, toString(publish_id) AS publication
            FROM customer_orders
            WHERE shop_id = {shop} AND publish_id = %s AND customer_id = {customer_id}
            ORDER BY processed_at DESC, order_id DESC
            LIMIT {offset}, {limit}""".formatted(ClickHouseCustomerReader.CURRENT));

    private final ServingClickHouse clickHouse;

    /** Reads straight from ClickHouse, nothing kept (tests of the reader). */
    public ClickHouseCustomerOrderReader(ClickHouseGateway clickHouse) {
        this(ServingClickHouse.uncached(clickHouse));
    }

    /** Reads through the serving cache of the shop's current publication (the API server). */
    public ClickHouseCustomerOrderReader(ServingClickHouse clickHouse) {
        this.clickHouse = requireNonNull(clickHouse, "clickHouse is null");
    }

    @Override
    public long count(ShopId shop, Publication publication, long customerId) {
        List<JsonNode> rows = clickHouse.forShop(shop).select(COUNT.bind("publish_id", publication.publishId())
                .bind("customer_id", customerId));
        return rows.isEmpty() ? 0 : Long.parseLong(rows.get(0).get("orders_count").asText());
    }

    @Override
    public CurrentOrders currentCount(ShopId shop, long customerId) {
        List<JsonNode> rows = clickHouse.forShop(shop).select(CURRENT_COUNT.bind("customer_id", customerId));
        return rows.isEmpty() ? new CurrentOrders(OptionalLong.empty(), 0, List.of())
                : new CurrentOrders(OptionalLong.of(Long.parseLong(rows.get(0).get("publication").asText())),
                Long.parseLong(rows.get(0).get("orders_count").asText()), List.of());
    }

    @Override
    public CurrentOrders currentPage(ShopId shop, long customerId, OrderPage page) {
        List<JsonNode> rows = clickHouse.forShop(shop).select(CURRENT_PAGE.bind("customer_id", customerId)
                .bind("offset", page.offset()).bind("limit", page.pageSize()));
        OptionalLong publication = rows.isEmpty() ? OptionalLong.empty()
                : OptionalLong.of(Long.parseLong(rows.get(0).get("publication").asText()));
        return new CurrentOrders(publication, 0, orders(rows));
    }

    @Override
    public List<CustomerOrder> page(ShopId shop, Publication publication, long customerId, OrderPage page) {
        return orders(clickHouse.forShop(shop).select(PAGE.bind("publish_id", publication.publishId())
                .bind("customer_id", customerId).bind("offset", page.offset()).bind("limit", page.pageSize())));
    }

    private static List<CustomerOrder> orders(List<JsonNode> rows) {
        List<CustomerOrder> orders = new ArrayList<>(rows.size());
        for (JsonNode row : rows) {
            String status = row.get("financial_status").asText();
            orders.add(new CustomerOrder(Long.parseLong(row.get("oid").asText()), row.get("order_name").asText(),
                    Instant.ofEpochSecond(Long.parseLong(row.get("processed_epoch").asText())),
                    status.isEmpty() ? Optional.empty() : Optional.of(status),
                    Long.parseLong(row.get("total").asText()), Long.parseLong(row.get("refunded").asText()),
                    Long.parseLong(row.get("net").asText()), row.get("line_count").asInt(),
                    row.get("cancelled").asInt() == 1));
        }
        return orders;
    }
}
