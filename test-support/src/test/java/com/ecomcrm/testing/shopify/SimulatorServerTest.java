package com.ecomcrm.testing.shopify;

import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** End to end over HTTP, sending the very documents api-server's BulkImport sends (copied from it). */
class SimulatorServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    // api-server: BulkImport.RUN / BulkImport.POLL / BulkQueries.CUSTOMERS / BulkQueries.ORDERS
    private static final String RUN = """
            mutation run($query: String!) {
              bulkOperationRunQuery(query: $query) { bulkOperation { id status } userErrors { field message } }
            }""";
    private static final String POLL = """
            query poll($id: ID!) {
              node(id: $id) { ... on BulkOperation { id status errorCode objectCount rootObjectCount url partialDataUrl } }
            }""";
    private static final String CUSTOMERS = "{ customers { edges { node { id email firstName lastName state createdAt "
            + "updatedAt emailMarketingConsent { marketingState marketingOptInLevel consentUpdatedAt } } } } }";
    private static final String ORDERS = "{ orders { edges { node { id name createdAt processedAt updatedAt cancelledAt "
            + "displayFinancialStatus test currencyCode totalPriceSet { shopMoney { amount currencyCode } } "
            + "totalRefundedSet { shopMoney { amount currencyCode } } "
            + "refunds { id createdAt totalRefundedSet { shopMoney { amount currencyCode } } } "
            + "customer { id } lineItems { edges { node { id sku "
            + "title quantity product { id } variant { id } originalUnitPriceSet { shopMoney { amount currencyCode } } "
            + "} } } } } } }";

    private static final long SEED = 11;
    private static Vertx vertx;
    private static SimulatorServer server;
    private static SimulatorServer throttled;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        server = SimulatorServer.forSeed(SEED, 2, 400, SimulatorServer.Options.defaults().withPollsWhileRunning(2));
        server.deployOn(vertx).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        throttled = SimulatorServer.forSeed(SEED, 1, 50, SimulatorServer.Options.defaults().withBucket(15, 1)
                .withThrottledStatus(429));
        throttled.deployOn(vertx).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static HttpResponse<String> post(SimulatorServer on, ShopId shop, String token, String query,
                                             ObjectNode variables) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("query", query);
        if (variables != null) {
            body.set("variables", variables);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(on.graphqlUrl(shop)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (token != null) {
            request.header("X-Shopify-Access-Token", token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode graphql(SimulatorServer on, ShopId shop, String query, ObjectNode variables) throws Exception {
        HttpResponse<String> response = post(on, shop, SimulatedShops.accessToken(SEED, shop), query, variables);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    @Test
    @DisplayName("the admin URL template is the one the app fills with {shop}")
    void adminUrlTemplate() {
        assertThat(server.adminUrlTemplate())
                .isEqualTo("http://127.0.0.1:" + server.port() + "/shops/{shop}/admin/api/2025-10/graphql.json");
    }

    @Test
    @DisplayName("a wrong or missing access token gets 401 with Shopify's message")
    void wrongTokenIs401() throws Exception {
        ShopId shop = SimulatedShops.domain(1);
        HttpResponse<String> wrong = post(server, shop, SimulatedShops.accessToken(SEED, SimulatedShops.domain(2)),
                POLL, JSON.createObjectNode().put("id", "gid://shopify/BulkOperation/1"));
        HttpResponse<String> missing = post(server, shop, null, POLL, null);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(wrong.body()).get("errors").asText())
                .isEqualTo("[API] Invalid API key or access token (unrecognized login or wrong password)");
    }

    @Test
    @DisplayName("a bulk import runs, polls to COMPLETED and downloads exactly the writer's JSONL, for both queries")
    void bulkOperationEndToEnd() throws Exception {
        ShopId shop = SimulatedShops.domain(2);
        SimulatedStore store = server.accounts().get(1).store();
        for (var entry : List.of(java.util.Map.entry(CUSTOMERS, BulkObjectType.CUSTOMERS),
                java.util.Map.entry(ORDERS, BulkObjectType.ORDERS))) {
            JsonNode started = graphql(server, shop, RUN, JSON.createObjectNode().put("query", entry.getKey()));
            JsonNode payload = started.at("/data/bulkOperationRunQuery");
            assertThat(payload.get("userErrors")).isEmpty();
            assertThat(payload.at("/bulkOperation/status").asText()).isEqualTo("CREATED");
            String id = payload.at("/bulkOperation/id").asText();
            assertThat(id).matches("gid://shopify/BulkOperation/\\d+");
            assertThat(started.at("/extensions/cost/throttleStatus/maximumAvailable").asDouble()).isEqualTo(2000.0);
            assertThat(started.at("/extensions/cost/requestedQueryCost").asInt()).isPositive();

            JsonNode secondStart = graphql(server, shop, RUN, JSON.createObjectNode().put("query", entry.getKey()));
            assertThat(secondStart.at("/data/bulkOperationRunQuery/bulkOperation").isNull()).isTrue();
            assertThat(secondStart.at("/data/bulkOperationRunQuery/userErrors/0/message").asText())
                    .isEqualTo("A bulk query operation for this app and shop is already in progress: " + id + ".");

            ObjectNode poll = JSON.createObjectNode().put("id", id);
            assertThat(graphql(server, shop, POLL, poll).at("/data/node/status").asText()).isEqualTo("RUNNING");
            assertThat(graphql(server, shop, POLL, poll).at("/data/node/status").asText()).isEqualTo("RUNNING");
            JsonNode done = graphql(server, shop, POLL, poll).at("/data/node");
            assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
            assertThat(done.get("errorCode").isNull()).isTrue();
            assertThat(done.has("createdAt")).as("only selected fields").isFalse();

            byte[] expected = BulkJsonlWriter.toBytes(store, entry.getValue());
            long lines = new String(expected, java.nio.charset.StandardCharsets.UTF_8).lines().count();
            assertThat(done.get("objectCount").asText()).isEqualTo(Long.toString(lines));
            String url = done.get("url").asText();
            assertThat(url).isEqualTo(server.baseUrl() + "/bulk/" + shop.domain() + "/"
                    + id.substring(id.lastIndexOf('/') + 1) + ".jsonl");
            HttpResponse<byte[]> download = HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(download.statusCode()).isEqualTo(200);
            assertThat(download.body()).isEqualTo(expected);
        }
        JsonNode current = graphql(server, shop, "{ currentBulkOperation { id status fileSize } }", null);
        assertThat(current.at("/data/currentBulkOperation/status").asText()).isEqualTo("COMPLETED");
        assertThat(current.at("/data/currentBulkOperation/fileSize").asText())
                .isEqualTo(Long.toString(BulkJsonlWriter.toBytes(store, BulkObjectType.ORDERS).length));
    }

    @Test
    @DisplayName("a refund's line items (a connection) inside Order.refunds (a list) are refused as Shopify refuses them")
    void connectionInsideAListFieldIsRefused() throws Exception {
        String query = "{ orders { edges { node { id refunds { id refundLineItems { edges { node { id quantity } } } } "
                + "} } } }";
        JsonNode answer = graphql(server, SimulatedShops.domain(1), RUN, JSON.createObjectNode().put("query", query));
        assertThat(answer.at("/data/bulkOperationRunQuery/bulkOperation").isNull()).isTrue();
        assertThat(answer.at("/data/bulkOperationRunQuery/userErrors/0/message").asText())
                .isEqualTo("Queries that contain a connection field within a list field are not currently supported.");
        assertThat(answer.at("/data/bulkOperationRunQuery/userErrors/0/field/0").asText()).isEqualTo("query");
    }

    @Test
    @DisplayName("an inline bulk query with a field the simulator does not produce is refused with a userError")
    void unsupportedFieldIsRefused() throws Exception {
        String inline = "mutation { bulkOperationRunQuery(query: \"\"\"{ customers { edges { node { id phone } } } }\"\"\")"
                + " { bulkOperation { id } userErrors { field message code } } }";
        JsonNode answer = graphql(server, SimulatedShops.domain(1), inline, null);
        assertThat(answer.at("/data/bulkOperationRunQuery/userErrors/0/message").asText()).contains("'phone'");
        assertThat(answer.at("/data/bulkOperationRunQuery/userErrors/0/code").asText()).isEqualTo("INVALID");
    }

    @Test
    @DisplayName("an exhausted cost bucket answers THROTTLED with the cost the app needs to wait")
    void throttling() throws Exception {
        ShopId shop = SimulatedShops.domain(1);
        String token = SimulatedShops.accessToken(SEED, shop);
        ObjectNode variables = JSON.createObjectNode().put("query", CUSTOMERS);
        HttpResponse<String> first = post(throttled, shop, token, RUN, variables);
        assertThat(first.statusCode()).isEqualTo(200);
        HttpResponse<String> second = post(throttled, shop, token, RUN, variables);
        assertThat(second.statusCode()).isEqualTo(429);
        JsonNode body = JSON.readTree(second.body());
        assertThat(body.at("/errors/0/extensions/code").asText()).isEqualTo("THROTTLED");
        assertThat(body.at("/errors/0/message").asText()).isEqualTo("Throttled");
        assertThat(body.at("/extensions/cost/actualQueryCost").isNull()).isTrue();
        assertThat(body.at("/extensions/cost/requestedQueryCost").asInt()).isEqualTo(10);
        assertThat(body.at("/extensions/cost/throttleStatus/currentlyAvailable").asInt()).isLessThan(10);
        assertThat(body.at("/extensions/cost/throttleStatus/restoreRate").asDouble()).isEqualTo(1.0);
        assertThat(body.has("data")).isFalse();
    }

    @Test
    @DisplayName("an unknown shop is 404")
    void unknownShop() throws Exception {
        HttpResponse<String> response = post(server, ShopId.of("nope.myshopify.com"), "x", POLL, null);
        assertThat(response.statusCode()).isEqualTo(404);
    }
}
