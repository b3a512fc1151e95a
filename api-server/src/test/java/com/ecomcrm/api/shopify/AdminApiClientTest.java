package com.ecomcrm.api.shopify;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.testing.shopify.SimulatorServer;
import com.ecomcrm.testing.shopify.StoreGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Admin API client against the simulator when Shopify fails now and then (issue #3, item 6): a query answered
 * 5xx is sent again after a jittered backoff; a mutation only when Shopify cannot have run it (503), never after a
 * 500/502 that may have run it; after four retries it gives up with UNAVAILABLE.
 */
class AdminApiClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ShopId SHOP = ShopId.of("admin-client.myshopify.com");
    private static final String TOKEN = "shpat_admin_client";
    private static final String SHOP_QUERY = "{ shop { name myshopifyDomain } }";
    private static final String RUN = """
            mutation run($query: String!) {
              bulkOperationRunQuery(query: $query) { bulkOperation { id status } userErrors { field message } }
            }""";
    private static Vertx vertx;
    private static SimulatorServer simulator;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        simulator = new SimulatorServer(List.of(new SimulatorServer.ShopAccount(
                StoreGenerator.generate(41, SHOP, 5), TOKEN)), SimulatorServer.Options.defaults().withPort(0));
        simulator.deployOn(vertx).await();
    }

    @AfterAll
    static void stop() {
        if (vertx != null) {
            vertx.close().await();
        }
    }

    private static AdminApiClient client() {
        return new AdminApiClient(HttpClient.newHttpClient(), simulator.adminUrlTemplate(), SHOP, TOKEN);
    }

    @Test
    void aQueryAnsweredWithServerErrorsIsSentAgainUntilItSucceeds() {
        int before = simulator.graphqlRequests(SHOP);
        simulator.failNextRequests(SHOP, 502, 500, 503);

        JsonNode data = client().graphql(SHOP_QUERY, JSON.createObjectNode());

        assertThat(data.at("/shop/myshopifyDomain").asText()).isEqualTo(SHOP.domain());
        assertThat(simulator.graphqlRequests(SHOP) - before).isEqualTo(4);
    }

    @Test
    void aQueryGivesUpAfterFourRetries() {
        int before = simulator.graphqlRequests(SHOP);
        simulator.failNextRequests(SHOP, 500, 500, 500, 500, 500);

        assertThatThrownBy(() -> client().graphql(SHOP_QUERY, JSON.createObjectNode()))
                .isInstanceOfSatisfying(DomainException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
                .hasMessage("Cannot query Shopify for " + SHOP + ": HTTP 500");
        assertThat(simulator.graphqlRequests(SHOP) - before).isEqualTo(5);
    }

    @Test
    void aMutationThatMayHaveRunIsNotSentAgainButOneRefusedWith503Is() {
        String query = "{ customers { edges { node { id email } } } }";
        int before = simulator.graphqlRequests(SHOP);
        simulator.failNextRequests(SHOP, 502);

        assertThatThrownBy(() -> client().graphql(RUN, JSON.createObjectNode().put("query", query)))
                .isInstanceOf(DomainException.class).hasMessageContaining("HTTP 502");
        assertThat(simulator.graphqlRequests(SHOP) - before).isEqualTo(1);

        simulator.failNextRequests(SHOP, 503);
        JsonNode started = client().graphql(RUN, JSON.createObjectNode().put("query", query));
        assertThat(started.at("/bulkOperationRunQuery/bulkOperation/status").asText()).isEqualTo("CREATED");
        assertThat(simulator.graphqlRequests(SHOP) - before).isEqualTo(3);
    }

    @Test
    void backoffIsAJitteredWaitUnderADoublingCeiling() {
        for (int attempt = 0; attempt < 8; attempt++) {
            long ceiling = Math.min(8000, 250L << attempt);
            for (int i = 0; i < 200; i++) {
                assertThat(AdminApiClient.backoff(attempt)).isBetween(Duration.ZERO, Duration.ofMillis(ceiling));
            }
        }
        assertThat(java.util.stream.IntStream.range(0, 200).mapToObj(i -> AdminApiClient.backoff(3)).distinct()
                .count()).as("jittered, not a fixed wait").isGreaterThan(20);
    }
}
