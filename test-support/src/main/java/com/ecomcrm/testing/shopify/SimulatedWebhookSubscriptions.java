package com.ecomcrm.testing.shopify;

import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Shop-specific webhook subscriptions through the Admin GraphQL API (shopify-platform.md 3.6):
 * {@code webhookSubscriptions(first:, after:)}, {@code webhookSubscriptionCreate}, {@code webhookSubscriptionUpdate}
 * and {@code webhookSubscriptionDelete}, per shop. A subscription's {@code apiVersion} is the version of the request
 * that created it. An exact duplicate (same topic and URI) is refused with the userError Shopify gives,
 * "Address for this topic has already been taken"; compliance topics are not in {@code WebhookSubscriptionTopic}, so
 * asking for one is a top-level GraphQL error, as on Shopify. {@link SimulatorServer#deliverWebhook} delivers to them
 * (with Shopify's retries), and a subscription whose delivery failed every retry is removed, as Shopify removes a
 * shop-specific subscription after repeated failure. Thread-safe.
 */
final class SimulatedWebhookSubscriptions {
    static final String TAKEN = "Address for this topic has already been taken";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> COMPLIANCE = Set.of("CUSTOMERS_DATA_REQUEST", "CUSTOMERS_REDACT", "SHOP_REDACT");
    private static final Pattern TOPIC = Pattern.compile("[A-Z][A-Z0-9_]*");

    /** A subscription as stored; public through {@link SimulatorServer#webhookSubscriptions(ShopId)}. */
    record Stored(long number, String topic, String uri, String format, String apiVersion, Instant createdAt,
                  Instant updatedAt) {
        String gid() {
            return "gid://shopify/WebhookSubscription/" + number;
        }
    }

    /** A GraphQL answer: {@code data}, or top-level {@code errors}. */
    record Result(ObjectNode data, ArrayNode errors) {
    }

    private final Map<ShopId, List<Stored>> byShop = new HashMap<>();
    private final AtomicLong numbers = new AtomicLong(1_000_000);

    static boolean handles(String document) {
        return GraphqlText.calls(document, "webhookSubscriptions") || isMutation(document);
    }

    static boolean isMutation(String document) {
        return GraphqlText.calls(document, "webhookSubscriptionCreate")
                || GraphqlText.calls(document, "webhookSubscriptionUpdate")
                || GraphqlText.calls(document, "webhookSubscriptionDelete");
    }

    /** Removes subscription {@code number} of {@code shop}; false when it is already gone. */
    synchronized boolean remove(ShopId shop, long number) {
        List<Stored> subscriptions = byShop.get(shop);
        return subscriptions != null && subscriptions.removeIf(s -> s.number() == number);
    }

    synchronized List<Stored> list(ShopId shop) {
        return List.copyOf(byShop.getOrDefault(shop, List.of()));
    }

    synchronized Result execute(ShopId shop, String version, String document, JsonNode variables, Instant now) {
        requireNonNull(shop, "shop is null");
        List<Stored> subscriptions = byShop.computeIfAbsent(shop, s -> new ArrayList<>());
        Set<String> selected = GraphqlText.selectedNames(document);
        ObjectNode data = JSON.createObjectNode();
        if (GraphqlText.calls(document, "webhookSubscriptionCreate")) {
            String topic = GraphqlText.argument(document, "webhookSubscriptionCreate", "topic", variables).orElse("");
            if (!TOPIC.matcher(topic).matches() || COMPLIANCE.contains(topic)) {
                return topLevelError("Variable $topic of type WebhookSubscriptionTopic! was provided invalid value: "
                        + topic + " (compliance topics are subscribed in the app configuration, not the API)");
            }
            Optional<String> uri = uri(document, "webhookSubscriptionCreate", variables);
            ObjectNode payload = data.putObject("webhookSubscriptionCreate");
            if (uri.isEmpty() || !uri.get().matches("https?://.+")) {
                return userError(data, payload, "webhookSubscription", "uri", "Address is invalid");
            }
            if (subscriptions.stream().anyMatch(s -> s.topic().equals(topic) && s.uri().equals(uri.get()))) {
                return userError(data, payload, "webhookSubscription", "callbackUrl", TAKEN);
            }
            Stored created = new Stored(numbers.incrementAndGet(), topic, uri.get(), format(document, variables),
                    version, now, now);
            subscriptions.add(created);
            payload.set("webhookSubscription", node(created, selected));
            payload.putArray("userErrors");
        }
        else if (GraphqlText.calls(document, "webhookSubscriptionUpdate")) {
            ObjectNode payload = data.putObject("webhookSubscriptionUpdate");
            Optional<Stored> existing = find(subscriptions, document, "webhookSubscriptionUpdate", variables);
            if (existing.isEmpty()) {
                return userError(data, payload, "id", null, "Webhook subscription does not exist");
            }
            String uri = uri(document, "webhookSubscriptionUpdate", variables).orElse(existing.get().uri());
            if (subscriptions.stream().anyMatch(s -> s != existing.get() && s.topic().equals(existing.get().topic())
                    && s.uri().equals(uri))) {
                return userError(data, payload, "webhookSubscription", "callbackUrl", TAKEN);
            }
            Stored updated = new Stored(existing.get().number(), existing.get().topic(), uri, existing.get().format(),
                    existing.get().apiVersion(), existing.get().createdAt(), now);
            subscriptions.set(subscriptions.indexOf(existing.get()), updated);
            payload.set("webhookSubscription", node(updated, selected));
            payload.putArray("userErrors");
        }
        else if (GraphqlText.calls(document, "webhookSubscriptionDelete")) {
            ObjectNode payload = data.putObject("webhookSubscriptionDelete");
            Optional<Stored> existing = find(subscriptions, document, "webhookSubscriptionDelete", variables);
            if (existing.isEmpty()) {
                payload.putNull("deletedWebhookSubscriptionId");
                addError(payload, "id", null, "Webhook subscription does not exist");
                return new Result(data, null);
            }
            subscriptions.remove(existing.get());
            payload.put("deletedWebhookSubscriptionId", existing.get().gid());
            payload.putArray("userErrors");
        }
        else {
            data.set("webhookSubscriptions", page(subscriptions, document, variables, selected));
        }
        return new Result(data, null);
    }

    private static ObjectNode page(List<Stored> subscriptions, String document, JsonNode variables,
                                   Set<String> selected) {
        int first = GraphqlText.argument(document, "webhookSubscriptions", "first", variables)
                .map(Integer::parseInt).orElse(50);
        long after = GraphqlText.argument(document, "webhookSubscriptions", "after", variables)
                .map(cursor -> Long.parseLong(cursor.substring(cursor.indexOf(':') + 1))).orElse(0L);
        List<Stored> rest = subscriptions.stream().filter(s -> s.number() > after).toList();
        List<Stored> page = rest.subList(0, Math.min(Math.min(first, 250), rest.size()));
        ObjectNode connection = JSON.createObjectNode();
        ArrayNode nodes = connection.putArray("nodes");
        ArrayNode edges = connection.putArray("edges");
        for (Stored s : page) {
            nodes.add(node(s, selected));
            edges.addObject().put("cursor", cursor(s)).set("node", node(s, selected));
        }
        ObjectNode pageInfo = connection.putObject("pageInfo");
        pageInfo.put("hasNextPage", rest.size() > page.size());
        pageInfo.put("hasPreviousPage", after > 0);
        pageInfo.put("startCursor", page.isEmpty() ? null : cursor(page.get(0)));
        pageInfo.put("endCursor", page.isEmpty() ? null : cursor(page.get(page.size() - 1)));
        return connection;
    }

    private static Optional<String> uri(String document, String field, JsonNode variables) {
        Optional<JsonNode> input = GraphqlText.variableArgument(document, field, "webhookSubscription", variables);
        if (input.isPresent()) {
            JsonNode value = input.get().hasNonNull("uri") ? input.get().get("uri") : input.get().get("callbackUrl");
            return Optional.ofNullable(value).map(JsonNode::asText);
        }
        return GraphqlText.argument(document, field, "uri", variables)
                .or(() -> GraphqlText.argument(document, field, "callbackUrl", variables));
    }

    private static String format(String document, JsonNode variables) {
        return GraphqlText.variableArgument(document, "webhookSubscriptionCreate", "webhookSubscription", variables)
                .map(input -> input.path("format").asText("JSON"))
                .or(() -> GraphqlText.argument(document, "webhookSubscriptionCreate", "format", variables))
                .orElse("JSON");
    }

    private static Optional<Stored> find(List<Stored> subscriptions, String document, String field,
                                         JsonNode variables) {
        Optional<String> id = GraphqlText.argument(document, field, "id", variables);
        return subscriptions.stream().filter(s -> id.isPresent() && s.gid().equals(id.get())).findFirst();
    }

    private static ObjectNode node(Stored s, Set<String> selected) {
        ObjectNode all = JSON.createObjectNode();
        all.put("id", s.gid());
        all.put("topic", s.topic());
        all.put("uri", s.uri());
        all.put("format", s.format());
        all.putArray("includeFields");
        all.putNull("filter");
        all.putObject("apiVersion").put("handle", s.apiVersion()).put("displayName", s.apiVersion())
                .put("supported", true);
        all.putObject("endpoint").put("__typename", "WebhookHttpEndpoint").put("callbackUrl", s.uri());
        all.put("createdAt", BulkJsonlWriter.timestamp(s.createdAt()));
        all.put("updatedAt", BulkJsonlWriter.timestamp(s.updatedAt()));
        ObjectNode node = JSON.createObjectNode();
        all.fieldNames().forEachRemaining(name -> {
            if (selected.contains(name)) {
                node.set(name, all.get(name));
            }
        });
        return node.isEmpty() ? all : node;
    }

    private static String cursor(Stored s) {
        return "cursor:" + s.number();
    }

    private static Result userError(ObjectNode data, ObjectNode payload, String field, String subfield,
                                    String message) {
        payload.putNull("webhookSubscription");
        addError(payload, field, subfield, message);
        return new Result(data, null);
    }

    private static void addError(ObjectNode payload, String field, String subfield, String message) {
        ObjectNode error = payload.putArray("userErrors").addObject();
        ArrayNode path = error.putArray("field");
        path.add(field);
        if (subfield != null) {
            path.add(subfield);
        }
        error.put("message", message);
    }

    private static Result topLevelError(String message) {
        ArrayNode errors = JSON.createArrayNode();
        errors.addObject().put("message", message).putObject("extensions").put("code", "argumentLiteralsIncompatible");
        return new Result(null, errors);
    }
}
