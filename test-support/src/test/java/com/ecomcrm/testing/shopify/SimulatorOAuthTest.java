package com.ecomcrm.testing.shopify;

import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The simulator's authorization endpoints and webhook subscriptions, over HTTP, against shopify-platform.md 1, 3.6, 10. */
class SimulatorOAuthTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private static final ShopId DEMO = ShopId.of("demo-store.myshopify.com");
    /** shopify-platform.md 10.3: valid at 1700000030 for client test-client-id, secret test-client-secret. */
    private static final String SESSION_TOKEN = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2RlbW8tc3RvcmUubXlzaG9waWZ5LmNvbS9hZG1pbiIsImRlc3QiOiJodHRwczovL2RlbW8tc3RvcmUubXlzaG9waWZ5LmNvbSIsImF1ZCI6InRlc3QtY2xpZW50LWlkIiwic3ViIjoiNDIiLCJleHAiOjE3MDAwMDAwNjAsIm5iZiI6MTcwMDAwMDAwMCwiaWF0IjoxNzAwMDAwMDAwLCJqdGkiOiJmODkxMjEyOS0xYWY2LTRjYWQtOWNhMy03NmIwZjc2MjEwODciLCJzaWQiOiJhYWVhMTgyZjI3MzJkNDRjMjMwNTdjMGZlYTU4NDAyMWE0NDg1YjJiZDI1ZDNlYjdmZDM0OTMxM2FkMjRjNjg1In0.DA9geqkCxPmbeOFlBosv1dsfPsFnkQT1vQ-oZWdaR8c";

    private static Vertx vertx;
    private static SimulatorServer server;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        server = new SimulatorServer(List.of(new SimulatorServer.ShopAccount(StoreGenerator.generate(3, DEMO, 5),
                "shpat_static")), SimulatorServer.Options.defaults().withApp("test-client-id", "test-client-secret")
                .withClock(Clock.fixed(Instant.ofEpochSecond(1_700_000_030), ZoneOffset.UTC)));
        server.deployOn(vertx).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void theSessionTokenOfTheSharedVectorIsExchangedForAnExpiringOfflineTokenThatOpensTheAdminApi() throws Exception {
        HttpResponse<String> response = tokenRequest(exchange("test-client-secret", SESSION_TOKEN), true);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("access_token").asText()).startsWith("shpat_");
        assertThat(body.get("refresh_token").asText()).startsWith("shprt_");
        assertThat(body.get("expires_in").asLong()).isEqualTo(3600);
        assertThat(body.get("refresh_token_expires_in").asLong()).isEqualTo(7_776_000);
        assertThat(body.get("scope").isTextual()).isTrue();
        assertThat(server.acceptsAccessToken(DEMO, body.get("access_token").asText())).isTrue();
        assertThat(graphql(body.get("access_token").asText(), "{ webhookSubscriptions(first: 10) { nodes { id } } }")
                .statusCode()).isEqualTo(200);
    }

    @Test
    void aSessionTokenSignedWithAnotherSecretIsRefusedAsInvalidSubjectToken() throws Exception {
        String forged = SESSION_TOKEN.substring(0, SESSION_TOKEN.lastIndexOf('.') + 1) + "AAAA";

        for (boolean json : new boolean[] {true, false}) {
            HttpResponse<String> response = tokenRequest(exchange("test-client-secret", forged), json);
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("invalid_subject_token");
        }
        HttpResponse<String> wrongClient = tokenRequest(exchange("other-secret", SESSION_TOKEN), false);
        assertThat(wrongClient.statusCode()).isEqualTo(401);
    }

    @Test
    void theGrantScreenRedirectsWithASignedCodeThatWorksOnceAndRefreshRotatesThePair() throws Exception {
        HttpResponse<String> grant = HTTP.send(HttpRequest.newBuilder(URI.create(server.adminBaseTemplate()
                .replace("{shop}", DEMO.domain()) + "/admin/oauth/authorize?client_id=test-client-id&scope="
                + "read_customers,read_orders&redirect_uri=" + URLEncoder.encode("http://app.test/auth/callback",
                StandardCharsets.UTF_8) + "&state=n0nce")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(grant.statusCode()).isEqualTo(302);
        URI callback = URI.create(grant.headers().firstValue("Location").orElseThrow());
        assertThat(callback.toString()).startsWith("http://app.test/auth/callback?");
        Map<String, String> query = new TreeMap<>();
        for (String pair : callback.getRawQuery().split("&")) {
            String[] parts = pair.split("=", 2);
            query.put(parts[0], java.net.URLDecoder.decode(parts[1], StandardCharsets.UTF_8));
        }
        assertThat(query).containsKeys("code", "hmac", "host", "shop", "state", "timestamp");
        assertThat(query.get("timestamp")).isEqualTo("1700000030");
        String hmac = query.remove("hmac");
        String message = query.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("&"));
        assertThat(hmac).isEqualTo(SimulatedOAuth.hmacHex("test-client-secret", message));

        Map<String, String> code = Map.of("client_id", "test-client-id", "client_secret", "test-client-secret",
                "code", query.get("code"), "expiring", "1");
        HttpResponse<String> first = tokenRequest(code, false);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(JSON.readTree(first.body()).get("scope").asText()).isEqualTo("read_customers,read_orders");
        assertThat(tokenRequest(code, true).statusCode()).isEqualTo(400);

        String refreshToken = JSON.readTree(first.body()).get("refresh_token").asText();
        Map<String, String> refresh = Map.of("client_id", "test-client-id", "client_secret", "test-client-secret",
                "grant_type", "refresh_token", "refresh_token", refreshToken);
        JsonNode refreshed = JSON.readTree(tokenRequest(refresh, true).body());
        assertThat(refreshed.get("refresh_token").asText()).isNotEqualTo(refreshToken);
        assertThat(server.acceptsAccessToken(DEMO, refreshed.get("access_token").asText())).isTrue();
        // The used token stays usable until its replacement is used (a lost answer can be retried)...
        JsonNode retried = JSON.readTree(tokenRequest(refresh, false).body());
        assertThat(retried.has("access_token")).isTrue();
        // ...and dies once the replacement is used.
        Map<String, String> next = new LinkedHashMap<>(refresh);
        next.put("refresh_token", retried.get("refresh_token").asText());
        assertThat(tokenRequest(next, true).statusCode()).isEqualTo(200);
        assertThat(tokenRequest(refresh, true).statusCode()).isEqualTo(400);
    }

    @Test
    void webhookSubscriptionsAreStoredPerShopAndAnExactDuplicateIsAUserError() throws Exception {
        String token = JSON.readTree(tokenRequest(exchange("test-client-secret", SESSION_TOKEN), true).body())
                .get("access_token").asText();
        String inline = "mutation { webhookSubscriptionCreate(topic: CUSTOMERS_CREATE, webhookSubscription: "
                + "{uri: \"https://app.test/webhooks\", format: JSON}) { webhookSubscription { id topic uri } "
                + "userErrors { field message } } }";

        JsonNode created = JSON.readTree(graphql(token, inline).body()).at("/data/webhookSubscriptionCreate");
        assertThat(created.at("/userErrors")).isEmpty();
        assertThat(created.at("/webhookSubscription/topic").asText()).isEqualTo("CUSTOMERS_CREATE");
        assertThat(created.at("/webhookSubscription/uri").asText()).isEqualTo("https://app.test/webhooks");
        assertThat(created.at("/webhookSubscription/id").asText()).startsWith("gid://shopify/WebhookSubscription/");

        JsonNode duplicate = JSON.readTree(graphql(token, inline).body()).at("/data/webhookSubscriptionCreate");
        assertThat(duplicate.at("/webhookSubscription").isNull()).isTrue();
        assertThat(duplicate.at("/userErrors/0/message").asText())
                .isEqualTo("Address for this topic has already been taken");

        JsonNode compliance = JSON.readTree(graphql(token, inline.replace("CUSTOMERS_CREATE", "SHOP_REDACT")).body());
        assertThat(compliance.at("/errors/0/message").asText()).contains("WebhookSubscriptionTopic");

        JsonNode listed = JSON.readTree(graphql(token, "query { webhookSubscriptions(first: 250) { nodes { id topic "
                + "uri apiVersion { handle } } pageInfo { hasNextPage endCursor } } }").body());
        assertThat(listed.at("/data/webhookSubscriptions/nodes")).hasSize(1);
        assertThat(listed.at("/data/webhookSubscriptions/nodes/0/apiVersion/handle").asText())
                .isEqualTo(SimulatedShops.API_VERSION);
        assertThat(server.webhookSubscriptions(DEMO)).singleElement()
                .satisfies(s -> assertThat(s.topic()).isEqualTo("CUSTOMERS_CREATE"));

        JsonNode deleted = JSON.readTree(graphql(token, "mutation { webhookSubscriptionDelete(id: \""
                + created.at("/webhookSubscription/id").asText() + "\") { deletedWebhookSubscriptionId "
                + "userErrors { field message } } }").body());
        assertThat(deleted.at("/data/webhookSubscriptionDelete/deletedWebhookSubscriptionId").asText())
                .isEqualTo(created.at("/webhookSubscription/id").asText());
        assertThat(server.webhookSubscriptions(DEMO)).isEmpty();
    }

    private static Map<String, String> exchange(String secret, String sessionToken) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("client_id", "test-client-id");
        fields.put("client_secret", secret);
        fields.put("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange");
        fields.put("subject_token", sessionToken);
        fields.put("subject_token_type", "urn:ietf:params:oauth:token-type:id_token");
        fields.put("requested_token_type", "urn:shopify:params:oauth:token-type:offline-access-token");
        fields.put("expiring", "1");
        return fields;
    }

    private static HttpResponse<String> tokenRequest(Map<String, String> fields, boolean json) throws Exception {
        String body;
        if (json) {
            ObjectNode node = JSON.createObjectNode();
            fields.forEach(node::put);
            body = node.toString();
        }
        else {
            body = fields.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(),
                    StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        }
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.adminBaseTemplate().replace("{shop}", DEMO.domain())
                        + "/admin/oauth/access_token"))
                .header("Content-Type", json ? "application/json" : "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> graphql(String token, String query) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.graphqlUrl(DEMO)))
                .header("Content-Type", "application/json")
                .header("X-Shopify-Access-Token", token)
                .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("query", query).toString()))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
