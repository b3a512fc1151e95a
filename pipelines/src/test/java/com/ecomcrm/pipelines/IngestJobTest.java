package com.ecomcrm.pipelines;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.landing.LandingEnvelope;
import com.ecomcrm.landing.LandingLayout;
import com.ecomcrm.landing.LandingZone;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class IngestJobTest {
    private static final ShopId ALPHA = ShopId.of("alpha-ingest.myshopify.com");
    private static final ShopId BETA = ShopId.of("beta-ingest.myshopify.com");
    private static final Instant DAY1 = Instant.parse("2026-11-27T08:00:00Z");
    private static final Instant DAY2 = Instant.parse("2026-11-28T08:00:00Z");

    @TempDir
    static Path temp;
    static TestLakehouse lake;

    @BeforeAll
    static void start() {
        lake = TestLakehouse.start(temp.resolve("warehouse"));
    }

    @AfterAll
    static void stop() {
        if (lake != null) {
            lake.close();
        }
    }

    private static void landBulk(LandingZone zone, ShopId shop, String topic, String operation, String... lines) {
        String jsonl = String.join("\n", lines) + "\n";
        zone.landBulk(shop, topic, operation, new ByteArrayInputStream(jsonl.getBytes(StandardCharsets.UTF_8)));
    }

    private static void webhook(LandingZone zone, ShopId shop, String topic, String id, Instant at, String body) {
        zone.appendWebhook(LandingEnvelope.webhook(shop, topic, id, at, Optional.of(at), Optional.of("2026-07"), body));
    }

    private static String customer(long id, String email, String updatedAt) {
        return "{\"id\":\"gid://shopify/Customer/" + id + "\",\"email\":\"" + email + "\",\"firstName\":\"F\","
                + "\"lastName\":\"L\",\"state\":\"ENABLED\",\"createdAt\":\"2026-01-01T00:00:00Z\",\"updatedAt\":\""
                + updatedAt + "\",\"emailMarketingConsent\":{\"marketingState\":\"SUBSCRIBED\"}}";
    }

    private static String order(long id, long customer, String total, String updatedAt) {
        return "{\"id\":\"gid://shopify/Order/" + id + "\",\"name\":\"#" + id + "\",\"createdAt\":\"2026-11-01T00:00:00Z\","
                + "\"processedAt\":\"2026-11-01T00:00:00Z\",\"updatedAt\":\"" + updatedAt + "\",\"cancelledAt\":null,"
                + "\"displayFinancialStatus\":\"PAID\",\"test\":false,\"currencyCode\":\"EUR\","
                + "\"totalPriceSet\":{\"shopMoney\":{\"amount\":\"" + total + "\",\"currencyCode\":\"EUR\"}},"
                + "\"totalRefundedSet\":{\"shopMoney\":{\"amount\":\"0.0\",\"currencyCode\":\"EUR\"}},"
                + "\"customer\":{\"id\":\"gid://shopify/Customer/" + customer + "\"}}";
    }

    private static String lineItem(long id, long order, int quantity) {
        return "{\"id\":\"gid://shopify/LineItem/" + id + "\",\"sku\":\"S" + id + "\",\"title\":\"T\",\"quantity\":"
                + quantity + ",\"product\":{\"id\":\"gid://shopify/Product/1\"},\"variant\":{\"id\":"
                + "\"gid://shopify/ProductVariant/2\"},\"originalUnitPriceSet\":{\"shopMoney\":{\"amount\":\"10.00\"}},"
                + "\"__parentId\":\"gid://shopify/Order/" + order + "\"}";
    }

    private static String webhookOrder(long id, long customer, String total, String updatedAt, int quantity) {
        return "{\"id\":" + id + ",\"name\":\"#" + id + "\",\"created_at\":\"2026-11-01T00:00:00Z\","
                + "\"processed_at\":\"2026-11-01T00:00:00Z\",\"updated_at\":\"" + updatedAt + "\","
                + "\"financial_status\":\"paid\",\"currency\":\"EUR\",\"total_price\":\"" + total + "\",\"test\":false,"
                + "\"customer\":{\"id\":" + customer + "},\"line_items\":[{\"id\":9001,\"product_id\":1,\"variant_id\":2,"
                + "\"sku\":\"S9001\",\"title\":\"T\",\"quantity\":" + quantity + ",\"price\":\"10.00\"}]}";
    }

    private Row one(String table, String where) {
        List<Row> rows = lake.spark.table(table).where(where).collectAsList();
        assertThat(rows).hasSize(1);
        return rows.get(0);
    }

    @Test
    void ingestsBothShapesIdempotentlyAndNewestWins() throws Exception {
        Path landing = temp.resolve("landing");
        LandingLayout layout = new LandingLayout(landing);
        try (LandingZone day1 = new LandingZone(layout, Clock.fixed(DAY1, ZoneOffset.UTC))) {
            landBulk(day1, ALPHA, "bulk/customers", "gid://shopify/BulkOperation/1",
                    customer(1, "one@a.example", "2026-11-01T00:00:00Z"),
                    customer(2, "two@a.example", "2026-11-01T00:00:00Z"));
            landBulk(day1, ALPHA, "bulk/orders", "gid://shopify/BulkOperation/2",
                    order(5001, 1, "20.00", "2026-11-10T00:00:00Z"),
                    lineItem(9001, 5001, 2),
                    lineItem(9002, 5001, 1));
            // The same customer id in another shop is another customer.
            landBulk(day1, BETA, "bulk/customers", "gid://shopify/BulkOperation/3",
                    customer(1, "one@b.example", "2026-11-01T00:00:00Z"));
            // Same key twice in one batch: the newer wins within the batch.
            webhook(day1, ALPHA, "customers/update", "w1", DAY1,
                    "{\"id\":1,\"email\":\"one-new@a.example\",\"updated_at\":\"2026-11-20T00:00:00Z\"}");
            webhook(day1, ALPHA, "customers/update", "w2", DAY1,
                    "{\"id\":1,\"email\":\"one-mid@a.example\",\"updated_at\":\"2026-11-15T00:00:00Z\"}");
            // A webhook older than the bulk order: must not overwrite it.
            webhook(day1, ALPHA, "orders/updated", "w3", DAY1,
                    webhookOrder(5001, 1, "99.00", "2026-11-05T00:00:00Z", 7));
            webhook(day1, ALPHA, "customers/delete", "w4", DAY1, "{\"id\":2}");
            webhook(day1, ALPHA, "checkouts/create", "w5", DAY1,
                    "{\"token\":\"tok-1\",\"email\":\"x@a.example\",\"updated_at\":\"2026-11-21T00:00:00Z\","
                            + "\"total_price\":\"5.50\",\"currency\":\"EUR\"}");
            webhook(day1, ALPHA, "orders/paid", "w6", DAY1, "{\"id\":5002,\"updated_at\":\"not a time\"}");
            webhook(day1, ALPHA, "refunds/create", "w7", DAY1, "{\"id\":1,\"order_id\":5001}");
            // An email open landed by the tracking routes: not Shopify data, so not read (it reaches silver from
            // PostgreSQL); read, it would count as an ignored line.
            day1.appendTracking(LandingEnvelope.tracking(ALPHA, "email/open", "e1", DAY1,
                    "{\"event_id\":\"e1\",\"kind\":\"open\",\"send_id\":1}"));
        }
        // A file still being written is not read.
        Path partial = layout.dateDirectory(com.ecomcrm.landing.LandingSource.BULK, ALPHA,
                java.time.LocalDate.of(2026, 11, 27)).resolve("bulk-9-orders.jsonl.inprogress");
        Files.writeString(partial, "garbage\n");

        IngestJob.Result first = IngestJob.run(lake.spark, lake.lakehouse, landing);

        assertThat(first.rejects()).isEqualTo(1);
        assertThat(first.sampleRejects().get(0).field()).isEqualTo("updated_at");
        assertThat(first.ignored()).isZero();
        assertThat(first.lines()).isEqualTo(13); // 6 bulk lines and 7 webhooks, not the tracking event
        Row one = one(lake.lakehouse.customers(), "shop_id = '" + ALPHA + "' AND customer_id = 1");
        assertThat(one.<String>getAs("email")).isEqualTo("one-new@a.example");
        assertThat(one.<String>getAs("source_topic")).isEqualTo("customers/update");
        Row two = one(lake.lakehouse.customers(), "shop_id = '" + ALPHA + "' AND customer_id = 2");
        assertThat(two.<Boolean>getAs("deleted")).isTrue();
        assertThat(two.<String>getAs("email")).isNull();
        Row betaOne = one(lake.lakehouse.customers(), "shop_id = '" + BETA + "' AND customer_id = 1");
        assertThat(betaOne.<String>getAs("email")).isEqualTo("one@b.example");
        Row order = one(lake.lakehouse.orders(), "shop_id = '" + ALPHA + "' AND order_id = 5001");
        assertThat(order.<BigDecimal>getAs("total_price")).isEqualByComparingTo("20.00");
        assertThat(order.<String>getAs("source_topic")).isEqualTo("bulk/orders");
        // Bulk line items take their order's updatedAt, so the older webhook's line (quantity 7) loses too.
        Row line = one(lake.lakehouse.orderLines(), "shop_id = '" + ALPHA + "' AND line_id = 9001");
        assertThat(line.<Integer>getAs("quantity")).isEqualTo(2);
        assertThat(line.<java.sql.Timestamp>getAs("updated_at").toInstant())
                .isEqualTo(Instant.parse("2026-11-10T00:00:00Z"));
        assertThat(lake.spark.table(lake.lakehouse.orderLines()).count()).isEqualTo(2);
        assertThat(lake.spark.table(lake.lakehouse.checkouts()).count()).isEqualTo(1);
        // refunds/create names no customer: the refund takes its order's.
        Row refund = one(lake.lakehouse.refunds(), "shop_id = '" + ALPHA + "' AND refund_id = 1");
        assertThat(refund.<Long>getAs("order_id")).isEqualTo(5001L);
        assertThat(refund.<Long>getAs("customer_id")).isEqualTo(1L);

        List<List<String>> before = snapshot();
        IngestJob.run(lake.spark, lake.lakehouse, landing);
        assertThat(snapshot()).isEqualTo(before);

        // Day 2: an older update loses, a newer one wins, whatever order they land in.
        try (LandingZone day2 = new LandingZone(layout, Clock.fixed(DAY2, ZoneOffset.UTC))) {
            webhook(day2, ALPHA, "customers/update", "w8", DAY2,
                    "{\"id\":1,\"email\":\"stale@a.example\",\"updated_at\":\"2026-11-02T00:00:00Z\"}");
            webhook(day2, ALPHA, "orders/updated", "w9", DAY2,
                    webhookOrder(5001, 1, "25.00", "2026-11-25T00:00:00Z", 3));
        }
        IngestJob.run(lake.spark, lake.lakehouse, landing);
        assertThat(one(lake.lakehouse.customers(), "shop_id = '" + ALPHA + "' AND customer_id = 1")
                .<String>getAs("email")).isEqualTo("one-new@a.example");
        Row updated = one(lake.lakehouse.orders(), "shop_id = '" + ALPHA + "' AND order_id = 5001");
        assertThat(updated.<BigDecimal>getAs("total_price")).isEqualByComparingTo("25.00");
        assertThat(one(lake.lakehouse.orderLines(), "shop_id = '" + ALPHA + "' AND line_id = 9001")
                .<Integer>getAs("quantity")).isEqualTo(3);
        assertThat(one(lake.lakehouse.customers(), "shop_id = '" + BETA + "' AND customer_id = 1")
                .<String>getAs("email")).isEqualTo("one@b.example");
    }

    private List<List<String>> snapshot() {
        return List.of(lake.contents(lake.lakehouse.customers()), lake.contents(lake.lakehouse.orders()),
                lake.contents(lake.lakehouse.orderLines()), lake.contents(lake.lakehouse.checkouts()),
                lake.contents(lake.lakehouse.refunds()), lake.contents(lake.lakehouse.refundLines()));
    }
}
