package com.ecomcrm.landing;

import com.ecomcrm.domain.ShopifyGid;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Locale;

/**
 * A refund read from the Admin GraphQL API, written as the body of the {@code refunds/create} webhook that would have
 * carried it had the app been installed: numeric ids, snake_case, money as decimal strings, enums in lower case. The
 * ingest then reads it exactly as it reads that webhook, so a refund line fetched after install and one delivered by
 * webhook become the same row of {@code silver.refund_lines}, and the refund's money (its successful {@code refund}
 * transactions) is the same as in the bulk file's {@code totalRefundedSet}.
 *
 * <p>Only what the API gave is written: GraphQL's Refund has no {@code processed_at}, so the REST field takes the
 * refund's {@code createdAt} (REST documents processed_at as the creation time unless the refund was imported);
 * {@code restock}, {@code user_id}, duties and order adjustments are left out rather than guessed.
 */
public final class RestRefundBody {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RestRefundBody() {
    }

    /**
     * @param refund the {@code ... on Refund} node of api-server's refund lines query ({@code RefundLineQueries})
     * @param lines  every refund line node of the refund, all pages, in order
     */
    public static String of(JsonNode refund, List<JsonNode> lines) {
        ShopifyGid refundId = ShopifyGid.parse(refund.path("id").asText());
        long orderId = ShopifyGid.parse(refund.path("order").path("id").asText()).id();
        ObjectNode body = JSON.createObjectNode();
        body.put("id", refundId.id());
        body.put("order_id", orderId);
        body.put("created_at", refund.path("createdAt").asText());
        body.set("note", refund.path("note").isMissingNode() ? JSON.nullNode() : refund.get("note"));
        body.put("processed_at", refund.path("createdAt").asText());
        body.put("admin_graphql_api_id", refundId.toString());
        ArrayNode refundLines = body.putArray("refund_line_items");
        for (JsonNode line : lines) {
            ObjectNode rest = refundLines.addObject();
            if (line.hasNonNull("id")) {
                rest.put("id", ShopifyGid.parse(line.get("id").asText()).id());
            }
            rest.put("quantity", line.path("quantity").asInt());
            ShopifyGid lineItem = ShopifyGid.parse(line.path("lineItem").path("id").asText());
            rest.put("line_item_id", lineItem.id());
            if (line.hasNonNull("restockType")) {
                rest.put("restock_type", line.get("restockType").asText().toLowerCase(Locale.ROOT));
            }
            JsonNode subtotal = line.path("subtotalSet").path("shopMoney");
            // A number in REST's refund line items (subtotal, total_tax), unlike the *_set amounts, which are strings.
            rest.put("subtotal", new java.math.BigDecimal(subtotal.path("amount").asText()));
            rest.set("subtotal_set", moneySet(subtotal));
            ObjectNode item = rest.putObject("line_item");
            item.put("id", lineItem.id());
            item.put("admin_graphql_api_id", lineItem.toString());
        }
        ArrayNode transactions = body.putArray("transactions");
        for (JsonNode transaction : refund.path("transactions").path("nodes")) {
            ShopifyGid id = ShopifyGid.parse(transaction.path("id").asText());
            JsonNode amount = transaction.path("amountSet").path("shopMoney");
            ObjectNode rest = transactions.addObject();
            rest.put("id", id.id());
            rest.put("order_id", orderId);
            rest.put("kind", transaction.path("kind").asText().toLowerCase(Locale.ROOT));
            rest.put("gateway", transaction.path("gateway").asText(null));
            rest.put("status", transaction.path("status").asText().toLowerCase(Locale.ROOT));
            rest.put("created_at", transaction.path("createdAt").asText(null));
            rest.put("processed_at", transaction.path("processedAt").asText(null));
            rest.put("amount", amount.path("amount").asText());
            rest.put("currency", amount.path("currencyCode").asText());
            rest.put("admin_graphql_api_id", id.toString());
        }
        return body.toString();
    }

    /** REST's {@code *_set}: {@code {"shop_money": {"amount", "currency_code"}}}. */
    private static ObjectNode moneySet(JsonNode shopMoney) {
        ObjectNode set = JSON.createObjectNode();
        set.putObject("shop_money").put("amount", shopMoney.path("amount").asText())
                .put("currency_code", shopMoney.path("currencyCode").asText());
        return set;
    }
}
