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
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code GET /api/segments} from the segment cards the publisher wrote to {@code segment_overview} (ClickHouse V7):
 * the shops here have no customer, prediction or summary rows at all, so every figure in the answer comes from the
 * pre-aggregated rows of the shop's current publication, never from a publish still being written or another shop.
 */
class SegmentOverviewApiTest {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final ShopId SHOP_A = ShopId.of("segov-" + RUN + "-a.myshopify.com");
    private static final ShopId SHOP_B = ShopId.of("segov-" + RUN + "-b.myshopify.com");
    private static final LocalDate D27 = LocalDate.of(2026, 11, 27);
    private static final LocalDate D28 = LocalDate.of(2026, 11, 28);
    private static final List<String> TABLES = List.of("segment_overview", "shop_publications");

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
        // A, publication 200 (older, switched out) and 300 (current): LOYAL 3 customers, 2 predicted summing
        // 300.01 -> average 150.005, rounded half up to 150.01; NEW without predictions. 400 is written but not
        // switched in (no publication row): its 999 customers must never show.
        overview(SHOP_A, 200, D27, "LOYAL", 7, 70000, 7, 700000);
        publication(SHOP_A, 200, D27);
        overview(SHOP_A, 300, D28, "LOYAL", 3, 45050, 2, 30001);
        overview(SHOP_A, 300, D28, "NEW", 4, 1000, 0, 0);
        publication(SHOP_A, 300, D28);
        overview(SHOP_A, 400, D28, "LOYAL", 999, 1, 999, 99999999);
        // B: its own LOYAL, one customer predicted at 5.00.
        overview(SHOP_B, 20, D28, "LOYAL", 1, 500, 1, 500);
        publication(SHOP_B, 20, D28);
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

    private static void overview(ShopId shop, long publishId, LocalDate asOf, String segment, long customers,
                                 long revenueCents, long predicted, long clvSumCents) {
        clickHouse.forShop(shop).insertRows("segment_overview", List.of(Map.of("publish_id", publishId,
                "as_of_date", asOf, "segment", segment, "customers", customers, "revenue_cents", revenueCents,
                "predicted_customers", predicted, "clv_12m_sum_cents", clvSumCents)));
    }

    private static void publication(ShopId shop, long publishId, LocalDate asOf) {
        clickHouse.forShop(shop).insertRows("shop_publications", List.of(Map.of("publish_id", publishId,
                "as_of_date", asOf, "published_at", Instant.parse("2026-11-29T02:00:00Z"), "customers", 7)));
    }

    private static JsonObject segment(JsonObject answer, String key) {
        return answer.getJsonArray("segments").stream().map(JsonObject.class::cast)
                .filter(s -> key.equals(s.getString("key"))).findFirst().orElseThrow();
    }

    @Test
    void theCardsAreThePublishersRowsOfTheCurrentPublication() {
        JsonObject answer = api.get(SHOP_A, "/api/segments").json();

        assertThat(answer.getString("status")).isEqualTo("READY");
        assertThat(answer.getLong("publish_id")).isEqualTo(300);
        assertThat(answer.getString("as_of_date")).isEqualTo("2026-11-28");
        assertThat(answer.getLong("total_customers")).isEqualTo(7);
        JsonObject loyal = segment(answer, "LOYAL");
        assertThat(loyal.getLong("customers")).isEqualTo(3);
        assertThat(loyal.getString("revenue")).isEqualTo("450.50");
        assertThat(loyal.getLong("predicted_customers")).isEqualTo(2);
        assertThat(loyal.getString("average_clv_12m")).isEqualTo("150.01");
    }

    @Test
    void aSegmentWithoutPredictionsOrWithoutARowHasNoAverage() {
        JsonObject answer = api.get(SHOP_A, "/api/segments").json();

        assertThat(segment(answer, "NEW").getLong("customers")).isEqualTo(4);
        assertThat(segment(answer, "NEW").getValue("average_clv_12m")).isNull();
        assertThat(segment(answer, "CHAMPIONS").getLong("customers")).isZero();
        assertThat(segment(answer, "CHAMPIONS").getString("revenue")).isEqualTo("0.00");
        assertThat(segment(answer, "CHAMPIONS").getValue("average_clv_12m")).isNull();
        assertThat(answer.getJsonArray("segments")).hasSize(com.ecomcrm.domain.Segment.values().length);
    }

    @Test
    void anotherShopsCardsNeverComeBack() {
        JsonObject b = api.get(SHOP_B, "/api/segments").json();

        assertThat(b.getLong("publish_id")).isEqualTo(20);
        assertThat(segment(b, "LOYAL").getString("average_clv_12m")).isEqualTo("5.00");
        assertThat(b.getLong("total_customers")).isEqualTo(1);
        assertThat(api.get(SHOP_A, "/api/segments").body())
                .doesNotContain("\"5.00\"", "\"customers\":999", "\"revenue\":\"700.00\"");
    }
}
