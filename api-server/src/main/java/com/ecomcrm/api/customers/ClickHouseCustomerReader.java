package com.ecomcrm.api.customers;

import com.ecomcrm.api.analytics.Publication;
import com.ecomcrm.api.serving.ServingClickHouse;
import com.ecomcrm.api.serving.ServingScope;
import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * Customers from ClickHouse, only of the shop's current publication (the largest publish_id in
 * {@code shop_publications}, whose row is written last, so rows of a publish still being written are never seen).
 * The {@code current*} reads pick it inside their own query (no round trip of its own) and return the publication
 * their rows came from; the others are given it (the CSV export streams the publication its count read).
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
    /**
     * The shop's current publication, picked inside the query that reads it (no round trip of its own). On current
     * ClickHouse releases identical scalar subqueries of one query are evaluated once (the scalar cache), so every
     * use in a query reads the same publication; every read also returns the publication its rows came from
     * ({@link CurrentRead}), and the reads of one answer are checked against each other.
     */
    static final String CURRENT = "(SELECT max(publish_id) FROM shop_publications WHERE shop_id = {shop})";
    /** Given publication: a bound id. */
    private static final String GIVEN = "{publish_id}";
    private static final String ONE_CUSTOMER = " AND customer_id = {customer_id}";
    /** The id search on both sides of the join: the prediction side then holds only the candidates. */
    private static final String ID_PREFIX = " AND startsWith(toString(customer_id), {id_prefix})";
    /**
     * The customers joined with their predictions; %1$s is the publication ({@link #CURRENT} or {@link #GIVEN}), %2$s
     * a condition on customer_id applied to both sides before the join (so one customer's read does not build the
     * shop's whole prediction table into the join), or nothing.
     * Each side says which publication its row came from ({@code publication}, {@code prediction_publication}: ''
     * for a customer without a prediction row).
     */
    private static final String JOINED = """
            FROM (
                SELECT customer_id, toString(publish_id) AS publication, toString(as_of_date) AS as_of,
                       if(recency_days < 0, NULL, recency_days) AS rfm_recency, frequency,
                       monetary_cents, r_score, f_score, m_score, segment
                FROM customer_rfm
                WHERE shop_id = {shop} AND publish_id = %1$s%2$s
            ) ANY LEFT JOIN (
                SELECT customer_id, toString(publish_id) AS prediction_publication, prediction_status,
                       expected_orders_30d, expected_orders_90d, expected_orders_365d,
                       probability_alive, expected_order_value_cents, clv_12m_cents, clv_low_cents, clv_high_cents,
                       churn_risk, next_order_date
                FROM customer_predictions
                WHERE shop_id = {shop} AND publish_id = %1$s%2$s
            ) USING (customer_id)
            """;
    /** The rows of {@link #JOINED} without the predictions: what a count without a prediction filter needs. */
    private static final String RFM_ONLY = """
            FROM (
                SELECT customer_id, toString(publish_id) AS publication, toString(as_of_date) AS as_of, segment
                FROM customer_rfm
                WHERE shop_id = {shop} AND publish_id = %1$s%2$s
            )
            """;
    private static final String COLUMNS = """
            SELECT toString(customer_id) AS cid, segment, rfm_recency, frequency, toString(monetary_cents) AS monetary,
                   r_score, f_score, m_score, prediction_status, expected_orders_30d, expected_orders_90d,
                   expected_orders_365d, probability_alive, toString(expected_order_value_cents) AS order_value,
                   toString(clv_12m_cents) AS clv, toString(clv_low_cents) AS clv_low,
                   toString(clv_high_cents) AS clv_high, churn_risk, toString(next_order_date) AS next_order,
                   publication, as_of, prediction_publication
            """;
    /** The cells of {@link #COLUMNS}, as {@link #stream} reads them. */
    static final int EXPORT_COLUMNS = 22;
    private static final SqlTemplate ONE = SqlTemplate.of(COLUMNS + JOINED.formatted(GIVEN, ONE_CUSTOMER)
            + "LIMIT 1");
    private static final SqlTemplate CURRENT_ONE = SqlTemplate.of(COLUMNS + JOINED.formatted(CURRENT, ONE_CUSTOMER)
            + "LIMIT 1");
    /** Whether the customer is in the current publication, and which that is: customer_rfm alone. */
    private static final SqlTemplate CURRENT_MEMBER = SqlTemplate.of("""
            SELECT toString(publish_id) AS publication, toString(as_of_date) AS as_of FROM customer_rfm
            WHERE shop_id = {shop} AND publish_id = %s AND customer_id = {customer_id}
            LIMIT 1""".formatted(CURRENT));
    /**
     * Per date, the newest slice listed up to the current publication (so an unswitched publish is not read). From
     * customer_segment_timeline, customer_segment_history sorted by customer (V8): the customer's rows only, not one
     * granule of every published date of the shop.
     */
    private static final SqlTemplate HISTORY = SqlTemplate.of("""
            SELECT toString(as_of_date) AS snapshot_date, segment, toString(monetary_cents) AS monetary
            FROM customer_segment_timeline
            WHERE shop_id = {shop} AND customer_id = {customer_id}
              AND (as_of_date, publish_id) IN (
                  SELECT as_of_date, max(publish_id) FROM segment_history_dates
                  WHERE shop_id = {shop} AND publish_id <= {publish_id}
                  GROUP BY as_of_date)
            ORDER BY as_of_date""");
    /**
     * {@link #HISTORY} up to the current publication, with the publication it was read up to on every row (a scalar
     * subquery like the filter's, see {@link #CURRENT}).
     */
    private static final SqlTemplate CURRENT_HISTORY = SqlTemplate.of("""
            SELECT toString(as_of_date) AS snapshot_date, segment, toString(monetary_cents) AS monetary,
                   toString(%1$s) AS current_publication
            FROM customer_segment_timeline
            WHERE shop_id = {shop} AND customer_id = {customer_id}
              AND (as_of_date, publish_id) IN (
                  SELECT as_of_date, max(publish_id) FROM segment_history_dates
                  WHERE shop_id = {shop} AND publish_id <= %1$s
                  GROUP BY as_of_date)
            ORDER BY as_of_date""".formatted(CURRENT));

    private final ServingClickHouse clickHouse;

    /** Reads straight from ClickHouse, nothing kept (tests of the reader). */
    public ClickHouseCustomerReader(ClickHouseGateway clickHouse) {
        this(ServingClickHouse.uncached(clickHouse));
    }

    /** Reads through the serving cache of the shop's current publication (the API server). */
    public ClickHouseCustomerReader(ServingClickHouse clickHouse) {
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
        // Without a filter on a prediction column the count needs no join: the dashboard's default list, segment
        // filter and id search count one table.
        SqlTemplate count = SqlTemplate.of("SELECT toString(count()) AS matched\n"
                + (predictionFilter(query) ? JOINED : RFM_ONLY).formatted(GIVEN, pushed(query)) + where(query));
        List<JsonNode> rows = clickHouse.forShop(shop).select(bindFilters(count, query)
                .bind("publish_id", publication.publishId()));
        return rows.isEmpty() ? 0 : Long.parseLong(rows.get(0).get("matched").asText());
    }

    @Override
    public CurrentRead<Long> currentCount(ShopId shop, CustomerQuery query) {
        boolean joined = predictionFilter(query);
        // Grouped by publication: no row when nothing matches (the publication is then unknown, and the count 0).
        SqlTemplate count = SqlTemplate.of("SELECT publication, as_of, toString(count()) AS matched"
                + (joined ? ", groupUniqArray(prediction_publication) AS prediction_publications" : "") + "\n"
                + (joined ? JOINED : RFM_ONLY).formatted(CURRENT, pushed(query)) + where(query) + "\nGROUP BY publication, as_of");
        List<JsonNode> rows = clickHouse.forShop(shop).select(bindFilters(count, query));
        if (rows.isEmpty()) {
            return new CurrentRead<>(Optional.empty(), 0L);
        }
        if (rows.size() > 1) {
            throw new PublicationChanged("the customer count");
        }
        JsonNode row = rows.get(0);
        Publication publication = publication(row);
        if (joined) {
            for (JsonNode predictionPublication : row.get("prediction_publications")) {
                if (!matches(publication, predictionPublication.asText())) {
                    throw new PublicationChanged("the customer count's predictions");
                }
            }
        }
        return new CurrentRead<>(Optional.of(publication), Long.parseLong(row.get("matched").asText()));
    }

    @Override
    public List<CustomerRow> page(ShopId shop, Publication publication, CustomerQuery query) {
        List<CustomerRow> customers = new ArrayList<>();
        for (JsonNode row : clickHouse.forShop(shop).select(page(GIVEN, query)
                .bind("publish_id", publication.publishId()))) {
            customers.add(row(row));
        }
        return customers;
    }

    @Override
    public CurrentRead<List<CustomerRow>> currentPage(ShopId shop, CustomerQuery query) {
        List<JsonNode> rows = clickHouse.forShop(shop).select(page(CURRENT, query));
        Optional<Publication> publication = rows.isEmpty() ? Optional.empty() : Optional.of(publication(rows.get(0)));
        List<CustomerRow> customers = new ArrayList<>(rows.size());
        for (JsonNode row : rows) {
            checkOnePublication(publication.get(), row, "a page of customers");
            customers.add(row(row));
        }
        return new CurrentRead<>(publication, customers);
    }

    @Override
    public long stream(ShopId shop, Publication publication, CustomerQuery query, long limit,
                       Consumer<CustomerRow> rows) {
        requireNonNull(rows, "rows is null");
        SqlTemplate all = export(publication, query, limit);
        // TabSeparated rather than JSONEachRow: an export is thousands of rows read by position, and the JSON tree
        // of every row was most of the API's CPU per export.
        return clickHouse.forShop(shop).streamTabSeparated(all, EXPORT_COLUMNS, cells -> rows.accept(row(cells)));
    }

    /** The export's one query: every matching customer of the publication in the query's order, {@link #COLUMNS}. */
    static SqlTemplate export(Publication publication, CustomerQuery query, long limit) {
        SqlTemplate all = SqlTemplate.of(COLUMNS + JOINED.formatted(GIVEN, pushed(query)) + where(query)
                + "\nORDER BY {sort_column} {direction}, customer_id ASC LIMIT {limit}");
        return bindFilters(all, query)
                .bindIdentifier("sort_column", query.sort().column())
                .bindIdentifier("direction", query.descending() ? "DESC" : "ASC")
                .bind("limit", limit)
                .bind("publish_id", publication.publishId());
    }

    private static SqlTemplate page(String publication, CustomerQuery query) {
        SqlTemplate page = SqlTemplate.of(COLUMNS + JOINED.formatted(publication, pushed(query)) + where(query)
                + "\nORDER BY {sort_column} {direction}, customer_id ASC LIMIT {offset}, {limit}");
        return bindFilters(page, query)
                .bindIdentifier("sort_column", query.sort().column())
                .bindIdentifier("direction", query.descending() ? "DESC" : "ASC")
                .bind("offset", query.offset())
                .bind("limit", query.pageSize());
    }

    @Override
    public Optional<CustomerRow> customer(ShopId shop, Publication publication, long customerId) {
        List<JsonNode> rows = clickHouse.forShop(shop).select(ONE.bind("publish_id", publication.publishId())
                .bind("customer_id", customerId));
        return rows.isEmpty() ? Optional.empty() : Optional.of(row(rows.get(0)));
    }

    @Override
    public CurrentRead<Optional<CustomerRow>> currentCustomer(ShopId shop, long customerId) {
        List<JsonNode> rows = clickHouse.forShop(shop).select(CURRENT_ONE.bind("customer_id", customerId));
        if (rows.isEmpty()) {
            return new CurrentRead<>(Optional.empty(), Optional.empty());
        }
        Publication publication = publication(rows.get(0));
        checkOnePublication(publication, rows.get(0), "the customer");
        return new CurrentRead<>(Optional.of(publication), Optional.of(row(rows.get(0))));
    }

    @Override
    public Optional<Publication> currentPublicationOf(ShopId shop, long customerId) {
        List<JsonNode> rows = clickHouse.forShop(shop).select(CURRENT_MEMBER.bind("customer_id", customerId));
        return rows.isEmpty() ? Optional.empty() : Optional.of(publication(rows.get(0)));
    }

    @Override
    public CurrentHistory currentHistory(ShopId shop, long customerId) {
        List<JsonNode> rows = clickHouse.forShop(shop).select(CURRENT_HISTORY.bind("customer_id", customerId));
        List<RfmHistoryPoint> points = new ArrayList<>(rows.size());
        String upTo = null;
        for (JsonNode row : rows) {
            String current = row.get("current_publication").asText();
            if (upTo != null && !upTo.equals(current)) {
                throw new PublicationChanged("the customer's history");
            }
            upTo = current;
            points.add(point(row));
        }
        return new CurrentHistory(upTo == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(upTo)), points);
    }

    @Override
    public List<RfmHistoryPoint> history(ShopId shop, Publication publication, long customerId) {
        List<RfmHistoryPoint> points = new ArrayList<>();
        ServingScope scope = clickHouse.forShop(shop);
        for (JsonNode row : scope.select(HISTORY.bind("customer_id", customerId)
                .bind("publish_id", publication.publishId()))) {
            points.add(point(row));
        }
        return points;
    }

    /** The filters on customer_id, applied inside the subqueries (before the join). */
    private static String pushed(CustomerQuery query) {
        return query.idPrefix().isPresent() ? ID_PREFIX : "";
    }

    /** WHERE from constant fragments, one per filter the query has; the values are bound by bindFilters. */
    private static String where(CustomerQuery query) {
        StringBuilder where = new StringBuilder("WHERE 1");
        query.segment().ifPresent(s -> where.append(" AND segment = {segment}"));
        // Nullable columns: a customer without predictions compares as NULL, which WHERE treats as false.
        query.churnRisk().ifPresent(c -> where.append(" AND churn_risk = {churn_risk}"));
        query.clvMinCents().ifPresent(c -> where.append(" AND clv_12m_cents >= {clv_min}"));
        query.clvMaxCents().ifPresent(c -> where.append(" AND clv_12m_cents <= {clv_max}"));
        // The id prefix is applied inside the subqueries (pushed).
        return where.toString();
    }

    /** ANY LEFT JOIN keeps exactly one row per customer_rfm row: only a prediction filter needs the join to count. */
    private static boolean predictionFilter(CustomerQuery query) {
        return query.churnRisk().isPresent() || query.clvMinCents().isPresent() || query.clvMaxCents().isPresent();
    }

    private static Publication publication(JsonNode row) {
        return new Publication(Long.parseLong(row.get("publication").asText()),
                LocalDate.parse(row.get("as_of").asText()));
    }

    /** A customer's prediction row, when it has one, is of the same publication as its RFM row. */
    private static void checkOnePublication(Publication publication, JsonNode row, String what) {
        if (!publication.equals(publication(row)) || !matches(publication, text(row, "prediction_publication"))) {
            throw new PublicationChanged(what);
        }
    }

    /** '' (no prediction row) matches any publication. */
    private static boolean matches(Publication publication, String predictionPublication) {
        return predictionPublication == null || predictionPublication.isEmpty()
                || Long.toString(publication.publishId()).equals(predictionPublication);
    }

    private static RfmHistoryPoint point(JsonNode row) {
        return new RfmHistoryPoint(LocalDate.parse(row.get("snapshot_date").asText()), row.get("segment").asText(),
                Long.parseLong(row.get("monetary").asText()));
    }

    private static SqlTemplate bindFilters(SqlTemplate template, CustomerQuery query) {
        SqlTemplate t = template;
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

    static CustomerRow row(JsonNode row) {
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

    /**
     * The same customer as {@link #row(JsonNode)} from the cells of {@link #COLUMNS} in their order (NULL as
     * {@code null}): a NULL number reads 0 as Jackson's {@code asDouble} did, so the export's bytes are unchanged.
     */
    static CustomerRow row(String[] cells) {
        String recency = cells[2];
        String status = cells[8];
        Optional<CustomerPredictions> predictions = Optional.empty();
        if ("PREDICTED".equals(status) && cells[14] != null && cells[17] != null && cells[12] != null) {
            String next = cells[18];
            predictions = Optional.of(new CustomerPredictions(
                    decimal(cells[9]), decimal(cells[10]), decimal(cells[11]), decimal(cells[12]),
                    cents(cells[13]), cents(cells[14]), cents(cells[15]), cents(cells[16]),
                    cells[17], next == null ? Optional.empty() : Optional.of(LocalDate.parse(next))));
        }
        return new CustomerRow(Long.parseLong(cells[0]), cells[1],
                recency == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(recency)),
                Long.parseLong(cells[3]), Long.parseLong(cells[4]),
                Integer.parseInt(cells[5]), Integer.parseInt(cells[6]), Integer.parseInt(cells[7]),
                status == null || status.isEmpty() ? Optional.empty() : Optional.of(status), predictions);
    }

    /** ClickHouse's text of a Float64; inf and nan read 0, as the JSON read got them (as null) did. */
    private static double decimal(String cell) {
        if (cell == null || cell.endsWith("inf") || cell.endsWith("nan")) {
            return 0;
        }
        return Double.parseDouble(cell);
    }

    private static long cents(String cell) {
        return cell == null ? 0 : Long.parseLong(cell);
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
