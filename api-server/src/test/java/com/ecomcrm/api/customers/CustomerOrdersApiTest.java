package com.ecomcrm.api.customers;

import com.ecomcrm.api.templates.EmailApiHarness;
import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.schema.ClickHouseMigrator;
import com.ecomcrm.schema.ClickHouseTarget;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code GET /api/customers/{id}/orders} on the whole API server (ApiMain's wiring) and the real ClickHouse. Shop A's
 * customer 1001 has four published orders (one refunded in part, one cancelled); shop B has the same customer id with
 * an order of its own, and A has a half-written publish whose orders must stay invisible.
 */
class CustomerOrdersApiTest {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final ShopId SHOP_A = ShopId.of("orders-" + RUN + "-a.myshopify.com");
    private static final ShopId SHOP_B = ShopId.of("orders-" + RUN + "-b.myshopify.com");
    private static final ShopId FRESH = ShopId.of("orders-" + RUN + "-fresh.myshopify.com");
    private static final LocalDate D28 = LocalDate.of(2026, 11, 28);
    private static final List<String> TABLES = List.of("customer_rfm", "customer_orders", "shop_publications");

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
        customers(SHOP_A, 300, 1001, 1002);
        orders(SHOP_A, 300, List.of(
                order(1001, 11, "#1011", "2026-09-01T08:00:00Z", "PAID", 5000, 0, 2, false),
                order(1001, 12, "#1012", "2026-10-15T12:30:00Z", "PARTIALLY_REFUNDED", 12000, 2550, 3, false),
                order(1001, 13, "#1013", "2026-11-20T09:00:00Z", "REFUNDED", 4000, 4000, 1, true),
                order(1001, 14, "#1014", "2026-11-27T23:59:59Z", "PAID", 7525, 0, 1, false)));
        publication(SHOP_A, 300);
        // The next publish, half-way: an order with no publication row yet.
        customers(SHOP_A, 400, 1001);
        orders(SHOP_A, 400, List.of(order(1001, 99, "#HALF", "2026-11-28T10:00:00Z", "PAID", 999900, 0, 1,
                false)));
        customers(SHOP_B, 20, 1001);
        orders(SHOP_B, 20, List.of(order(1001, 77, "#B-ONLY", "2026-11-01T10:00:00Z", "PAID", 31400, 0, 5,
                false)));
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

    private static void customers(ShopId shop, long publishId, long... ids) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (long id : ids) {
            rows.add(Map.of("publish_id", publishId, "as_of_date", D28, "customer_id", id, "recency_days", 1,
                    "frequency", 1, "monetary_cents", 100, "r_score", 3, "f_score", 3, "m_score", 3,
                    "segment", "LOYAL"));
        }
        clickHouse.forShop(shop).insertRows("customer_rfm", rows);
    }

    private static Map<String, Object> order(long customer, long orderId, String name, String processedAt,
                                             String status, long totalCents, long refundedCents, int lines,
                                             boolean cancelled) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("customer_id", customer);
        row.put("order_id", orderId);
        row.put("order_name", name);
        row.put("processed_at", Instant.parse(processedAt));
        row.put("financial_status", status);
        row.put("total_cents", totalCents);
        row.put("refunded_cents", refundedCents);
        row.put("net_cents", totalCents - refundedCents);
        row.put("line_count", lines);
        row.put("cancelled", cancelled ? 1 : 0);
        return row;
    }

    private static void orders(ShopId shop, long publishId, List<Map<String, Object>> orders) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map<String, Object> order : orders) {
            Map<String, Object> row = new LinkedHashMap<>(order);
            row.put("publish_id", publishId);
            rows.add(row);
        }
        clickHouse.forShop(shop).insertRows("customer_orders", rows);
    }

    private static void publication(ShopId shop, long publishId) {
        clickHouse.forShop(shop).insertRows("shop_publications", List.of(Map.of("publish_id", publishId,
                "as_of_date", D28, "published_at", Instant.parse("2026-11-29T02:00:00Z"), "customers", 2)));
    }

    private static List<String> lines(JsonObject answer) {
        return answer.getJsonArray("items").stream().map(JsonObject.class::cast)
                .map(o -> String.join(" ", o.getString("order_id"), o.getString("name"), o.getString("processed_at"),
                        o.getString("financial_status"), o.getString("total"), o.getString("refunded"),
                        o.getString("net"), o.getInteger("line_count").toString(),
                        o.getBoolean("cancelled") ? "cancelled" : "-"))
                .toList();
    }

    @Test
    void aCustomersOrdersComeNewestFirstWithRefundsAndCancellations() {
        EmailApiHarness.Answer answer = api.get(SHOP_A, "/api/customers/1001/orders");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().getString("shop")).isEqualTo(SHOP_A.domain());
        assertThat(answer.json().getString("as_of_date")).isEqualTo("2026-11-28");
        assertThat(answer.json().getString("customer_id")).isEqualTo("1001");
        assertThat(answer.json().getLong("total")).isEqualTo(4);
        assertThat(lines(answer.json())).containsExactly(
                "14 #1014 2026-11-27T23:59:59Z PAID 75.25 0.00 75.25 1 -",
                "13 #1013 2026-11-20T09:00:00Z REFUNDED 40.00 40.00 0.00 1 cancelled",
                "12 #1012 2026-10-15T12:30:00Z PARTIALLY_REFUNDED 120.00 25.50 94.50 3 -",
                "11 #1011 2026-09-01T08:00:00Z PAID 50.00 0.00 50.00 2 -");
    }

    @Test
    void ordersArePagedAndAPageBeyondTheLastIsEmpty() {
        JsonObject second = api.get(SHOP_A, "/api/customers/1001/orders?page=2&page_size=3").json();
        JsonObject beyond = api.get(SHOP_A, "/api/customers/1001/orders?page=5&page_size=3").json();

        assertThat(second.getLong("total")).isEqualTo(4);
        assertThat(second.getInteger("page")).isEqualTo(2);
        assertThat(second.getInteger("page_size")).isEqualTo(3);
        assertThat(lines(second)).containsExactly(
                "11 #1011 2026-09-01T08:00:00Z PAID 50.00 0.00 50.00 2 -");
        assertThat(beyond.getJsonArray("items")).isEqualTo(new JsonArray());
        assertThat(beyond.getLong("total")).isEqualTo(4);
    }

    @Test
    void aCustomerWithoutOrdersHasAnEmptyTimeline() {
        JsonObject answer = api.get(SHOP_A, "/api/customers/1002/orders").json();

        assertThat(answer.getLong("total")).isZero();
        assertThat(answer.getJsonArray("items")).isEqualTo(new JsonArray());
    }

    @Test
    void eachShopSeesOnlyItsOwnOrdersOfTheSameCustomerId() {
        JsonObject b = api.get(SHOP_B, "/api/customers/1001/orders").json();

        assertThat(lines(b)).containsExactly("77 #B-ONLY 2026-11-01T10:00:00Z PAID 314.00 0.00 314.00 5 -");
        assertThat(api.get(SHOP_A, "/api/customers/1001/orders?page_size=100").body())
                .doesNotContain("#B-ONLY", "#HALF", "9999.00", SHOP_B.domain());
    }

    @Test
    void anotherShopsCustomerIsNotFoundAndBadIdsOrPagesAreRefusedNamingTheParameter() {
        EmailApiHarness.Answer otherShops = api.get(SHOP_B, "/api/customers/1002/orders");
        EmailApiHarness.Answer beforeFirstRun = api.get(FRESH, "/api/customers/1001/orders");

        assertThat(otherShops.status()).isEqualTo(404);
        assertThat(otherShops.errorField()).isEqualTo("id");
        assertThat(otherShops.errorMessage()).isEqualTo("Cannot find customer 1002 in this shop's customers");
        assertThat(beforeFirstRun.status()).isEqualTo(404);
        assertThat(beforeFirstRun.errorMessage()).isEqualTo(
                "Cannot find customer 1001 in this shop's customers (no nightly run has finished yet)");
        for (String bad : List.of("abc", "-5", "0", "1%27%20OR%201=1", "99999999999999999999")) {
            EmailApiHarness.Answer refused = api.get(SHOP_A, "/api/customers/" + bad + "/orders");
            assertThat(refused.status()).as(bad).isEqualTo(400);
            assertThat(refused.errorField()).as(bad).isEqualTo("id");
            assertThat(refused.errorMessage()).as(bad).startsWith("Cannot read customer id '");
        }
        Map<String, String> badPages = Map.of("page=0", "page", "page=x", "page", "page_size=101", "page_size",
                "page_size=0", "page_size", "page=1&page=2", "page");
        badPages.forEach((query, field) -> {
            EmailApiHarness.Answer refused = api.get(SHOP_A, "/api/customers/1001/orders?" + query);
            assertThat(refused.status()).as(query).isEqualTo(400);
            assertThat(refused.errorField()).as(query).isEqualTo(field);
            assertThat(refused.errorMessage()).as(query).startsWith("Cannot read parameter '" + field + "'");
        });
    }
}
