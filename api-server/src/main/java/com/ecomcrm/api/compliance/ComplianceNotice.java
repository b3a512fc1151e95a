package com.ecomcrm.api.compliance;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What a compliance webhook asks for, read from its body: {@code customers/data_request}
 * ({@code customer {id, email, phone}, orders_requested, data_request {id}}), {@code customers/redact}
 * ({@code customer {...}, orders_to_redact}) or {@code shop/redact} (the shop only).
 *
 * @param customerId empty for {@code shop/redact}
 * @param email      personal data: stored only until the request completes, never logged
 * @param phone      personal data, likewise
 */
public record ComplianceNotice(String topic, Optional<String> shopifyRequestId, Optional<Long> customerId,
                               Optional<String> email, Optional<String> phone, List<Long> orderIds) {
    public static final String DATA_REQUEST = "customers/data_request";
    public static final String CUSTOMER_REDACT = "customers/redact";
    public static final String SHOP_REDACT = "shop/redact";

    private static final ObjectMapper JSON = new ObjectMapper();

    public ComplianceNotice {
        requireNonNull(topic, "topic is null");
        requireNonNull(shopifyRequestId, "shopifyRequestId is null");
        requireNonNull(customerId, "customerId is null");
        requireNonNull(email, "email is null");
        requireNonNull(phone, "phone is null");
        orderIds = List.copyOf(requireNonNull(orderIds, "orderIds is null"));
        if (!topic.equals(SHOP_REDACT) && customerId.isEmpty() && email.isEmpty()) {
            throw new DomainException(ErrorCode.INVALID_INPUT,
                    "Cannot record " + topic + ": the customer has neither an id nor an email");
        }
    }

    public static boolean isCompliance(String topic) {
        return DATA_REQUEST.equals(topic) || CUSTOMER_REDACT.equals(topic) || SHOP_REDACT.equals(topic);
    }

    /** Reads the body Shopify signed; throws INVALID_INPUT when it is not the documented shape. */
    public static ComplianceNotice parse(String topic, String body) {
        if (!isCompliance(topic)) {
            throw new IllegalArgumentException("Cannot read a " + topic + " delivery as a compliance request");
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        }
        catch (IOException e) {
            throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot read " + topic + ": body is not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot read " + topic + ": body is not a JSON object");
        }
        if (topic.equals(SHOP_REDACT)) {
            return new ComplianceNotice(topic, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    List.of());
        }
        JsonNode customer = root.path("customer");
        Optional<Long> customerId = customer.path("id").canConvertToLong()
                ? Optional.of(customer.path("id").asLong()) : Optional.empty();
        String ordersField = topic.equals(DATA_REQUEST) ? "orders_requested" : "orders_to_redact";
        List<Long> orders = new ArrayList<>();
        for (JsonNode order : root.path(ordersField)) {
            if (order.canConvertToLong()) {
                orders.add(order.asLong());
            }
        }
        JsonNode requestId = root.path("data_request").path("id");
        return new ComplianceNotice(topic,
                requestId.isMissingNode() || requestId.isNull() ? Optional.empty() : Optional.of(requestId.asText()),
                customerId, text(customer, "email"), text(customer, "phone"), orders);
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() && !value.asText().isBlank() ? Optional.of(value.asText().strip())
                : Optional.empty();
    }
}
