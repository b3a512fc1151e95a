package com.ecomcrm.api.segments;

import com.ecomcrm.api.templates.EmailApiHarness;
import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.schema.ClickHouseMigrator;
import com.ecomcrm.schema.ClickHouseTarget;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The average predicted 12-month CLV of each segment in {@code GET /api/segments}, computed by ClickHouse over the
 * shop's current publication (customers with a prediction only), on the whole API server.
 */
class SegmentClvApiTest {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final ShopId SHOP_A = ShopId.of("segclv-" + RUN + "-a.myshopify.com");
    private static final ShopId SHOP_B = ShopId.of("segclv-" + RUN + "-b.myshopify.com");
    private static final LocalDate D28 = LocalDate.of(2026, 11, 28);
    private static final List<String> TABLES = List.of("customer_rfm", "customer_predictions", "segment_summary",
            "shop_publications");

    @TempDir
    static Path landing;
    private static EmailApiHarness api;
    private static ClickHouseGateway clickHouse;

    @BeforeAll
    static void start() {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        new ClickHouseMigrator(ClickHouseTarget.fromEnv()).migrate();
        clickHouse = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment());
        api = EmailApiHarness.start(landing, Map.of());
        // The average predicted CLV is part of the plans with predictions (PlanGate; PlanGateApiTest covers Free).
        for (ShopId shop : List.of(SHOP_A, SHOP_B)) {
            api.sql("INSERT INTO shops (shop_domain, plan) VALUES ($1, 'starter') "
                    + "ON CONFLICT (shop_domain) DO UPDATE SET plan = 'starter'", shop.domain());
        }
        // A: LOYAL 1001 (100.00) and 1002 (200.01) average 150.005, rounded half up to 150.01; CHAMPIONS 1003 has
        // a prediction (1,040.00), 1004 a failed one without a value, 1001's id also exists in B; NEW 1005 has only
        // NO_ORDERS. The half-written publish 400 would put 1001 at 99,999.99.
        customers(SHOP_A, 300, Map.of(1001L, "LOYAL", 1002L, "LOYAL", 1003L, "CHAMPIONS", 1004L, "CHAMPIONS",
                1005L, "NEW"));
        predictions(SHOP_A, 300, List.of(predicted(1001, 10000L), predicted(1002, 20001L), predicted(1003, 104000L),
                status(1004, "MODEL_ERROR"), status(1005, "NO_ORDERS")));
        summary(SHOP_A, 300, Map.of("LOYAL", 2L, "CHAMPIONS", 2L, "NEW", 1L));
        publication(SHOP_A, 300);
        customers(SHOP_A, 400, Map.of(1001L, "LOYAL"));
        predictions(SHOP_A, 400, List.of(predicted(1001, 9999999L)));
        summary(SHOP_A, 400, Map.of("LOYAL", 1L));
        // B: the same id 1001, in LOYAL, predicted at 5.00.
        customers(SHOP_B, 20, Map.of(1001L, "LOYAL"));
        predictions(SHOP_B, 20, List.of(predicted(1001, 500L)));
        summary(SHOP_B, 20, Map.of("LOYAL", 1L));
        publication(SHOP_B, 20);
    }

    @AfterAll
    static void stop() {
        if (clickHouse != null) {
            for (ShopId shop : List.of(SHOP_A, SHOP_B)) {
                for (String table : TABLES) {
                    clickHouse.forShop(shop).execute(
                            SqlTemplate.of("ALTER TABLE " + table + " DELETE WHERE shop_id = {shop}"));
                }
            }
            clickHouse.close();
        }
        if (api != null) {
            api.close();
        }
    }

    private static void customers(ShopId shop, long publishId, Map<Long, String> segments) {
        List<Map<String, Object>> rows = new ArrayList<>();
        segments.forEach((id, segment) -> rows.add(Map.of("publish_id", publishId, "as_of_date", D28,
                "customer_id", id, "recency_days", 1, "frequency", 1, "monetary_cents", 100, "r_score", 3,
                "f_score", 3, "m_score", 3, "segment", segment)));
        clickHouse.forShop(shop).insertRows("customer_rfm", rows);
    }

    private static Map<String, Object> predicted(long customer, long clvCents) {
        Map<String, Object> row = status(customer, "PREDICTED");
        row.put("probability_alive", 0.8);
        row.put("clv_12m_cents", clvCents);
        row.put("churn_risk", "LOW");
        return row;
    }

    private static Map<String, Object> status(long customer, String status) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("as_of_date", D28);
        row.put("customer_id", customer);
        row.put("prediction_status", status);
        return row;
    }

    private static void predictions(ShopId shop, long publishId, List<Map<String, Object>> rows) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            Map<String, Object> copy = new HashMap<>(row);
            copy.put("publish_id", publishId);
            out.add(copy);
        }
        clickHouse.forShop(shop).insertRows("customer_predictions", out);
    }

    private static void summary(ShopId shop, long publishId, Map<String, Long> customers) {
        List<Map<String, Object>> rows = new ArrayList<>();
        customers.forEach((segment, n) -> rows.add(Map.of("publish_id", publishId, "as_of_date", D28,
                "segment", segment, "customers", n, "revenue_cents", n * 100)));
        clickHouse.forShop(shop).insertRows("segment_summary", rows);
    }

    private static void publication(ShopId shop, long publishId) {
        clickHouse.forShop(shop).insertRows("shop_publications", List.of(Map.of("publish_id", publishId,
                "as_of_date", D28, "published_at", Instant.parse("2026-11-29T02:00:00Z"), "customers", 5)));
    }

    private static JsonObject segment(ShopId shop, String key) {
        return api.get(shop, "/api/segments").json().getJsonArray("segments").stream().map(JsonObject.class::cast)
                .filter(s -> key.equals(s.getString("key"))).findFirst().orElseThrow();
    }

    @Test
    void eachSegmentCarriesTheAveragePredictedClvOfItsCustomersWithAPrediction() {
        JsonObject loyal = segment(SHOP_A, "LOYAL");
        JsonObject champions = segment(SHOP_A, "CHAMPIONS");

        assertThat(loyal.getString("average_clv_12m")).isEqualTo("150.01");
        assertThat(loyal.getLong("predicted_customers")).isEqualTo(2);
        assertThat(champions.getString("average_clv_12m")).isEqualTo("1040.00");
        assertThat(champions.getLong("predicted_customers")).isEqualTo(1);
        assertThat(champions.getLong("customers")).isEqualTo(2);
    }

    @Test
    void aSegmentWithoutPredictionsOrCustomersHasNoAverage() {
        JsonObject fresh = segment(SHOP_A, "NEW");
        JsonObject empty = segment(SHOP_A, "DORMANT");

        assertThat(fresh.getValue("average_clv_12m")).isNull();
        assertThat(fresh.getLong("predicted_customers")).isZero();
        assertThat(empty.getValue("average_clv_12m")).isNull();
        assertThat(empty.getLong("customers")).isZero();
    }

    @Test
    void anotherShopsPredictionsNeverEnterTheAverage() {
        assertThat(segment(SHOP_B, "LOYAL").getString("average_clv_12m")).isEqualTo("5.00");
        assertThat(segment(SHOP_B, "CHAMPIONS").getValue("average_clv_12m")).isNull();
        assertThat(api.get(SHOP_A, "/api/segments").body()).doesNotContain("99999.99", "\"5.00\"");
    }
}
