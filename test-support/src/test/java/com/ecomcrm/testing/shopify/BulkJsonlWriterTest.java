package com.ecomcrm.testing.shopify;

import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BulkJsonlWriterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SimulatedStore STORE = StoreGenerator.generate(99, ShopId.of("sim-3.myshopify.com"), 800);

    private static List<JsonNode> lines(BulkObjectType type) throws Exception {
        String text = new String(BulkJsonlWriter.toBytes(STORE, type), StandardCharsets.UTF_8);
        assertThat(text).endsWith("\n").doesNotContain("\r");
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : text.split("\n")) {
            nodes.add(JSON.readTree(line));
        }
        return nodes;
    }

    @Test
    @DisplayName("customer lines carry exactly the fields of the app's customers query, in its order")
    void customerLines() throws Exception {
        List<JsonNode> customers = lines(BulkObjectType.CUSTOMERS);
        assertThat(customers).hasSize(STORE.customers().size());
        JsonNode first = customers.get(0);
        assertThat(names(first)).containsExactly("id", "email", "firstName", "lastName", "state", "createdAt",
                "updatedAt", "emailMarketingConsent");
        assertThat(names(first.get("emailMarketingConsent")))
                .containsExactly("marketingState", "marketingOptInLevel", "consentUpdatedAt");
        assertThat(first.get("id").asText()).matches("gid://shopify/Customer/\\d+");
        assertThat(first.get("createdAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(customers).allSatisfy(c -> assertThat(c.has("__parentId")).isFalse());
    }

    @Test
    @DisplayName("order lines carry the app's order fields; money is a two-decimal string")
    void orderLines() throws Exception {
        JsonNode order = lines(BulkObjectType.ORDERS).get(0);
        assertThat(names(order)).containsExactly("id", "name", "createdAt", "processedAt", "updatedAt", "cancelledAt",
                "displayFinancialStatus", "test", "currencyCode", "totalPriceSet", "totalRefundedSet", "refunds",
                "customer");
        assertThat(order.at("/totalPriceSet/shopMoney/amount").isTextual()).isTrue();
        assertThat(order.at("/totalPriceSet/shopMoney/amount").asText()).matches("\\d+\\.\\d\\d");
        assertThat(order.at("/totalRefundedSet/shopMoney/currencyCode").asText()).isEqualTo("USD");
        assertThat(order.at("/customer/id").asText()).startsWith("gid://shopify/Customer/");
    }

    @Test
    @DisplayName("an order's refunds are inline (a list field, not a connection) with GIDs, MoneyBags and times")
    void refundsAreInlineInTheirOrder() throws Exception {
        Map<String, SimulatedOrder> byGid = new HashMap<>();
        STORE.orders().forEach(o -> byGid.put(o.gid(), o));
        int refunds = 0;
        for (JsonNode line : lines(BulkObjectType.ORDERS)) {
            if (line.has("__parentId")) {
                assertThat(line.has("refunds")).isFalse();
                continue;
            }
            SimulatedOrder order = byGid.get(line.get("id").asText());
            JsonNode list = line.get("refunds");
            assertThat(list.isArray()).isTrue();
            assertThat(list).hasSize(order.refunds().size());
            BigDecimal sum = BigDecimal.ZERO;
            for (int i = 0; i < list.size(); i++) {
                JsonNode refund = list.get(i);
                SimulatedRefund expected = order.refunds().get(i);
                assertThat(names(refund)).containsExactly("id", "createdAt", "totalRefundedSet");
                assertThat(refund.get("id").asText()).isEqualTo("gid://shopify/Refund/" + expected.id());
                assertThat(refund.get("createdAt").asText()).isEqualTo(BulkJsonlWriter.timestamp(expected.createdAt()));
                assertThat(refund.at("/totalRefundedSet/shopMoney/amount").asText())
                        .isEqualTo(expected.amount().toPlainString()).matches("\\d+\\.\\d\\d");
                assertThat(refund.at("/totalRefundedSet/shopMoney/currencyCode").asText()).isEqualTo("USD");
                sum = sum.add(new BigDecimal(refund.at("/totalRefundedSet/shopMoney/amount").asText()));
                refunds++;
            }
            assertThat(sum).isEqualByComparingTo(line.at("/totalRefundedSet/shopMoney/amount").asText());
        }
        assertThat(refunds).isPositive().isEqualTo(STORE.orders().stream().mapToInt(o -> o.refunds().size()).sum());
        assertThat(STORE.orders()).anySatisfy(o -> assertThat(o.financialStatus()).isEqualTo("PARTIALLY_REFUNDED"));
        assertThat(STORE.orders()).anySatisfy(o -> assertThat(o.financialStatus()).isEqualTo("REFUNDED"));
    }

    @Test
    @DisplayName("line items follow their order, carry __parentId last, and add up to the order total")
    void lineItemsFollowTheirParent() throws Exception {
        String parent = null;
        BigDecimal parentTotal = null;
        BigDecimal sum = BigDecimal.ZERO;
        Map<String, Integer> children = new HashMap<>();
        for (JsonNode line : lines(BulkObjectType.ORDERS)) {
            if (!line.has("__parentId")) {
                if (parent != null) {
                    assertThat(sum).as(parent).isEqualByComparingTo(parentTotal);
                }
                parent = line.get("id").asText();
                parentTotal = new BigDecimal(line.at("/totalPriceSet/shopMoney/amount").asText());
                sum = BigDecimal.ZERO;
                continue;
            }
            assertThat(line.get("__parentId").asText()).isEqualTo(parent);
            assertThat(names(line)).containsExactly("id", "sku", "title", "quantity", "product", "variant",
                    "originalUnitPriceSet", "__parentId");
            assertThat(line.get("id").asText()).startsWith("gid://shopify/LineItem/");
            sum = sum.add(new BigDecimal(line.at("/originalUnitPriceSet/shopMoney/amount").asText())
                    .multiply(BigDecimal.valueOf(line.get("quantity").asInt())));
            children.merge(parent, 1, Integer::sum);
        }
        assertThat(sum).isEqualByComparingTo(parentTotal);
        for (SimulatedOrder order : STORE.orders()) {
            assertThat(children.get(order.gid())).isEqualTo(order.lines().size());
        }
    }

    @Test
    @DisplayName("the reported counts and size match the bytes written")
    void countsMatch() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BulkJsonlWriter.BulkFile file = BulkJsonlWriter.writeOrders(STORE, out);
        assertThat(file.fileSize()).isEqualTo(out.size());
        assertThat(file.rootObjectCount()).isEqualTo(STORE.orders().size());
        assertThat(file.objectCount()).isEqualTo(STORE.orders().size() + STORE.lineCount());
        long newlines = out.toString(StandardCharsets.UTF_8).chars().filter(c -> c == '\n').count();
        assertThat(newlines).isEqualTo(file.objectCount());
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        Iterator<String> it = node.fieldNames();
        it.forEachRemaining(names::add);
        return names;
    }
}
