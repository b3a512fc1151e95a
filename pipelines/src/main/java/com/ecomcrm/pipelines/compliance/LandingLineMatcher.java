package com.ecomcrm.pipelines.compliance;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a landed record is about a customer. Shopify names a customer in several shapes: the numeric {@code id} of
 * a {@code customers/*} webhook, a {@code customer} object or a {@code customer_id} field (orders, checkouts,
 * consent), the GID {@code gid://shopify/Customer/<id>} (bulk lines), the email anywhere; and the records of the
 * customer's orders name only the order ({@code order_id} of a refund, {@code __parentId} of a bulk line item).
 */
final class LandingLineMatcher {
    private static final String CUSTOMER_GID = "gid://shopify/Customer/";
    private static final String ORDER_GID = "gid://shopify/Order/";

    private LandingLineMatcher() {
    }

    /** The record is the customer's own (not merely one of their orders' lines). */
    static boolean isCustomersOwn(CustomerMatch match, String topic, JsonNode body) {
        if (topic.startsWith("customers/") && body.path("id").canConvertToLong()
                && match.isCustomer(body.path("id").asLong())) {
            return true;
        }
        return mentionsCustomer(match, body);
    }

    static boolean matches(CustomerMatch match, String topic, JsonNode body) {
        if (isCustomersOwn(match, topic, body)) {
            return true;
        }
        if (topic.startsWith("orders/") && body.path("id").canConvertToLong()
                && match.isOrder(body.path("id").asLong())) {
            return true;
        }
        return mentionsOrder(match, body);
    }

    /** The order a record of the customer is, if it is one: an {@code orders/*} webhook or a bulk order line. */
    static Optional<Long> orderId(String topic, JsonNode body) {
        JsonNode id = body.path("id");
        if (topic.startsWith("orders/") && id.canConvertToLong()) {
            return Optional.of(id.asLong());
        }
        if (id.isTextual() && id.asText().startsWith(ORDER_GID)) {
            return parseLong(id.asText().substring(ORDER_GID.length()));
        }
        return Optional.empty();
    }

    static boolean textMentions(CustomerMatch match, String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        return match.email().map(lower::contains).orElse(false)
                || match.customerId().map(id -> text.contains(CUSTOMER_GID + id + "\"")).orElse(false);
    }

    private static boolean mentionsCustomer(CustomerMatch match, JsonNode node) {
        if (node.isTextual()) {
            String text = node.asText();
            return match.isEmail(text) || (text.startsWith(CUSTOMER_GID)
                    && parseLong(text.substring(CUSTOMER_GID.length())).map(match::isCustomer).orElse(false));
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                JsonNode value = field.getValue();
                if (field.getKey().equals("customer_id") && value.canConvertToLong()
                        && match.isCustomer(value.asLong())) {
                    return true;
                }
                if (field.getKey().equals("customer") && value.path("id").canConvertToLong()
                        && match.isCustomer(value.path("id").asLong())) {
                    return true;
                }
                if (mentionsCustomer(match, value)) {
                    return true;
                }
            }
            return false;
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                if (mentionsCustomer(match, element)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean mentionsOrder(CustomerMatch match, JsonNode node) {
        if (node.isTextual()) {
            String text = node.asText();
            return text.startsWith(ORDER_GID)
                    && parseLong(text.substring(ORDER_GID.length())).map(match::isOrder).orElse(false);
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getKey().equals("order_id") && field.getValue().canConvertToLong()
                        && match.isOrder(field.getValue().asLong())) {
                    return true;
                }
                if (mentionsOrder(match, field.getValue())) {
                    return true;
                }
            }
            return false;
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                if (mentionsOrder(match, element)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Optional<Long> parseLong(String text) {
        try {
            return Optional.of(Long.parseLong(text));
        }
        catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
