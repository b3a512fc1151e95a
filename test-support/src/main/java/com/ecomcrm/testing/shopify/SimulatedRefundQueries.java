package com.ecomcrm.testing.shopify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Answers {@code nodes(ids: [...])} and {@code node(id:)} for the refunds of one simulated shop, as the Admin GraphQL
 * API does: field by field from the query's selection ({@code ... on Refund { id createdAt order { id }
 * refundLineItems(first: 10, after: $cursor) { pageInfo { hasNextPage endCursor } nodes { ... } } transactions(first:
 * 5) { nodes { ... } } }}), an id that is not a refund of this shop (another shop's, or one that never existed) gives
 * {@code null} in its place, connections page by opaque cursors.
 *
 * <p>Query cost, as Shopify's rate-limit page describes it: scalars and enums 0, an object 1, a connection 2 plus
 * {@code first} (or {@code last}) times the cost of one of its nodes, an interface the most expensive of its
 * selections; a list of nodes asked by id ({@code nodes(ids:)}) costs one node per id. The requested cost is
 * computed before running the query (the worst case); the actual cost from what came back (the connections' real
 * sizes); the bucket is charged the requested cost and refunded the difference afterwards. A query whose requested
 * cost is over 1,000 is refused with {@code MAX_COST_EXCEEDED}; more than 250 ids with
 * {@code MAX_INPUT_SIZE_EXCEEDED}.
 */
public final class SimulatedRefundQueries {
    static final int MAX_QUERY_COST = 1000;
    static final int MAX_INPUT_SIZE = 250;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The Admin API types this class serves, with each field's kind and type (a small slice of the schema). */
    private enum Kind { SCALAR, OBJECT, CONNECTION }

    private record FieldType(Kind kind, String type) {
    }

    private static final Map<String, Map<String, FieldType>> SCHEMA = Map.of(
            "Refund", Map.of("id", scalar(), "legacyResourceId", scalar(), "createdAt", scalar(), "note", scalar(),
                    "__typename", scalar(), "order", object("Order"), "totalRefundedSet", object("MoneyBag"),
                    "refundLineItems", connection("RefundLineItem"), "transactions", connection("OrderTransaction")),
            "Order", Map.of("id", scalar(), "name", scalar(), "legacyResourceId", scalar(), "__typename", scalar()),
            "MoneyBag", Map.of("shopMoney", object("MoneyV2"), "presentmentMoney", object("MoneyV2")),
            "MoneyV2", Map.of("amount", scalar(), "currencyCode", scalar()),
            "RefundLineItem", Map.of("id", scalar(), "quantity", scalar(), "restockType", scalar(),
                    "restocked", scalar(), "lineItem", object("LineItem"), "subtotalSet", object("MoneyBag"),
                    "totalTaxSet", object("MoneyBag"), "priceSet", object("MoneyBag")),
            "LineItem", Map.of("id", scalar(), "title", scalar(), "sku", scalar(), "quantity", scalar(),
                    "name", scalar()),
            "OrderTransaction", Map.of("id", scalar(), "kind", scalar(), "status", scalar(), "gateway", scalar(),
                    "createdAt", scalar(), "processedAt", scalar(), "amountSet", object("MoneyBag")),
            "PageInfo", Map.of("hasNextPage", scalar(), "hasPreviousPage", scalar(), "startCursor", scalar(),
                    "endCursor", scalar()));

    private static FieldType scalar() {
        return new FieldType(Kind.SCALAR, null);
    }

    private static FieldType object(String type) {
        return new FieldType(Kind.OBJECT, type);
    }

    private static FieldType connection(String type) {
        return new FieldType(Kind.CONNECTION, type);
    }

    /** A refund with the order it belongs to. */
    private record Found(SimulatedRefund refund, SimulatedOrder order) {
    }

    /** What the query gave: data or errors, and its requested and actual cost. */
    record Answer(ObjectNode data, ArrayNode errors, int requestedCost, int actualCost) {
    }

    private final Map<String, Found> refunds = new HashMap<>();

    SimulatedRefundQueries(SimulatedStore store) {
        requireNonNull(store, "store is null");
        for (SimulatedOrder order : store.orders()) {
            for (SimulatedRefund refund : order.refunds()) {
                refunds.put(refund.gid(), new Found(refund, order));
            }
        }
    }

    /**
     * The {@code data} the simulator answers {@code store}'s shop for a refund query, without HTTP or a bucket: for a
     * test that lands what the app lands from such answers. Fails on what the query gets as errors instead.
     */
    public static JsonNode answerData(SimulatedStore store, String document, JsonNode variables) {
        Answer answer = new SimulatedRefundQueries(store).run(GraphqlSelection.parseOperation(document, variables));
        if (answer.errors() != null) {
            throw new IllegalArgumentException("Cannot answer the refund query: " + answer.errors());
        }
        return answer.data();
    }

    /** Whether a document is a {@code nodes}/{@code node} lookup with a fragment on Refund: what this class answers. */
    static boolean handles(String document) {
        return document.matches("(?s).*\\bnodes?\\s*\\(.*") && document.matches("(?s).*\\.\\.\\.\\s*on\\s+Refund\\b.*");
    }

    /** The requested cost of a parsed query; errors (unknown fields) are reported by {@link #run}. */
    static int requestedCost(List<GraphqlSelection> root) {
        int cost = 0;
        for (GraphqlSelection field : root) {
            if (field.name().equals("nodes")) {
                cost += field.argument("ids").size() * (1 + fragmentCost(field));
            }
            else if (field.name().equals("node")) {
                cost += 1 + fragmentCost(field);
            }
        }
        return cost;
    }

    private static int fragmentCost(GraphqlSelection nodeField) {
        int most = 0;
        for (GraphqlSelection child : nodeField.children()) {
            if (child.isFragment() && SCHEMA.containsKey(child.onType())) {
                most = Math.max(most, selectionCost(child.onType(), child.children()));
            }
        }
        return most;
    }

    private static int selectionCost(String type, List<GraphqlSelection> selections) {
        int cost = 0;
        for (GraphqlSelection selection : selections) {
            FieldType field = SCHEMA.getOrDefault(type, Map.of()).get(selection.name());
            if (field == null || field.kind() == Kind.SCALAR) {
                continue;
            }
            if (field.kind() == Kind.OBJECT) {
                cost += 1 + selectionCost(field.type(), selection.children());
            }
            else {
                long size = selection.argument("first").asLong(selection.argument("last").asLong(0));
                cost += (int) (2 + size * (1 + selectionCost(field.type(), nodeSelection(selection))));
            }
        }
        return cost;
    }

    /** What a connection selects of each node, through {@code nodes { ... }} or {@code edges { node { ... } } }. */
    private static List<GraphqlSelection> nodeSelection(GraphqlSelection connection) {
        List<GraphqlSelection> selected = new ArrayList<>();
        GraphqlSelection nodes = connection.child("nodes");
        if (nodes != null) {
            selected.addAll(nodes.children());
        }
        GraphqlSelection edges = connection.child("edges");
        if (edges != null && edges.child("node") != null) {
            selected.addAll(edges.child("node").children());
        }
        return selected;
    }

    /** Runs a parsed query. The caller has checked the bucket for {@link #requestedCost}. */
    Answer run(List<GraphqlSelection> root) {
        int requested = requestedCost(root);
        ArrayNode errors = JSON.createArrayNode();
        for (GraphqlSelection field : root) {
            validate(field, errors);
        }
        if (!errors.isEmpty()) {
            return new Answer(null, errors, requested, 0);
        }
        if (requested > MAX_QUERY_COST) {
            errors.addObject()
                    .put("message", "Query cost is " + requested + ", which exceeds the single query max cost limit ("
                            + MAX_QUERY_COST + ").\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more "
                            + "information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data "
                            + "with fewer limits, bulk operations should be used instead.\nSee "
                            + "https://shopify.dev/api/usage/bulk-operations/queries for usage details.\n")
                    .putObject("extensions").put("code", "MAX_COST_EXCEEDED").put("cost", requested)
                    .put("maxCost", MAX_QUERY_COST).put("documentation", "https://shopify.dev/api/usage/rate-limits");
            return new Answer(null, errors, requested, 0);
        }
        ObjectNode data = JSON.createObjectNode();
        int[] actual = {0};
        for (GraphqlSelection field : root) {
            if (field.name().equals("nodes")) {
                ArrayNode list = data.putArray("nodes");
                for (JsonNode id : field.argument("ids")) {
                    actual[0] += 1;
                    list.add(lookup(id.asText(), field, actual));
                }
            }
            else {
                actual[0] += 1;
                data.set("node", lookup(field.argument("id").asText(), field, actual));
            }
        }
        return new Answer(data, null, requested, actual[0]);
    }

    private static void validate(GraphqlSelection field, ArrayNode errors) {
        if (!field.name().equals("nodes") && !field.name().equals("node")) {
            errors.addObject().put("message", "Field '" + field.name() + "' is not served by the Shopify simulator "
                    + "alongside nodes(ids:) on Refund");
            return;
        }
        if (field.name().equals("nodes") && field.argument("ids").size() > MAX_INPUT_SIZE) {
            errors.addObject().put("message", "The input array size of " + field.argument("ids").size()
                            + " is greater than the maximum allowed of " + MAX_INPUT_SIZE + ".")
                    .putObject("extensions").put("code", "MAX_INPUT_SIZE_EXCEEDED");
            return;
        }
        for (GraphqlSelection child : field.children()) {
            if (child.isFragment()) {
                if (!SCHEMA.containsKey(child.onType())) {
                    errors.addObject().put("message", "The Shopify simulator answers nodes of type Refund only, not "
                            + child.onType());
                    continue;
                }
                validateFields(child.onType(), child.children(), errors);
            }
            else if (!child.name().equals("id") && !child.name().equals("__typename")) {
                undefinedField(errors, "Node", child.name());
            }
        }
    }

    private static void validateFields(String type, List<GraphqlSelection> selections, ArrayNode errors) {
        for (GraphqlSelection selection : selections) {
            if (selection.isFragment()) {
                continue;
            }
            FieldType field = SCHEMA.get(type).get(selection.name());
            if (field == null) {
                undefinedField(errors, type, selection.name());
                continue;
            }
            if (field.kind() == Kind.OBJECT) {
                validateFields(field.type(), selection.children(), errors);
            }
            else if (field.kind() == Kind.CONNECTION) {
                if (selection.argument("first").isMissingNode() && selection.argument("last").isMissingNode()) {
                    errors.addObject().put("message", "you must provide one of first or last");
                }
                else if (selection.argument("first").asLong(selection.argument("last").asLong(0)) > MAX_INPUT_SIZE) {
                    errors.addObject().put("message", "The value of first or last on " + selection.name()
                            + " must be at most " + MAX_INPUT_SIZE);
                }
                for (GraphqlSelection part : selection.children()) {
                    if (part.name().equals("pageInfo")) {
                        validateFields("PageInfo", part.children(), errors);
                    }
                    else if (part.name().equals("nodes")) {
                        validateFields(field.type(), part.children(), errors);
                    }
                    else if (part.name().equals("edges")) {
                        for (GraphqlSelection edge : part.children()) {
                            if (edge.name().equals("node")) {
                                validateFields(field.type(), edge.children(), errors);
                            }
                            else if (!edge.name().equals("cursor")) {
                                undefinedField(errors, field.type() + "Edge", edge.name());
                            }
                        }
                    }
                    else {
                        undefinedField(errors, field.type() + "Connection", part.name());
                    }
                }
            }
        }
    }

    private static void undefinedField(ArrayNode errors, String type, String field) {
        errors.addObject().put("message", "Field '" + field + "' doesn't exist on type '" + type + "'")
                .putObject("extensions").put("code", "undefinedField").put("typeName", type).put("fieldName", field);
    }

    /** A node by GID: a refund of this shop, else null (another shop's ids are not this shop's objects). */
    private JsonNode lookup(String gid, GraphqlSelection nodeField, int[] actual) {
        Found found = refunds.get(gid);
        if (found == null) {
            return JSON.nullNode();
        }
        ObjectNode node = JSON.createObjectNode();
        for (GraphqlSelection child : nodeField.children()) {
            if (!child.isFragment()) {
                node.put(child.name(), child.name().equals("id") ? gid : "Refund");
            }
            else if (child.onType().equals("Refund")) {
                refund(found, child.children(), node, actual);
            }
        }
        return node;
    }

    private void refund(Found found, List<GraphqlSelection> selections, ObjectNode into, int[] actual) {
        SimulatedRefund r = found.refund();
        SimulatedOrder o = found.order();
        for (GraphqlSelection s : selections) {
            switch (s.name()) {
                case "id" -> into.put("id", r.gid());
                case "legacyResourceId" -> into.put("legacyResourceId", Long.toString(r.id()));
                case "__typename" -> into.put("__typename", "Refund");
                case "createdAt" -> into.put("createdAt", BulkJsonlWriter.timestamp(r.createdAt()));
                case "note" -> into.put("note", r.amount().compareTo(o.totalPrice()) == 0 ? "Simulated full refund"
                        : "Simulated partial refund");
                case "order" -> {
                    actual[0] += 1;
                    ObjectNode order = into.putObject("order");
                    for (GraphqlSelection f : s.children()) {
                        switch (f.name()) {
                            case "id" -> order.put("id", o.gid());
                            case "name" -> order.put("name", o.name());
                            case "legacyResourceId" -> order.put("legacyResourceId", Long.toString(o.id()));
                            default -> order.put(f.name(), "Order");
                        }
                    }
                }
                case "totalRefundedSet" -> into.set("totalRefundedSet", moneyBag(r.amount(), o.currency(), s, actual));
                case "refundLineItems" -> into.set("refundLineItems", page(s, refundLines(r, o), actual));
                case "transactions" -> into.set("transactions", page(s, transactions(r, o), actual));
                default -> throw new IllegalStateException("validated away: " + s.name());
            }
        }
    }

    /** One node of a connection: its numeric id (the cursor's position) and how to write it for a selection. */
    private interface Item {
        long id();

        ObjectNode write(List<GraphqlSelection> selection, int[] actual);
    }

    private List<Item> refundLines(SimulatedRefund r, SimulatedOrder o) {
        List<Item> items = new ArrayList<>();
        for (SimulatedRefund.Line line : r.lines().stream()
                .sorted(java.util.Comparator.comparingLong(SimulatedRefund.Line::id)).toList()) {
            SimulatedLine item = o.lines().stream().filter(l -> l.id() == line.lineItemId()).findFirst().orElseThrow();
            items.add(new Item() {
                public long id() {
                    return line.id();
                }

                public ObjectNode write(List<GraphqlSelection> selection, int[] actual) {
                    ObjectNode node = JSON.createObjectNode();
                    for (GraphqlSelection f : selection) {
                        switch (f.name()) {
                            case "id" -> node.put("id", line.gid());
                            case "quantity" -> node.put("quantity", line.quantity());
                            case "restockType" -> node.put("restockType", "NO_RESTOCK");
                            case "restocked" -> node.put("restocked", false);
                            case "lineItem" -> {
                                actual[0] += 1;
                                ObjectNode lineItem = node.putObject("lineItem");
                                for (GraphqlSelection g : f.children()) {
                                    switch (g.name()) {
                                        case "id" -> lineItem.put("id", item.gid());
                                        case "title", "name" -> lineItem.put(g.name(), item.title());
                                        case "sku" -> lineItem.put("sku", item.sku());
                                        case "quantity" -> lineItem.put("quantity", item.quantity());
                                        default -> throw new IllegalStateException("validated away: " + g.name());
                                    }
                                }
                            }
                            case "subtotalSet" -> node.set("subtotalSet",
                                    moneyBag(line.subtotal(), o.currency(), f, actual));
                            case "totalTaxSet" -> node.set("totalTaxSet",
                                    moneyBag(BigDecimal.ZERO.setScale(2), o.currency(), f, actual));
                            case "priceSet" -> node.set("priceSet", moneyBag(item.unitPrice(), o.currency(), f, actual));
                            default -> throw new IllegalStateException("validated away: " + f.name());
                        }
                    }
                    return node;
                }
            });
        }
        return items;
    }

    /** The one successful refund transaction of a simulated refund (id = refund id + 1, as in its webhook). */
    private List<Item> transactions(SimulatedRefund r, SimulatedOrder o) {
        return List.of(new Item() {
            public long id() {
                return r.id() + 1;
            }

            public ObjectNode write(List<GraphqlSelection> selection, int[] actual) {
                ObjectNode node = JSON.createObjectNode();
                for (GraphqlSelection f : selection) {
                    switch (f.name()) {
                        case "id" -> node.put("id", "gid://shopify/OrderTransaction/" + (r.id() + 1));
                        case "kind" -> node.put("kind", "REFUND");
                        case "status" -> node.put("status", "SUCCESS");
                        case "gateway" -> node.put("gateway", "manual");
                        case "createdAt", "processedAt" -> node.put(f.name(), BulkJsonlWriter.timestamp(r.createdAt()));
                        case "amountSet" -> node.set("amountSet", moneyBag(r.amount(), o.currency(), f, actual));
                        default -> throw new IllegalStateException("validated away: " + f.name());
                    }
                }
                return node;
            }
        });
    }

    /** A page of a connection from {@code first}/{@code after} (or {@code last}/{@code before}). */
    private static ObjectNode page(GraphqlSelection connection, List<Item> all, int[] actual) {
        Optional<Long> after = cursor(connection.argument("after"));
        Optional<Long> before = cursor(connection.argument("before"));
        List<Item> window = all.stream().filter(i -> after.isEmpty() || i.id() > after.get())
                .filter(i -> before.isEmpty() || i.id() < before.get()).toList();
        List<Item> page;
        boolean more;
        if (!connection.argument("first").isMissingNode()) {
            int first = connection.argument("first").asInt();
            page = window.subList(0, Math.min(first, window.size()));
            more = window.size() > first;
        }
        else {
            int last = connection.argument("last").asInt();
            page = window.subList(Math.max(0, window.size() - last), window.size());
            more = false;
        }
        actual[0] += 2 + page.size();
        ObjectNode result = JSON.createObjectNode();
        for (GraphqlSelection part : connection.children()) {
            switch (part.name()) {
                case "nodes" -> {
                    ArrayNode nodes = result.putArray("nodes");
                    page.forEach(i -> nodes.add(i.write(part.children(), actual)));
                }
                case "edges" -> {
                    ArrayNode edges = result.putArray("edges");
                    for (Item i : page) {
                        ObjectNode edge = edges.addObject();
                        for (GraphqlSelection e : part.children()) {
                            if (e.name().equals("cursor")) {
                                edge.put("cursor", cursorOf(i.id()));
                            }
                            else {
                                edge.set("node", i.write(e.children(), actual));
                            }
                        }
                    }
                }
                case "pageInfo" -> {
                    ObjectNode info = result.putObject("pageInfo");
                    for (GraphqlSelection f : part.children()) {
                        switch (f.name()) {
                            case "hasNextPage" -> info.put("hasNextPage", more);
                            case "hasPreviousPage" -> info.put("hasPreviousPage",
                                    !page.isEmpty() && page.get(0) != all.get(0));
                            case "startCursor" -> info.put("startCursor",
                                    page.isEmpty() ? null : cursorOf(page.get(0).id()));
                            default -> info.put("endCursor",
                                    page.isEmpty() ? null : cursorOf(page.get(page.size() - 1).id()));
                        }
                    }
                }
                default -> throw new IllegalStateException("validated away: " + part.name());
            }
        }
        return result;
    }

    /** Shopify's cursors are opaque; these are base64 of {@code {"last_id":N,"last_value":N}}, as its look. */
    static String cursorOf(long id) {
        return Base64.getEncoder().encodeToString(("{\"last_id\":" + id + ",\"last_value\":" + id + "}")
                .getBytes(StandardCharsets.UTF_8));
    }

    private static Optional<Long> cursor(JsonNode value) {
        if (value.isMissingNode() || value.isNull()) {
            return Optional.empty();
        }
        try {
            JsonNode decoded = JSON.readTree(Base64.getDecoder().decode(value.asText()));
            return Optional.of(decoded.path("last_id").asLong());
        }
        catch (java.io.IOException | IllegalArgumentException e) {
            return Optional.of(Long.MAX_VALUE);
        }
    }

    private static ObjectNode moneyBag(BigDecimal amount, String currency, GraphqlSelection bag, int[] actual) {
        actual[0] += 1;
        ObjectNode node = JSON.createObjectNode();
        for (GraphqlSelection side : bag.children()) {
            actual[0] += 1;
            ObjectNode money = node.putObject(side.name());
            for (GraphqlSelection f : side.children()) {
                if (f.name().equals("amount")) {
                    money.put("amount", amount.setScale(2).toPlainString());
                }
                else {
                    money.put("currencyCode", currency);
                }
            }
        }
        return node;
    }
}
