package com.ecomcrm.pipelines;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.clickhouse.ShopScope;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
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
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class PublishJobTest {
    private static final LocalDate AS_OF = LocalDate.of(2026, 11, 28);
    private static final String SHOP = "pub-" + UUID.randomUUID().toString().substring(0, 8) + ".myshopify.com";
    private static final String OTHER = "pub-" + UUID.randomUUID().toString().substring(0, 8) + ".myshopify.com";

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
            for (String shop : List.of(SHOP, OTHER)) {
                for (String table : List.of("customer_rfm", "segment_summary", "shop_publications")) {
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
}
