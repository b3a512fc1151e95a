package com.ecomcrm.api.customers;

import com.ecomcrm.api.analytics.Publication;
import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ShopScope;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static java.util.Objects.requireNonNull;

/**
 * Customers from ClickHouse. The shop's current publication is read first from {@code shop_publications} (a
 * publication's row is written last, so only complete publications are there) and every other query is filtered by
 * that publish_id: rows of a publish still being written (larger publish_id, no publication row yet) are never seen.
 *
 * <p>A customer is its {@code customer_rfm} row with its {@code customer_predictions} row, joined in the form
 * ClickHouse 18.16 runs: {@code ANY LEFT JOIN (subquery) USING (customer_id)}, both sides already narrowed to the
 * shop and the publication (so the join key need not include them). A customer without a prediction row reads
 * {@code prediction_status = ''} and NULL predictions (the prediction columns are Nullable).
 *
 * <p>Only constant SQL fragments are put together here; every value is bound through {@link SqlTemplate} (the sort
 * column and direction with {@code bindIdentifier}, from {@link CustomerSort} only). No alias is named like a column
 * that WHERE or ORDER BY uses: ClickHouse resolves aliases there too. 64-bit numbers are read through
 * {@code toString} so no JSON layer rounds them.
 */
public final class ClickHouseCustomerReader implements CustomerReader {
    private static final SqlTemplate PUBLICATION = SqlTemplate.of("""
            SELECT toString(publish_id) AS publication, toString(as_of_date) AS as_of
            FROM shop_publications WHERE shop_id = {shop} ORDER BY publish_id DESC LIMIT 1""");
    private static final String JOINED = """
            FROM (
                SELECT customer_id, if(recency_days < 0, NULL, recency_days) AS rfm_recency, frequency,
                       monetary_cents, r_score, f_score, m_score, segment
                FROM customer_rfm
                WHERE shop_id = {shop} AND publish_id = {publish_id}
            ) ANY LEFT JOIN (
                SELECT customer_id, prediction_status, expected_orders_30d, expected_orders_90d, expected_orders_365d,
                       probability_alive, expected_order_value_cents, clv_12m_cents, clv_low_cents, clv_high_cents,
                       churn_risk, next_order_date
                FROM customer_predictions
                WHERE shop_id = {shop} AND publish_id = {publish_id}
            ) USING (customer_id)
            """;
    /** The rows of {@link #JOINED} without the predictions: what a count without a prediction filter needs. */
    private static final String RFM_ONLY = """
            FROM (
                SELECT customer_id, segment
                FROM customer_rfm
                WHERE shop_id = {shop} AND publish_id = {publish_id}
            )
            """;
    private static final String COLUMNS = """
            SELECT toString(customer_id) AS cid, segment, rfm_recency, frequency, toString(monetary_cents) AS monetary,
                   r_score, f_score, m_score, prediction_status, expected_orders_30d, expected_orders_90d,
                   expected_orders_365d, probability_alive, toString(expected_order_value_cents) AS order_value,
                   toString(clv_12m_cents) AS clv, toString(clv_low_cents) AS clv_low,
                   toString(clv_high_cents) AS clv_high, churn_risk, toString(next_order_date) AS next_order
            """;
    private static final SqlTemplate ONE = SqlTemplate.of(COLUMNS + JOINED
            + "WHERE customer_id = {customer_id} LIMIT 1");
    /** Per date, the newest slice listed up to the current publication (so an unswitched publish is not read). */
    private static final SqlTemplate HISTORY = SqlTemplate.of("""
            SELECT toString(as_of_date) AS snapshot_date, segment, toString(monetary_cents) AS monetary
            FROM customer_segment_history
            WHERE shop_id = {shop} AND customer_id = {customer_id}
              AND (as_of_date, publish_id) IN (
                  SELECT as_of_date, max(publish_id) FROM segment_history_dates
                  WHERE shop_id = {shop} AND publish_id <= {publish_id}
                  GROUP BY as_of_date)
            ORDER BY as_of_date""");

    private final ClickHouseGateway clickHouse;

    public ClickHouseCustomerReader(ClickHouseGateway clickHouse) {
        this.clickHouse = requireNonNull(clickHouse, "clickHouse is null");
    }

    @Override
    public Optional<Publication> publication(ShopId shop) {
        List<JsonNode> rows = clickHouse.forShop(shop).select(PUBLICATION);
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Publication(Long.parseLong(rows.get(0).get("publication").asText()),
                LocalDate.parse(rows.get(0).get("as_of").asText())));
    }

    @Override
    public long count(ShopId shop, Publication publication, CustomerQuery query) {
        // ANY LEFT JOIN keeps exactly one row per customer_rfm row, so without a filter on a prediction column the
        // count needs no join: the dashboard's default list, segment filter and id search count one table.
        boolean predictionFilter = query.churnRisk().isPresent() || query.clvMinCents().isPresent()
                || query.clvMaxCents().isPresent();
        SqlTemplate count = SqlTemplate.of("SELECT toString(count()) AS matched\n"
                + (predictionFilter ? JOINED : RFM_ONLY) + where(query));
        List<JsonNode> rows = clickHouse.forShop(shop).select(bindFilters(count, publication, query));
        return rows.isEmpty() ? 0 : Long.parseLong(rows.get(0).get("matched").asText());
    }

    @Override
    public List<CustomerRow> page(ShopId shop, Publication publication, CustomerQuery query) {
        SqlTemplate page = SqlTemplate.of(COLUMNS + JOINED + where(query)
                + "\nORDER BY {sort_column} {direction}, customer_id ASC LIMIT {offset}, {limit}");
        page = bindFilters(page, publication, query)
                .bindIdentifier("sort_column", query.sort().column())
                .bindIdentifier("direction", query.descending() ? "DESC" : "ASC")
                .bind("offset", query.offset())
                .bind("limit", query.pageSize());
        List<CustomerRow> customers = new ArrayList<>();
        for (JsonNode row : clickHouse.forShop(shop).select(page)) {
            customers.add(row(row));
        }
        return customers;
    }

    @Override
    public Optional<CustomerRow> customer(ShopId shop, Publication publication, long customerId) {
        List<JsonNode> rows = clickHouse.forShop(shop).select(ONE.bind("publish_id", publication.publishId())
                .bind("customer_id", customerId));
        return rows.isEmpty() ? Optional.empty() : Optional.of(row(rows.get(0)));
    }

    @Override
    public List<RfmHistoryPoint> history(ShopId shop, Publication publication, long customerId) {
        List<RfmHistoryPoint> points = new ArrayList<>();
        ShopScope scope = clickHouse.forShop(shop);
        for (JsonNode row : scope.select(HISTORY.bind("customer_id", customerId)
                .bind("publish_id", publication.publishId()))) {
            points.add(new RfmHistoryPoint(LocalDate.parse(row.get("snapshot_date").asText()),
                    row.get("segment").asText(), Long.parseLong(row.get("monetary").asText())));
        }
        return points;
    }

    /** WHERE from constant fragments, one per filter the query has; the values are bound by bindFilters. */
    private static String where(CustomerQuery query) {
        StringBuilder where = new StringBuilder("WHERE 1");
        query.segment().ifPresent(s -> where.append(" AND segment = {segment}"));
        // Nullable columns: a customer without predictions compares as NULL, which WHERE treats as false.
        query.churnRisk().ifPresent(c -> where.append(" AND churn_risk = {churn_risk}"));
        query.clvMinCents().ifPresent(c -> where.append(" AND clv_12m_cents >= {clv_min}"));
        query.clvMaxCents().ifPresent(c -> where.append(" AND clv_12m_cents <= {clv_max}"));
        query.idPrefix().ifPresent(q -> where.append(" AND startsWith(toString(customer_id), {id_prefix})"));
        return where.toString();
    }

    private static SqlTemplate bindFilters(SqlTemplate template, Publication publication, CustomerQuery query) {
        SqlTemplate t = template.bind("publish_id", publication.publishId());
        if (query.segment().isPresent()) {
            t = t.bind("segment", query.segment().get().key());
        }
        if (query.churnRisk().isPresent()) {
            t = t.bind("churn_risk", query.churnRisk().get());
        }
        if (query.clvMinCents().isPresent()) {
            t = t.bind("clv_min", query.clvMinCents().getAsLong());
        }
        if (query.clvMaxCents().isPresent()) {
            t = t.bind("clv_max", query.clvMaxCents().getAsLong());
        }
        if (query.idPrefix().isPresent()) {
            t = t.bind("id_prefix", query.idPrefix().get());
        }
        return t;
    }

    private static CustomerRow row(JsonNode row) {
        JsonNode recency = row.get("rfm_recency");
        String status = text(row, "prediction_status");
        Optional<CustomerPredictions> predictions = Optional.empty();
        if ("PREDICTED".equals(status) && !isNull(row, "clv") && !isNull(row, "churn_risk")
                && !isNull(row, "probability_alive")) {
            String next = text(row, "next_order");
            predictions = Optional.of(new CustomerPredictions(
                    row.get("expected_orders_30d").asDouble(), row.get("expected_orders_90d").asDouble(),
                    row.get("expected_orders_365d").asDouble(), row.get("probability_alive").asDouble(),
                    cents(row, "order_value"), cents(row, "clv"), cents(row, "clv_low"), cents(row, "clv_high"),
                    text(row, "churn_risk"), next == null ? Optional.empty() : Optional.of(LocalDate.parse(next))));
        }
        return new CustomerRow(Long.parseLong(row.get("cid").asText()), row.get("segment").asText(),
                recency == null || recency.isNull() ? OptionalInt.empty() : OptionalInt.of(recency.asInt()),
                row.get("frequency").asLong(), Long.parseLong(row.get("monetary").asText()),
                row.get("r_score").asInt(), row.get("f_score").asInt(), row.get("m_score").asInt(),
                status == null || status.isEmpty() ? Optional.empty() : Optional.of(status), predictions);
    }

    private static boolean isNull(JsonNode row, String field) {
        JsonNode value = row.get(field);
        return value == null || value.isNull();
    }

    private static String text(JsonNode row, String field) {
        return isNull(row, field) ? null : row.get(field).asText();
    }

    private static long cents(JsonNode row, String field) {
        return isNull(row, field) ? 0 : Long.parseLong(row.get(field).asText());
    }
}
