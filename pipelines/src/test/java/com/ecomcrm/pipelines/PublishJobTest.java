package com.ecomcrm.pipelines;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.clickhouse.ShopScope;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Date;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.sql.Timestamp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class PublishJobTest {
    private static final LocalDate AS_OF = LocalDate.of(2026, 11, 28);
    private static final String SHOP = "pub-" + UUID.randomUUID().toString().substring(0, 8) + ".myshopify.com";
    private static final String OTHER = "pub-" + UUID.randomUUID().toString().substring(0, 8) + ".myshopify.com";
    private static final String MOVER = "pub-" + UUID.randomUUID().toString().substring(0, 8) + ".myshopify.com";
    private static final String BUYER = "pub-" + UUID.randomUUID().toString().substring(0, 8) + ".myshopify.com";
    private static final String CLEANED = "pub-" + UUID.randomUUID().toString().substring(0, 8) + ".myshopify.com";
    private static final String ALSO_CLEANED = "pub-" + UUID.randomUUID().toString().substring(0, 8) + ".myshopify.com";
    private static final String BYSTANDER = "pub-" + UUID.randomUUID().toString().substring(0, 8) + ".myshopify.com";
    private static final List<String> TABLES = List.of("customer_rfm", "segment_summary", "segment_overview",
            "segment_transitions",
            "shop_daily_kpis", "customer_segment_history", "segment_history_dates", "customer_orders", "shop_publications");

    @TempDir
    static Path temp;
    static TestLakehouse lake;
    static ClickHouseGateway gateway;

    @BeforeAll
    static void start() {
        lake = TestLakehouse.start(temp.resolve("warehouse"));
        gateway = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment());
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            for (String shop : List.of(SHOP, OTHER, MOVER, BUYER, CLEANED, ALSO_CLEANED, BYSTANDER)) {
                for (String table : TABLES) {
                    gateway.forShop(ShopId.of(shop)).execute(
                            SqlTemplate.of("ALTER TABLE " + table + " DELETE WHERE shop_id = {shop}"));
                }
            }
            gateway.close();
        }
        if (lake != null) {
            lake.close();
        }
    }

    private static Row gold(String shop, long customer, Integer recency, int frequency, String monetary, int r,
                            int f, int m, String segment) {
        return RowFactory.create(shop, Date.valueOf(AS_OF), customer, recency, frequency, new BigDecimal(monetary),
                r, f, m, segment);
    }

    private static List<JsonNode> select(ShopScope scope, String sql, long publishId) {
        return scope.select(SqlTemplate.of(sql).bind("p", publishId));
    }

    @Test
    void publishesAShopAtomicallyAndDropsOlderPublications() throws Exception {
        var schema = lake.spark.table(lake.lakehouse.customerRfm()).schema();
        lake.spark.createDataFrame(List.of(
                gold(SHOP, 1, 0, 3, "200.00", 4, 5, 4, "LOYAL"),
                gold(SHOP, 2, 8, 2, "60.05", 3, 4, 3, "LOYAL"),
                gold(SHOP, 3, 90, 1, "10.00", 1, 1, 1, "DORMANT"),
                gold(SHOP, 4, null, 0, "0.00", 0, 0, 0, "PROSPECTS"),
                gold(OTHER, 1, 5, 1, "1.00", 1, 1, 1, "DORMANT")), schema)
                .writeTo(lake.lakehouse.customerRfm()).append();
        ShopScope scope = gateway.forShop(ShopId.of(SHOP));
        Clock first = Clock.fixed(Instant.parse("2026-11-29T02:00:00Z"), ZoneOffset.UTC);

        PublishJob.Result one = PublishJob.run(lake.spark, lake.lakehouse, gateway, AS_OF, first);

        long p1 = one.publishIds().get(SHOP);
        assertThat(scope.currentPublication()).isEqualTo(p1);
        assertThat(one.customers()).containsEntry(SHOP, 4L).containsEntry(OTHER, 1L);
        List<JsonNode> rows = select(scope, "SELECT customer_id, recency_days, frequency, monetary_cents, r_score, "
                + "f_score, m_score, segment FROM customer_rfm WHERE shop_id = {shop} AND publish_id = {p} "
                + "ORDER BY customer_id", p1);
        // Compared as values: how 64-bit integers are quoted in JSON differs between ClickHouse releases.
        assertThat(rows).extracting(n -> n.get("customer_id").asLong() + " " + n.get("recency_days").asInt() + " "
                + n.get("frequency").asInt() + " " + n.get("monetary_cents").asLong() + " " + n.get("r_score").asInt()
                + " " + n.get("f_score").asInt() + " " + n.get("m_score").asInt() + " " + n.get("segment").asText())
                .containsExactly(
                        "1 0 3 20000 4 5 4 LOYAL",
                        "2 8 2 6005 3 4 3 LOYAL",
                        "3 90 1 1000 1 1 1 DORMANT",
                        "4 -1 0 0 0 0 0 PROSPECTS");
        List<JsonNode> summary = select(scope, "SELECT segment, customers, revenue_cents FROM segment_summary "
                + "WHERE shop_id = {shop} AND publish_id = {p} ORDER BY segment", p1);
        assertThat(summary).extracting(n -> n.get("segment").asText() + " " + n.get("customers").asLong() + " "
                + n.get("revenue_cents").asLong())
                .containsExactly("DORMANT 1 1000", "LOYAL 2 26005", "PROSPECTS 1 0");
        // The segment cards: the same customers and revenue; no predictions ran for the date, so none predicted.
        List<JsonNode> overview = select(scope, "SELECT segment, customers, revenue_cents, predicted_customers,"
                + " clv_12m_sum_cents FROM segment_overview WHERE shop_id = {shop} AND publish_id = {p}"
                + " ORDER BY segment", p1);
        assertThat(overview).extracting(n -> n.get("segment").asText() + " " + n.get("customers").asLong() + " "
                + n.get("revenue_cents").asLong() + " " + n.get("predicted_customers").asLong() + " "
                + n.get("clv_12m_sum_cents").asLong())
                .containsExactly("DORMANT 1 1000 0 0", "LOYAL 2 26005 0 0", "PROSPECTS 1 0 0 0");

        // A second publish (even with a clock that went backwards) gets a larger id and removes the first.
        PublishJob.Result two = PublishJob.run(lake.spark, lake.lakehouse, gateway, AS_OF,
                Clock.fixed(Instant.parse("2026-11-28T02:00:00Z"), ZoneOffset.UTC));
        long p2 = two.publishIds().get(SHOP);
        assertThat(p2).isGreaterThan(p1);
        assertThat(scope.currentPublication()).isEqualTo(p2);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(select(scope,
                "SELECT count() AS n FROM customer_rfm WHERE shop_id = {shop} AND publish_id = {p}", p1)
                .get(0).get("n").asLong()).isZero());
        assertThat(select(scope, "SELECT count() AS n FROM customer_rfm WHERE shop_id = {shop} AND publish_id = {p}",
                p2).get(0).get("n").asLong()).isEqualTo(4);
    }

    @Test
    void theCleanUpDropsOnlyEachPublishedShopsSupersededPublicationsAndNeverAnotherShops() {
        // Three shops with publications 1 and 2; the run published CLEANED (as 2) and ALSO_CLEANED (as 2), not BYSTANDER.
        for (String shop : List.of(CLEANED, ALSO_CLEANED, BYSTANDER)) {
            for (long id : List.of(1L, 2L)) {
                Map<String, Object> publication = new HashMap<>();
                publication.put("publish_id", id);
                publication.put("as_of_date", AS_OF);
                publication.put("published_at", Instant.parse("2026-11-29T02:00:00Z"));
                publication.put("customers", 1L);
                gateway.forShop(ShopId.of(shop)).insertRows("shop_publications", List.of(publication));
            }
        }

        PublishJob.dropSupersededPublications(gateway.admin(), Map.of(CLEANED, 2L, ALSO_CLEANED, 2L));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(publications(CLEANED)).containsExactly(2L);
            assertThat(publications(ALSO_CLEANED)).containsExactly(2L);
        });
        assertThat(publications(BYSTANDER)).as("a shop this run did not publish keeps every row").containsExactly(1L, 2L);
    }

    private static List<Long> publications(String shop) {
        return gateway.forShop(ShopId.of(shop)).select(SqlTemplate.of(
                        "SELECT toString(publish_id) AS p FROM shop_publications WHERE shop_id = {shop} ORDER BY publish_id"))
                .stream().map(n -> Long.parseLong(n.get("p").asText())).toList();
    }

    private static Row rfm(String shop, LocalDate date, long customer, String monetary, String segment) {
        return RowFactory.create(shop, Date.valueOf(date), customer, 1, 1, new BigDecimal(monetary), 3, 3, 3, segment);
    }

    private static Row kpi(String shop, LocalDate day, long orders, String revenue, String aov, long customers,
                           long repeat, String rate) {
        return RowFactory.create(shop, Date.valueOf(day), orders, new BigDecimal(revenue), new BigDecimal(aov),
                orders, 0L, orders, customers, repeat, new BigDecimal(rate));
    }

    private static <T> List<String> lines(ShopScope scope, String sql, java.util.function.Function<JsonNode, T> line) {
        return scope.select(SqlTemplate.of(sql)).stream().map(line).map(String::valueOf).toList();
    }

    /** Slices of the history: "date publish_id rows" per (date, publish_id) present in customer_segment_history. */
    private static List<String> historySlices(ShopScope scope) {
        return lines(scope, "SELECT toString(as_of_date) AS d, toString(publish_id) AS p, count() AS n"
                + " FROM customer_segment_history WHERE shop_id = {shop} GROUP BY d, p ORDER BY d, p",
                n -> n.get("d").asText() + " " + n.get("p").asText() + " " + n.get("n").asLong());
    }

    @Test
    void publishesTransitionsKpisAndKeepsOneHistorySlicePerDate() throws Exception {
        LocalDate e1 = LocalDate.of(2026, 12, 1);
        LocalDate e2 = LocalDate.of(2026, 12, 2);
        lake.spark.createDataFrame(List.of(
                        rfm(MOVER, e1, 1, "100.00", "LOYAL"), rfm(MOVER, e1, 2, "5.00", "NEW"),
                        rfm(MOVER, e2, 1, "150.00", "CHAMPIONS"), rfm(MOVER, e2, 3, "7.00", "NEW")),
                lake.spark.table(lake.lakehouse.customerRfm()).schema()).writeTo(lake.lakehouse.customerRfm()).append();
        lake.spark.createDataFrame(List.of(
                        kpi(MOVER, e1, 2, "105.00", "52.50", 2, 0, "0.0000"),
                        kpi(MOVER, e2, 2, "52.01", "26.01", 3, 1, "0.3333"),
                        kpi(MOVER, e2.plusDays(1), 9, "9.00", "1.00", 9, 9, "1.0000")), // after e2: not published
                lake.spark.table(lake.lakehouse.shopDailyKpis()).schema()).writeTo(lake.lakehouse.shopDailyKpis())
                .append();
        ShopScope scope = gateway.forShop(ShopId.of(MOVER));

        long p1 = PublishJob.run(lake.spark, lake.lakehouse, gateway, e1, Clock.systemUTC()).publishIds().get(MOVER);
        SegmentTransitionsJob.run(lake.spark, lake.lakehouse, e2);
        PublishJob.Result second = PublishJob.run(lake.spark, lake.lakehouse, gateway, e2, Clock.systemUTC());
        long p2 = second.publishIds().get(MOVER);

        assertThat(second.transitionRows()).isEqualTo(3);
        assertThat(second.kpiRows()).isEqualTo(2);
        assertThat(lines(scope, "SELECT toString(from_date) AS f, toString(to_date) AS t, from_segment, to_segment,"
                + " customers, revenue_cents FROM segment_transitions WHERE shop_id = {shop} AND publish_id = "
                + p2 + " ORDER BY from_segment, to_segment", n -> n.get("f").asText() + " " + n.get("t").asText()
                + " " + n.get("from_segment").asText() + " " + n.get("to_segment").asText() + " "
                + n.get("customers").asLong() + " " + n.get("revenue_cents").asLong()))
                .containsExactly("2026-12-01 2026-12-02 LOYAL CHAMPIONS 1 15000",
                        "2026-12-01 2026-12-02 NEW NONE 1 0",
                        "2026-12-01 2026-12-02 NONE NEW 1 700");
        assertThat(lines(scope, "SELECT toString(kpi_date) AS d, orders, revenue_cents, aov_cents, customers,"
                + " repeat_customers, repeat_rate FROM shop_daily_kpis WHERE shop_id = {shop} AND publish_id = "
                + p2 + " ORDER BY kpi_date", n -> n.get("d").asText() + " " + n.get("orders").asLong() + " "
                + n.get("revenue_cents").asLong() + " " + n.get("aov_cents").asLong() + " "
                + n.get("customers").asLong() + " " + n.get("repeat_customers").asLong() + " "
                + n.get("repeat_rate").asDouble()))
                .containsExactly("2026-12-01 2 10500 5250 2 0 0.0", "2026-12-02 2 5201 2601 3 1 0.3333");
        // Both dates' slices stay, each listed under the publication that wrote it.
        assertThat(historySlices(scope)).containsExactly("2026-12-01 " + p1 + " 2", "2026-12-02 " + p2 + " 2");
        assertThat(lines(scope, "SELECT toString(as_of_date) AS d, toString(publish_id) AS p, customers"
                        + " FROM segment_history_dates WHERE shop_id = {shop} ORDER BY d, p",
                n -> n.get("d").asText() + " " + n.get("p").asText() + " " + n.get("customers").asLong()))
                .containsExactly("2026-12-01 " + p1 + " 2", "2026-12-02 " + p2 + " 2");

        // Publishing e2 again replaces e2's slice (once the mutation has run) and leaves e1's.
        long p3 = PublishJob.run(lake.spark, lake.lakehouse, gateway, e2, Clock.systemUTC()).publishIds().get(MOVER);
        assertThat(p3).isGreaterThan(p2);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(historySlices(scope))
                .containsExactly("2026-12-01 " + p1 + " 2", "2026-12-02 " + p3 + " 2"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(lines(scope,
                "SELECT toString(publish_id) AS p FROM segment_history_dates WHERE shop_id = {shop} ORDER BY p",
                n -> n.get("p").asText())).containsExactly(String.valueOf(p1), String.valueOf(p3)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(lines(scope,
                "SELECT DISTINCT toString(publish_id) AS p FROM shop_daily_kpis WHERE shop_id = {shop}",
                n -> n.get("p").asText())).containsExactly(String.valueOf(p3)));
    }

    /** A row of {@code table} from named values, the other columns null (robust to columns added later). */
    private static Row rowOf(StructType schema, Map<String, Object> values) {
        Object[] cells = new Object[schema.fields().length];
        for (int i = 0; i < cells.length; i++) {
            cells[i] = values.get(schema.fields()[i].name());
        }
        assertThat(values.keySet()).as("columns of the test row").isSubsetOf(List.of(schema.fieldNames()));
        return RowFactory.create(cells);
    }

    private static Row order(StructType schema, String shop, long orderId, Long customer, String name,
                             String processedAt, String total, String refunded, String status, boolean cancelled,
                             boolean test) {
        Map<String, Object> values = new HashMap<>();
        values.put("shop_id", shop);
        values.put("order_id", orderId);
        values.put("customer_id", customer);
        values.put("name", name);
        values.put("created_at", Timestamp.from(Instant.parse(processedAt).minusSeconds(60)));
        values.put("processed_at", Timestamp.from(Instant.parse(processedAt)));
        values.put("updated_at", Timestamp.from(Instant.parse(processedAt)));
        values.put("cancelled_at", cancelled ? Timestamp.from(Instant.parse(processedAt).plusSeconds(3600)) : null);
        values.put("financial_status", status);
        values.put("currency", "EUR");
        values.put("total_price", new BigDecimal(total));
        values.put("total_refunded", refunded == null ? null : new BigDecimal(refunded));
        values.put("test", test);
        return rowOf(schema, values);
    }

    private static Row line(StructType schema, String shop, long orderId, long lineId) {
        return rowOf(schema, Map.of("shop_id", shop, "order_id", orderId, "line_id", lineId, "quantity", 1,
                "unit_price", new BigDecimal("1.00"), "updated_at", Timestamp.from(Instant.parse("2026-11-01T00:00:00Z"))));
    }

    @Test
    void publishesEveryCustomersOrdersUpToTheDateWithRefundsCancellationsAndLineCounts() throws Exception {
        lake.spark.createDataFrame(List.of(gold(BUYER, 7, 1, 2, "150.00", 4, 4, 4, "LOYAL"),
                        gold(BUYER, 8, 30, 1, "10.00", 2, 1, 1, "NEW")),
                lake.spark.table(lake.lakehouse.customerRfm()).schema()).writeTo(lake.lakehouse.customerRfm()).append();
        StructType orders = lake.spark.table(lake.lakehouse.orders()).schema();
        lake.spark.createDataFrame(List.of(
                order(orders, BUYER, 1001, 7L, "#1001", "2026-10-01T09:30:00Z", "100.00", "25.50",
                        "PARTIALLY_REFUNDED", false, false),
                order(orders, BUYER, 1002, 7L, "#1002", "2026-11-27T23:59:00Z", "75.25", null, "PAID", false, false),
                order(orders, BUYER, 1003, 7L, "#1003", "2026-11-20T12:00:00Z", "40.00", "40.00", "REFUNDED", true,
                        false),
                // After the as-of day, a test order, an order without a customer: none on the timeline.
                order(orders, BUYER, 1004, 7L, "#1004", "2026-11-29T00:00:00Z", "9.00", null, "PAID", false, false),
                order(orders, BUYER, 1005, 7L, "#1005", "2026-11-02T00:00:00Z", "9.00", null, "PAID", false, true),
                order(orders, BUYER, 1006, null, "#1006", "2026-11-02T00:00:00Z", "9.00", null, "PAID", false, false),
                order(orders, BUYER, 2001, 8L, "#2001", "2026-10-30T08:00:00Z", "10.00", "0.00", "PAID", false, false)),
                orders).writeTo(lake.lakehouse.orders()).append();
        StructType lines = lake.spark.table(lake.lakehouse.orderLines()).schema();
        lake.spark.createDataFrame(List.of(line(lines, BUYER, 1001, 1), line(lines, BUYER, 1001, 2),
                line(lines, BUYER, 1001, 3), line(lines, BUYER, 1002, 4), line(lines, BUYER, 2001, 5)), lines)
                .writeTo(lake.lakehouse.orderLines()).append();
        ShopScope scope = gateway.forShop(ShopId.of(BUYER));

        PublishJob.Result result = PublishJob.run(lake.spark, lake.lakehouse, gateway, AS_OF,
                Clock.fixed(Instant.parse("2026-11-29T03:00:00Z"), ZoneOffset.UTC));

        long publishId = result.publishIds().get(BUYER);
        assertThat(result.orderRows()).isEqualTo(4);
        assertThat(result.metrics()).containsEntry("orders", 4L);
        assertThat(lines(scope, "SELECT toString(customer_id) AS c, toString(order_id) AS o, order_name,"
                        + " toString(toUnixTimestamp(processed_at)) AS t, financial_status, toString(total_cents) AS tc,"
                        + " toString(refunded_cents) AS rc, toString(net_cents) AS nc, line_count, cancelled"
                        + " FROM customer_orders WHERE shop_id = {shop} AND publish_id = " + publishId
                        + " ORDER BY customer_id, processed_at",
                n -> String.join(" ", n.get("c").asText(), n.get("o").asText(), n.get("order_name").asText(),
                        n.get("t").asText(), n.get("financial_status").asText(), n.get("tc").asText(),
                        n.get("rc").asText(), n.get("nc").asText(), n.get("line_count").asText(),
                        n.get("cancelled").asText())))
                .containsExactly(
                        "7 1001 #1001 " + Instant.parse("2026-10-01T09:30:00Z").getEpochSecond()
                                + " PARTIALLY_REFUNDED 10000 2550 7450 3 0",
                        "7 1003 #1003 " + Instant.parse("2026-11-20T12:00:00Z").getEpochSecond()
                                + " REFUNDED 4000 4000 0 0 1",
                        "7 1002 #1002 " + Instant.parse("2026-11-27T23:59:00Z").getEpochSecond()
                                + " PAID 7525 0 7525 1 0",
                        "8 2001 #2001 " + Instant.parse("2026-10-30T08:00:00Z").getEpochSecond()
                                + " PAID 1000 0 1000 1 0");
        // The orders belong to the publication: the shop's current one is the one that carries them.
        assertThat(scope.currentPublication()).isEqualTo(publishId);
        assertThat(lines(gateway.forShop(ShopId.of(OTHER)), "SELECT count() AS n FROM customer_orders"
                + " WHERE shop_id = {shop}", n -> n.get("n").asLong())).containsExactly("0");
    }
}
