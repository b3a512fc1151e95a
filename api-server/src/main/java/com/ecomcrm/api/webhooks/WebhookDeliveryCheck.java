package com.ecomcrm.api.webhooks;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * Decides whether a webhook delivery is acceptable, in Shopify's order: the HMAC of the raw body first (nothing about
 * an unsigned request is looked at, not even its headers), then the headers, then the body. Pure: no I/O.
 */
public final class WebhookDeliveryCheck {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WebhookSignature signature;

    public WebhookDeliveryCheck(WebhookSignature signature) {
        this.signature = requireNonNull(signature, "signature is null");
    }

    /** Either the accepted delivery or why it was refused. */
    public sealed interface Outcome permits Accepted, Refused {
    }

    public record Accepted(WebhookDelivery delivery) implements Outcome {
    }

    public record Refused(WebhookRejection rejection) implements Outcome {
    }

    /**
     * @param header reads a request header by name, case-insensitively; null when absent
     */
    public Outcome check(byte[] rawBody, Function<String, String> header) {
        if (!signature.verifies(rawBody, header.apply("X-Shopify-Hmac-Sha256"))) {
            return refuse(401, "X-Shopify-Hmac-Sha256", "Cannot accept webhook: HMAC signature does not verify");
        }
        String topicHeader = header.apply("X-Shopify-Topic");
        if (blank(topicHeader)) {
            return refuse(400, "X-Shopify-Topic", "Cannot accept webhook: header X-Shopify-Topic is missing");
        }
        Optional<WebhookTopic> topic = WebhookTopic.fromHeader(topicHeader.trim());
        if (topic.isEmpty()) {
            return refuse(400, "X-Shopify-Topic",
                    "Cannot accept webhook: topic '" + printable(topicHeader) + "' is not one this app subscribes to");
        }
        String shopHeader = header.apply("X-Shopify-Shop-Domain");
        if (blank(shopHeader)) {
            return refuse(400, "X-Shopify-Shop-Domain", "Cannot accept webhook: header X-Shopify-Shop-Domain is missing");
        }
        ShopId shop;
        try {
            shop = ShopId.of(shopHeader.trim());
        }
        catch (DomainException e) {
            return refuse(400, "X-Shopify-Shop-Domain", "Cannot accept webhook: " + e.getMessage());
        }
        String webhookId = header.apply("X-Shopify-Webhook-Id");
        if (blank(webhookId) || webhookId.length() > 200) {
            return refuse(400, "X-Shopify-Webhook-Id", "Cannot accept webhook: header X-Shopify-Webhook-Id is missing");
        }
        Optional<Instant> triggeredAt = Optional.empty();
        String triggered = header.apply("X-Shopify-Triggered-At");
        if (!blank(triggered)) {
            try {
                triggeredAt = Optional.of(Instant.parse(triggered.trim()));
            }
            catch (DateTimeParseException e) {
                return refuse(400, "X-Shopify-Triggered-At",
                        "Cannot accept webhook: header X-Shopify-Triggered-At is not an ISO-8601 instant");
            }
        }
        String body = new String(rawBody, StandardCharsets.UTF_8);
        JsonNode json;
        try {
            json = requiredFields(rawBody, topic.get().requiredFields());
        }
        catch (JsonProcessingException e) {
            return refuse(400, "body", "Cannot accept webhook: body is not valid JSON (" + e.getOriginalMessage() + ")");
        }
        catch (IOException e) {
            // Reading a byte array: only a parse error can happen, which is the case above.
            return refuse(400, "body", "Cannot accept webhook: body is not valid JSON (" + e.getMessage() + ")");
        }
        if (json == null || !json.isObject()) {
            return refuse(400, "body", "Cannot accept webhook: body is not a JSON object");
        }
        for (String field : topic.get().requiredFields()) {
            Optional<String> problem = problemWith(json, field);
            if (problem.isPresent()) {
                return refuse(400, field, "Cannot accept webhook: field '" + field + "' " + problem.get());
            }
        }
        String apiVersion = header.apply("X-Shopify-API-Version");
        return new Accepted(new WebhookDelivery(shop, topic.get(), webhookId.trim(), triggeredAt,
                blank(apiVersion) ? Optional.empty() : Optional.of(apiVersion.trim()), body));
    }

    /**
     * The body's top-level fields that the topic requires, read in one streaming pass: the rest of the body is
     * checked for syntax but never built into a tree (an order's line items are most of it, and the intake has no use
     * for them). A body that is not an object comes back as whatever it is, for the caller to refuse.
     */
    private static JsonNode requiredFields(byte[] rawBody, List<String> required) throws IOException {
        try (JsonParser parser = JSON.getFactory().createParser(rawBody)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return JSON.readTree(rawBody);
            }
            ObjectNode fields = JSON.createObjectNode();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                if (required.contains(name)) {
                    fields.set(name, JSON.readTree(parser));
                }
                else {
                    parser.skipChildren();
                }
            }
            return fields;
        }
    }

    private static Optional<String> problemWith(JsonNode json, String field) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            return Optional.of("is missing");
        }
        if (field.equals("id") || field.endsWith("_id") && !field.startsWith("admin_graphql")) {
            boolean positiveNumber = value.canConvertToLong() && value.isIntegralNumber() && value.asLong() > 0;
            return positiveNumber ? Optional.empty() : Optional.of("must be a positive integer");
        }
        if (field.endsWith("_at")) {
            try {
                OffsetDateTime.parse(value.asText());
                return Optional.empty();
            }
            catch (DateTimeParseException e) {
                return Optional.of("must be an ISO-8601 date-time with offset");
            }
        }
        return Optional.empty();
    }

    private static Refused refuse(int status, String field, String message) {
        return new Refused(new WebhookRejection(status, field, message));
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    private static String printable(String value) {
        String cut = value.length() > 60 ? value.substring(0, 60) + "..." : value;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
