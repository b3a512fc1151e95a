package com.ecomcrm.pipelines;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.domain.ShopifyGid;
import com.ecomcrm.landing.LandingEnvelope;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

class ShopifyRecordParserTest {
    private static final ShopId SHOP = ShopId.of("alpha.myshopify.com");
    private static final Instant LANDED = Instant.parse("2026-11-28T10:00:00Z");
    private static final String OP = "gid://shopify/BulkOperation/77";

    private static ParseResult bulk(String topic, String body) {
        return ShopifyRecordParser.parse(LandingEnvelope.bulkLine(SHOP, topic, OP, LANDED, 3, body), "f.jsonl", 3);
    }

    private static ParseResult webhook(String topic, String body) {
        return ShopifyRecordParser.parse(LandingEnvelope.webhook(SHOP, topic, "wh-1", LANDED,
                Optional.of(Instant.parse("2026-11-28T09:59:59Z")), Optional.of("2026-07"), body), "w.jsonl", 5);
    }

    @Test
    void bulkCustomerLine() {
        ParseResult result = bulk("bulk/customers", """
                {"id":"gid://shopify/Customer/101","email":"a@example.com","firstName":"Ann","lastName":"Lee",
                 "state":"ENABLED","createdAt":"2026-01-02T03:04:05Z","updatedAt":"2026-11-01T00:00:00Z",
                 "emailMarketingConsent":{"marketingState":"SUBSCRIBED","marketingOptInLevel":"SINGLE_OPT_IN"}}""");

        assertThat(result.isReject()).isFalse();
        assertThat(result.records()).containsExactly(new CustomerRow("alpha.myshopify.com", 101, "a@example.com",
                "Ann", "Lee", "ENABLED", "SUBSCRIBED", Instant.parse("2026-01-02T03:04:05Z"),
                Instant.parse("2026-11-01T00:00:00Z"), false, "bulk/customers", LANDED));
        assertThat(result.deliveryId()).isEqualTo(OP);
    }

    @Test
    void bulkOrderAndLineItemLines() {
        ParseResult order = bulk("bulk/orders", """
                {"id":"gid://shopify/Order/5001","name":"#1001","createdAt":"2026-11-01T10:00:00Z",
                 "processedAt":"2026-11-01T10:00:01Z","updatedAt":"2026-11-02T00:00:00Z","cancelledAt":null,
                 "displayFinancialStatus":"PARTIALLY_REFUNDED","test":false,"currencyCode":"EUR",
                 "totalPriceSet":{"shopMoney":{"amount":"120.5","currencyCode":"EUR"}},
                 "totalRefundedSet":{"shopMoney":{"amount":"20.00","currencyCode":"EUR"}},
                 "customer":{"id":"gid://shopify/Customer/101"}}""");
        ParseResult line = bulk("bulk/orders", """
                {"id":"gid://shopify/LineItem/9001","sku":"SKU-1","title":"Mug","quantity":2,
                 "product":{"id":"gid://shopify/Product/1"},"variant":null,
                 "originalUnitPriceSet":{"shopMoney":{"amount":"60.25","currencyCode":"EUR"}},
                 "__parentId":"gid://shopify/Order/5001"}""");

        assertThat(order.records()).containsExactly(new OrderRow("alpha.myshopify.com", 5001, 101L, "#1001",
                Instant.parse("2026-11-01T10:00:00Z"), Instant.parse("2026-11-01T10:00:01Z"),
                Instant.parse("2026-11-02T00:00:00Z"), null, "PARTIALLY_REFUNDED", "EUR", new BigDecimal("120.50"),
                new BigDecimal("20.00"), false, "bulk/orders", LANDED));
        assertThat(line.records()).containsExactly(new OrderLineRow("alpha.myshopify.com", 5001, 9001, 1L, null,
                "SKU-1", "Mug", 2, new BigDecimal("60.25"), null));
    }

    @Test
    void webhookCustomerAndDelete() {
        ParseResult update = webhook("customers/update", """
                {"id":101,"email":"b@example.com","first_name":"Bo","last_name":null,"state":"disabled",
                 "created_at":"2026-01-02T04:04:05+01:00","updated_at":"2026-11-03T12:00:00-05:00",
                 "email_marketing_consent":{"state":"not_subscribed","opt_in_level":null}}""");
        assertThat(update.records()).containsExactly(new CustomerRow("alpha.myshopify.com", 101, "b@example.com",
                "Bo", null, "DISABLED", "NOT_SUBSCRIBED", Instant.parse("2026-01-02T03:04:05Z"),
                Instant.parse("2026-11-03T17:00:00Z"), false, "customers/update", LANDED));

        ParseResult delete = webhook("customers/delete", "{\"id\":101,\"phone\":null,\"addresses\":[]}");
        assertThat(delete.records()).containsExactly(CustomerRow.tombstone("alpha.myshopify.com", 101,
                Instant.parse("2026-11-28T09:59:59Z"), "customers/delete", LANDED));
    }

    @Test
    void webhookOrderWithLinesAndRefunds() {
        ParseResult result = webhook("orders/updated", """
                {"id":5002,"name":"#1002","created_at":"2026-11-05T10:00:00Z","processed_at":"2026-11-05T10:00:00Z",
                 "updated_at":"2026-11-06T10:00:00Z","cancelled_at":null,"financial_status":"partially_refunded",
                 "currency":"USD","total_price":"50.00","test":true,"customer":{"id":102,"email":"c@example.com"},
                 "line_items":[{"id":9101,"product_id":7,"variant_id":8,"sku":"S","title":"Tea","quantity":5,
                                "price":"10.00"}],
                 "refunds":[{"id":1,"transactions":[{"amount":"7.50","kind":"refund","status":"success"},
                                                     {"amount":"3.00","kind":"refund","status":"failure"}]}]}""");

        assertThat(result.records()).containsExactly(
                new OrderRow("alpha.myshopify.com", 5002, 102L, "#1002", Instant.parse("2026-11-05T10:00:00Z"),
                        Instant.parse("2026-11-05T10:00:00Z"), Instant.parse("2026-11-06T10:00:00Z"), null,
                        "PARTIALLY_REFUNDED", "USD", new BigDecimal("50.00"), new BigDecimal("7.50"), true,
                        "orders/updated", LANDED),
                new OrderLineRow("alpha.myshopify.com", 5002, 9101, 7L, 8L, "S", "Tea", 5, new BigDecimal("10.00"),
                        Instant.parse("2026-11-06T10:00:00Z")),
                // The refund inside the order: the same successful-transactions amount as total_refunded, the
                // order's customer and currency, versioned by the order's updated_at.
                new RefundRow("alpha.myshopify.com", 1, 5002, 102L, null, null, new BigDecimal("7.50"), "USD",
                        Instant.parse("2026-11-06T10:00:00Z"), "orders/updated", LANDED));
    }

    @Test
    void refundsCreateWebhookGivesTheRefundAndItsLinesWithoutTheNote() {
        ParseResult result = webhook("refunds/create", """
                {"id":509562969,"order_id":450789469,"created_at":"2026-11-07T10:26:56-05:00",
                 "processed_at":"2026-11-07T10:26:57-05:00","note":"it broke during shipping","user_id":799407056,
                 "restock":true,"admin_graphql_api_id":"gid://shopify/Refund/509562969",
                 "refund_line_items":[
                   {"id":104689539,"quantity":1,"line_item_id":703073504,"restock_type":"return","subtotal":199.0,
                    "total_tax":3.98,"subtotal_set":{"shop_money":{"amount":"199.00","currency_code":"USD"}}},
                   {"id":104689540,"quantity":2,"line_item":{"id":703073505},"subtotal":"5.5"}],
                 "transactions":[{"id":1,"order_id":450789469,"kind":"refund","status":"success","amount":"204.50",
                                  "currency":"USD"},
                                 {"id":2,"order_id":450789469,"kind":"refund","status":"pending","amount":"9.00",
                                  "currency":"USD"}]}""");

        Instant created = Instant.parse("2026-11-07T15:26:56Z");
        assertThat(result.isReject()).isFalse();
        assertThat(result.records()).containsExactly(
                new RefundRow("alpha.myshopify.com", 509562969, 450789469, null, created,
                        Instant.parse("2026-11-07T15:26:57Z"), new BigDecimal("204.50"), "USD", created,
                        "refunds/create", LANDED),
                new RefundLineRow("alpha.myshopify.com", 509562969, 703073504, 450789469, 104689539L, 1,
                        new BigDecimal("199.00"), created),
                new RefundLineRow("alpha.myshopify.com", 509562969, 703073505, 450789469, 104689540L, 2,
                        new BigDecimal("5.50"), created));
        assertThat(result.records().toString()).doesNotContain("shipping").doesNotContain("799407056");
    }

    @Test
    void refundsCreateWithoutCreatedAtIsVersionedByWhenShopifySentIt() {
        ParseResult result = webhook("refunds/create", "{\"id\":1,\"order_id\":5002}");
        assertThat(result.records()).containsExactly(new RefundRow("alpha.myshopify.com", 1, 5002, null, null, null,
                new BigDecimal("0.00"), null, Instant.parse("2026-11-28T09:59:59Z"), "refunds/create", LANDED));
    }

    @Test
    void bulkOrderWithInlineRefunds() {
        ParseResult order = bulk("bulk/orders", """
                {"id":"gid://shopify/Order/5001","updatedAt":"2026-11-02T00:00:00Z","currencyCode":"EUR",
                 "totalPriceSet":{"shopMoney":{"amount":"120.5"}},"totalRefundedSet":{"shopMoney":{"amount":"20"}},
                 "customer":{"id":"gid://shopify/Customer/101"},
                 "refunds":[{"id":"gid://shopify/Refund/77","createdAt":"2026-11-01T12:00:00Z",
                             "totalRefundedSet":{"shopMoney":{"amount":"20.00","currencyCode":"EUR"}},
                             "refundLineItems":{"edges":[{"node":{"quantity":1,
                                 "lineItem":{"id":"gid://shopify/LineItem/9001"},
                                 "subtotalSet":{"shopMoney":{"amount":"20.00"}}}}]}}]}""");

        Instant updated = Instant.parse("2026-11-02T00:00:00Z");
        assertThat(order.records()).hasSize(3).contains(
                new RefundRow("alpha.myshopify.com", 77, 5001, 101L, Instant.parse("2026-11-01T12:00:00Z"), null,
                        new BigDecimal("20.00"), "EUR", updated, "bulk/orders", LANDED),
                new RefundLineRow("alpha.myshopify.com", 77, 9001, 5001, null, 1, new BigDecimal("20.00"), updated));
    }

    @Test
    void malformedRefundsAreRejectedNamingTheField() {
        assertThat(webhook("refunds/create", "{\"id\":1}").reject().field()).isEqualTo("order_id");
        assertThat(webhook("refunds/create", "{\"id\":1,\"order_id\":2,\"transactions\":[{\"kind\":\"refund\","
                + "\"amount\":\"1.005\"}]}").reject().field()).isEqualTo("transactions[0].amount");
        assertThat(webhook("orders/updated", "{\"id\":1,\"updated_at\":\"2026-11-02T00:00:00Z\","
                + "\"total_price\":\"1.00\",\"refunds\":[{\"id\":3,\"refund_line_items\":[{\"quantity\":1}]}]}")
                .reject().field()).isEqualTo("refunds[0].refund_line_items[0].line_item.id");
        assertThat(bulk("bulk/orders", "{\"id\":\"gid://shopify/Order/1\",\"updatedAt\":\"2026-11-02T00:00:00Z\","
                + "\"totalPriceSet\":{\"shopMoney\":{\"amount\":\"1\"}},\"refunds\":[{\"id\":"
                + "\"gid://shopify/Order/3\"}]}").reject().field()).isEqualTo("refunds[0].id");
    }

    @Test
    void webhookCheckout() {
        ParseResult result = webhook("checkouts/update", """
                {"id":1,"token":"tok-1","email":"d@example.com","customer":{"id":103},
                 "created_at":"2026-11-07T10:00:00Z","updated_at":"2026-11-07T11:00:00Z","completed_at":null,
                 "total_price":"19.99","currency":"GBP"}""");
        assertThat(result.records()).containsExactly(new CheckoutRow("alpha.myshopify.com", "tok-1", 103L,
                "d@example.com", Instant.parse("2026-11-07T10:00:00Z"), Instant.parse("2026-11-07T11:00:00Z"), null,
                new BigDecimal("19.99"), "GBP"));
    }

    @Test
    void bulkAbandonedCheckoutIsKeyedByTheTokenOfItsRecoveryUrlLikeTheWebhooks() {
        ParseResult result = bulk("bulk/checkouts", """
                {"id":"gid://shopify/AbandonedCheckout/31","abandonedCheckoutUrl":
                 "https://alpha.myshopify.com/checkouts/tok-1/recover?key=abc","createdAt":"2026-11-07T10:00:00Z",
                 "updatedAt":"2026-11-07T11:00:00Z","completedAt":null,
                 "totalPriceSet":{"shopMoney":{"amount":"19.99","currencyCode":"GBP"}},
                 "customer":{"id":"gid://shopify/Customer/103","email":"d@example.com"}}""");
        assertThat(result.records()).containsExactly(new CheckoutRow("alpha.myshopify.com", "tok-1", 103L,
                "d@example.com", Instant.parse("2026-11-07T10:00:00Z"), Instant.parse("2026-11-07T11:00:00Z"), null,
                new BigDecimal("19.99"), "GBP"));
    }

    @Test
    void bulkAbandonedCheckoutWithoutARecoveryTokenIsRejectedNamingTheField() {
        ParseResult result = bulk("bulk/checkouts", """
                {"id":"gid://shopify/AbandonedCheckout/32","abandonedCheckoutUrl":"https://alpha.myshopify.com/cart",
                 "createdAt":"2026-11-07T10:00:00Z","updatedAt":"2026-11-07T11:00:00Z"}""");
        assertThat(result.isReject()).isTrue();
        assertThat(result.reject().field()).isEqualTo("abandonedCheckoutUrl");
        assertThat(result.reject().reason()).contains("/checkouts/<token>/");
    }

    @Test
    void topicsWithoutSilverRowsAreIgnoredNotRejected() {
        ParseResult consent = webhook("customers_email_marketing_consent/update", "{\"customer_id\":1}");
        assertThat(consent.ignored()).isTrue();
        assertThat(consent.isReject()).isFalse();
        assertThat(consent.records()).isEmpty();
    }

    @Test
    void malformedRecordsAreRejectedNamingFileLineAndField() {
        ParseResult badMoney = bulk("bulk/orders", """
                {"id":"gid://shopify/Order/5001","updatedAt":"2026-11-02T00:00:00Z",
                 "totalPriceSet":{"shopMoney":{"amount":"12,50"}}}""");
        assertThat(badMoney.isReject()).isTrue();
        assertThat(badMoney.reject().field()).isEqualTo("totalPriceSet.shopMoney.amount");
        assertThat(badMoney.reject().file()).isEqualTo("f.jsonl");
        assertThat(badMoney.reject().line()).isEqualTo(3);
        assertThat(badMoney.reject().describe()).contains("f.jsonl:3").contains("totalPriceSet.shopMoney.amount");

        ParseResult threeDecimals = webhook("orders/create",
                "{\"id\":1,\"updated_at\":\"2026-11-02T00:00:00Z\",\"total_price\":\"1.234\"}");
        assertThat(threeDecimals.reject().field()).isEqualTo("total_price");

        ParseResult noUpdatedAt = webhook("customers/update", "{\"id\":101}");
        assertThat(noUpdatedAt.reject().field()).isEqualTo("updated_at");

        ParseResult badDate = webhook("customers/update", "{\"id\":101,\"updated_at\":\"yesterday\"}");
        assertThat(badDate.reject().field()).isEqualTo("updated_at");
        assertThat(badDate.reject().line()).isEqualTo(5);

        ParseResult notJson = webhook("orders/paid", "{\"id\":");
        assertThat(notJson.reject().field()).isEqualTo("body");

        ParseResult badLineQuantity = webhook("orders/create", """
                {"id":1,"updated_at":"2026-11-02T00:00:00Z","total_price":"1.00",
                 "line_items":[{"id":2,"quantity":"two"}]}""");
        assertThat(badLineQuantity.reject().field()).isEqualTo("line_items[0].quantity");

        ParseResult badGid = bulk("bulk/customers", "{\"id\":\"Customer/1\",\"updatedAt\":\"2026-11-02T00:00:00Z\"}");
        assertThat(badGid.reject().field()).isEqualTo("id");
    }

    @Test
    void unreadableEnvelopeIsRejected() {
        ParseResult result = ShopifyRecordParser.parseLine("x.jsonl", 7, "{\"source\":\"webhook\"}");
        assertThat(result.isReject()).isTrue();
        assertThat(result.reject().field()).isEqualTo("envelope");
        assertThat(result.reject().line()).isEqualTo(7);
    }

    @Test
    void envelopeLineRoundTrips() {
        LandingEnvelope envelope = LandingEnvelope.webhook(SHOP, "customers/create", "wh-9", LANDED, Optional.empty(),
                Optional.empty(), "{\"id\":5,\"updated_at\":\"2026-11-02T00:00:00Z\"}");
        ParseResult result = ShopifyRecordParser.parseLine("x.jsonl", 1, envelope.toJsonLine());
        assertThat(result.records()).hasSize(1);
        assertThat(((CustomerRow) result.records().get(0)).customerId()).isEqualTo(5);
    }

    @Test
    void theStreamingEnvelopeReaderReadsWhatLandingEnvelopeReads() throws Exception {
        List<LandingEnvelope> envelopes = List.of(
                LandingEnvelope.webhook(SHOP, "orders/paid", "wh-10", LANDED,
                        Optional.of(Instant.parse("2026-11-28T09:59:59.5Z")), Optional.of("2026-07"),
                        "{\"id\":5,\"note\":\"a \\\"quoted\\\" line\\nand \u00e9\u00e8 \ud83d\ude00\"}"),
                LandingEnvelope.bulkLine(SHOP, "bulk/orders", OP, LANDED, 12_345_678_901L, "{\"id\":\"x\"}"),
                LandingEnvelope.tracking(SHOP, "email/open", "ev-1", LANDED, "{}"));
        for (LandingEnvelope envelope : envelopes) {
            String line = envelope.toJsonLine();
            assertThat(ShopifyRecordParser.envelope(line)).isEqualTo(LandingEnvelope.fromJsonLine(line));
        }
        // Unknown fields (a newer writer) are skipped, nested values included.
        String extra = envelopes.get(0).toJsonLine().replace("{\"source\"",
                "{\"future\":{\"a\":[1,{\"b\":2}]},\"source\"");
        assertThat(ShopifyRecordParser.envelope(extra)).isEqualTo(envelopes.get(0));
    }

    @Test
    void anEnvelopeMissingAFieldOrWithABadValueIsRejectedAsAnEnvelope() {
        String good = LandingEnvelope.webhook(SHOP, "customers/create", "wh-9", LANDED, Optional.empty(),
                Optional.empty(), "{\"id\":5}").toJsonLine();
        for (String bad : List.of(good.replace("\"body\":", "\"bodyx\":"),
                good.replace("\"topic\":\"customers/create\",", ""),
                good.replace("\"source\":\"webhook\"", "\"source\":\"fax\""),
                good.replace("alpha.myshopify.com", "alpha.example.com"),
                good.replace("2026-11-28T10:00:00Z", "yesterday"),
                "[1,2]", "not json")) {
            ParseResult result = ShopifyRecordParser.parseLine("x.jsonl", 4, bad);
            assertThat(result.isReject()).as(bad).isTrue();
            assertThat(result.reject().field()).isEqualTo("envelope");
            assertThat(result.reject().reason()).startsWith("not a landing envelope: ");
        }
    }

    @Test
    void theFastGidReaderAgreesWithShopifyGidParse() {
        for (String text : List.of("gid://shopify/Order/5000000000001", "gid://shopify/LineItem/1",
                "gid://shopify/Customer/123456789012345678", "gid://shopify/Thing/7",
                "gid://shopify/Order/12?from=bulk")) {
            assertThat(ShopifyRecordParser.parseGid(text)).isEqualTo(ShopifyGid.parse(text));
        }
        for (String text : List.of("gid://shopify/Order/0", "gid://shopify/Order/1234567890123456789",
                "gid://shopify//1", "gid://shopify/Ord3r/1", "gid://shopify/Order/", "gid://shopify/Order/1x",
                "gid://other/Order/1", "Order/1", "")) {
            assertThatThrownBy(() -> ShopifyGid.parse(text)).isInstanceOf(DomainException.class);
            assertThatThrownBy(() -> ShopifyRecordParser.parseGid(text)).as(text)
                    .isInstanceOf(DomainException.class)
                    .hasMessage(catchThrowable(() -> ShopifyGid.parse(text)).getMessage());
        }
    }
}
