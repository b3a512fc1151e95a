package com.ecomcrm.testing.shopify;

import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The refund lookups the app makes after a bulk import ({@code nodes(ids:)} on Refund, then {@code node(id:)} for more
 * lines), over HTTP, with the very documents api-server's {@code RefundLineQueries} sends (copied from it): the shape
 * of each answer, null for ids that are not the shop's, cursor paging, and the cost (requested before, actual after,
 * the bucket charged the actual), {@code MAX_COST_EXCEEDED}, {@code THROTTLED} and {@code MAX_INPUT_SIZE_EXCEEDED}.
 */
class SimulatedRefundQueriesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    // api-server: RefundLineQueries.REFUNDS / RefundLineQueries.MORE_LINES
    private static final String LINE = "nodes { id quantity restockType lineItem { id } "
            + "subtotalSet { shopMoney { amount currencyCode } } }";
    private static final String REFUNDS = "query refundLines($ids: [ID!]!) { nodes(ids: $ids) { ... on Refund { "
            + "id createdAt note order { id } "
            + "refundLineItems(first: 10) { pageInfo { hasNextPage endCursor } " + LINE + " } "
            + "transactions(first: 5) { nodes { id kind status gateway createdAt processedAt "
            + "amountSet { shopMoney { amount currencyCode } } } } } } }";
    private static final String MORE_LINES_OF_ONE = "query moreRefundLines($id: ID!, $after: String) { node(id: $id) { "
            + "... on Refund { id refundLineItems(first: 1, after: $after) { "
            + "pageInfo { hasNextPage endCursor } " + LINE + " } } } }";
    /** One refund of {@link #REFUNDS}: 1 + order 1 + lines (2 + 10 x 4) + transactions (2 + 5 x 3). */
    private static final int COST_PER_REFUND = 61;
    private static final long SEED = 21;

    private static Vertx vertx;
    private static SimulatorServer server;
    private static SimulatorServer small;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        // A bucket that barely refills during a test, so what a query costs can be read off it.
        server = SimulatorServer.forSeed(SEED, 2, 400, SimulatorServer.Options.defaults().withBucket(2000, 0.001));
        server.deployOn(vertx).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        small = SimulatorServer.forSeed(SEED, 1, 400, SimulatorServer.Options.defaults().withBucket(300, 0.001)
                .withThrottledStatus(429));
        small.deployOn(vertx).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static HttpResponse<String> post(SimulatorServer on, ShopId shop, String query, ObjectNode variables)
            throws Exception {
        ObjectNode body = JSON.createObjectNode().put("query", query);
        body.set("variables", variables);
        return HTTP.send(HttpRequest.newBuilder(URI.create(on.graphqlUrl(shop)))
                .header("Content-Type", "application/json")
                .header("X-Shopify-Access-Token", SimulatedShops.accessToken(SEED, shop))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static ObjectNode ids(String... gids) {
        ObjectNode variables = JSON.createObjectNode();
        ArrayNode ids = variables.putArray("ids");
        for (String gid : gids) {
            ids.add(gid);
        }
        return variables;
    }

    private static SimulatedStore store(SimulatorServer on, int shop) {
        return on.accounts().get(shop).store();
    }

    private static SimulatedOrder refunded(SimulatedStore store, String status, int minimumRefundLines) {
        return store.orders().stream().filter(o -> o.financialStatus().equals(status))
                .filter(o -> o.refunds().get(0).lines().size() >= minimumRefundLines).findFirst().orElseThrow();
    }

    @Test
    @DisplayName("nodes(ids:) gives each refund of the shop as selected, and null for another shop's or an unknown id")
    void refundsByIdWithNullForIdsTheShopDoesNotHave() throws Exception {
        ShopId shop = SimulatedShops.domain(1);
        SimulatedOrder partial = refunded(store(server, 0), "PARTIALLY_REFUNDED", 1);
        SimulatedOrder full = refunded(store(server, 0), "REFUNDED", 1);
        String otherShops = refunded(store(server, 1), "REFUNDED", 1).refunds().get(0).gid();

        HttpResponse<String> response = post(server, shop, REFUNDS, ids(partial.refunds().get(0).gid(),
                full.refunds().get(0).gid(), otherShops, "gid://shopify/Refund/1"));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode nodes = JSON.readTree(response.body()).at("/data/nodes");
        assertThat(nodes).hasSize(4);
        assertThat(nodes.get(0)).isEqualTo(expected(partial));
        assertThat(nodes.get(1)).isEqualTo(expected(full));
        assertThat(nodes.get(2).isNull()).as("another shop's refund").isTrue();
        assertThat(nodes.get(3).isNull()).as("an id that never existed").isTrue();
    }

    /** The refund as Shopify would give it for {@link #REFUNDS}, built from the simulated store. */
    private static JsonNode expected(SimulatedOrder order) throws Exception {
        SimulatedRefund refund = order.refunds().get(0);
        StringBuilder lines = new StringBuilder();
        for (SimulatedRefund.Line line : refund.lines().stream()
                .sorted(java.util.Comparator.comparingLong(SimulatedRefund.Line::id)).toList()) {
            lines.append(lines.isEmpty() ? "" : ",").append("""
                    {"id":"gid://shopify/RefundLineItem/%d","quantity":%d,"restockType":"NO_RESTOCK",
                     "lineItem":{"id":"gid://shopify/LineItem/%d"},
                     "subtotalSet":{"shopMoney":{"amount":"%s","currencyCode":"USD"}}}"""
                    .formatted(line.id(), line.quantity(), line.lineItemId(), line.subtotal().toPlainString()));
        }
        long last = refund.lines().stream().mapToLong(SimulatedRefund.Line::id).max().orElseThrow();
        return JSON.readTree("""
                {"id":"%s","createdAt":"%s","note":"%s","order":{"id":"%s"},
                 "refundLineItems":{"pageInfo":{"hasNextPage":false,"endCursor":"%s"},"nodes":[%s]},
                 "transactions":{"nodes":[{"id":"gid://shopify/OrderTransaction/%d","kind":"REFUND","status":"SUCCESS",
                   "gateway":"manual","createdAt":"%s","processedAt":"%s",
                   "amountSet":{"shopMoney":{"amount":"%s","currencyCode":"USD"}}}]}}"""
                .formatted(refund.gid(), BulkJsonlWriter.timestamp(refund.createdAt()),
                        refund.amount().compareTo(order.totalPrice()) == 0 ? "Simulated full refund"
                                : "Simulated partial refund", order.gid(),
                        java.util.Base64.getEncoder().encodeToString(("{\"last_id\":" + last + ",\"last_value\":" + last
                                + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                        lines, refund.id() + 1, BulkJsonlWriter.timestamp(refund.createdAt()),
                        BulkJsonlWriter.timestamp(refund.createdAt()), refund.amount().toPlainString()));
    }

    @Test
    @DisplayName("the requested cost counts every asked id and connection size; the bucket is charged the actual cost")
    void requestedAndActualCost() throws Exception {
        ShopId shop = SimulatedShops.domain(2);
        SimulatedOrder full = refunded(store(server, 1), "REFUNDED", 1);
        int lines = full.refunds().get(0).lines().size();

        JsonNode answer = JSON.readTree(post(server, shop, REFUNDS,
                ids(full.refunds().get(0).gid(), "gid://shopify/Refund/2")).body());
        JsonNode cost = answer.at("/extensions/cost");

        assertThat(cost.get("requestedQueryCost").asInt()).isEqualTo(2 * COST_PER_REFUND);
        // The refund: itself, its order, lines 2 + 4 each, transactions 2 + 3 for its one; the null node: 1.
        int actual = 1 + 1 + (2 + 4 * lines) + (2 + 3) + 1;
        assertThat(cost.get("actualQueryCost").asInt()).isEqualTo(actual);
        assertThat(cost.at("/throttleStatus/maximumAvailable").asDouble()).isEqualTo(2000.0);
        assertThat(cost.at("/throttleStatus/currentlyAvailable").asInt()).isEqualTo(2000 - actual);
        assertThat(server.costedQueries(shop)).last()
                .extracting(SimulatorServer.CostedQuery::requestedCost, SimulatorServer.CostedQuery::actualCost)
                .containsExactly(2 * COST_PER_REFUND, actual);
    }

    @Test
    @DisplayName("a refund's lines page by cursor with node(id:) and after:, and come back complete and in order")
    void refundLinesPageByCursor() throws Exception {
        ShopId shop = SimulatedShops.domain(1);
        SimulatedRefund refund = refunded(store(server, 0), "REFUNDED", 3).refunds().get(0);
        List<String> paged = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            ObjectNode variables = JSON.createObjectNode().put("id", refund.gid());
            variables.put("after", after);
            JsonNode connection = JSON.readTree(post(server, shop, MORE_LINES_OF_ONE, variables).body())
                    .at("/data/node/refundLineItems");
            connection.get("nodes").forEach(n -> paged.add(n.get("id").asText()));
            after = connection.at("/pageInfo/hasNextPage").asBoolean() ? connection.at("/pageInfo/endCursor").asText()
                    : null;
            pages++;
        }
        while (after != null);

        assertThat(pages).isEqualTo(refund.lines().size());
        assertThat(paged).containsExactlyElementsOf(refund.lines().stream()
                .sorted(java.util.Comparator.comparingLong(SimulatedRefund.Line::id))
                .map(SimulatedRefund.Line::gid).toList());
    }

    @Test
    @DisplayName("a query asking for more than 1,000 points is refused with MAX_COST_EXCEEDED and costs nothing")
    void maxCostExceeded() throws Exception {
        ShopId shop = SimulatedShops.domain(2);
        String[] seventeen = new String[17];
        for (int i = 0; i < seventeen.length; i++) {
            seventeen[i] = "gid://shopify/Refund/" + (i + 1);
        }
        int before = server.costedQueries(shop).size();

        HttpResponse<String> response = post(server, shop, REFUNDS, ids(seventeen));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.has("data")).isFalse();
        assertThat(body.at("/errors/0/extensions/code").asText()).isEqualTo("MAX_COST_EXCEEDED");
        assertThat(body.at("/errors/0/extensions/cost").asInt()).isEqualTo(17 * COST_PER_REFUND);
        assertThat(body.at("/errors/0/extensions/maxCost").asInt()).isEqualTo(1000);
        assertThat(body.at("/errors/0/message").asText())
                .startsWith("Query cost is 1037, which exceeds the single query max cost limit (1000).");
        assertThat(server.costedQueries(shop)).hasSize(before);
    }

    @Test
    @DisplayName("when the bucket cannot hold the requested cost the answer is THROTTLED, with what to wait for")
    void throttledWhenTheBucketIsShort() throws Exception {
        ShopId shop = SimulatedShops.domain(1);
        String[] four = store(small, 0).orders().stream().flatMap(o -> o.refunds().stream()).limit(4)
                .map(SimulatedRefund::gid).toArray(String[]::new);
        small.spendBucket(shop, 100);

        HttpResponse<String> response = post(small, shop, REFUNDS, ids(four));

        assertThat(response.statusCode()).isEqualTo(429);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.has("data")).isFalse();
        assertThat(body.at("/errors/0/message").asText()).isEqualTo("Throttled");
        assertThat(body.at("/errors/0/extensions/code").asText()).isEqualTo("THROTTLED");
        assertThat(body.at("/errors/0/extensions/documentation").asText())
                .isEqualTo("https://shopify.dev/api/usage/rate-limits");
        assertThat(body.at("/extensions/cost/requestedQueryCost").asInt()).isEqualTo(4 * COST_PER_REFUND);
        assertThat(body.at("/extensions/cost/actualQueryCost").isNull()).isTrue();
        assertThat(body.at("/extensions/cost/throttleStatus/currentlyAvailable").asInt()).isEqualTo(200);
        assertThat(small.throttledAnswers(shop)).isEqualTo(1);
    }

    @Test
    @DisplayName("more than 250 ids is refused with MAX_INPUT_SIZE_EXCEEDED")
    void tooManyIds() throws Exception {
        String[] ids = new String[251];
        java.util.Arrays.fill(ids, "gid://shopify/Refund/1");
        JsonNode body = JSON.readTree(post(server, SimulatedShops.domain(1),
                "query q($ids: [ID!]!) { nodes(ids: $ids) { ... on Refund { id } } }", ids(ids)).body());
        assertThat(body.at("/errors/0/extensions/code").asText()).isEqualTo("MAX_INPUT_SIZE_EXCEEDED");
        assertThat(body.at("/errors/0/message").asText())
                .isEqualTo("The input array size of 251 is greater than the maximum allowed of 250.");
    }

    @Test
    @DisplayName("a field Refund does not have is a GraphQL error naming it")
    void unknownField() throws Exception {
        JsonNode body = JSON.readTree(post(server, SimulatedShops.domain(1),
                "query q($ids: [ID!]!) { nodes(ids: $ids) { ... on Refund { id refundedAmount } } }",
                ids("gid://shopify/Refund/1")).body());
        assertThat(body.at("/errors/0/message").asText()).isEqualTo("Field 'refundedAmount' doesn't exist on type 'Refund'");
        assertThat(body.at("/errors/0/extensions/code").asText()).isEqualTo("undefinedField");
    }
}
