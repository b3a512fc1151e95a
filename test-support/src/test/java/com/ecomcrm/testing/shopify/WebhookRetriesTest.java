package com.ecomcrm.testing.shopify;

import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Shopify's retries of a webhook delivery that is not answered 2xx, on a clock the test moves. */
class WebhookRetriesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-11-30T04:00:00Z");
    private static final String SECRET = "retry-test-secret";
    private static final long SEED = 21;

    private HttpServer receiver;
    /** Statuses the receiver answers, in turn; once used up it answers the last one again. */
    private final ConcurrentLinkedDeque<Integer> answers = new ConcurrentLinkedDeque<>();
    private final List<Received> received = Collections.synchronizedList(new ArrayList<>());

    private record Received(String webhookId, String hmac, String triggeredAt, String body) {
    }

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/webhooks", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(new Received(exchange.getRequestHeaders().getFirst("X-Shopify-Webhook-Id"),
                    exchange.getRequestHeaders().getFirst("X-Shopify-Hmac-Sha256"),
                    exchange.getRequestHeaders().getFirst("X-Shopify-Triggered-At"),
                    new String(body, java.nio.charset.StandardCharsets.UTF_8)));
            int status = answers.size() > 1 ? answers.pollFirst() : answers.peekFirst();
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    private URI endpoint() {
        return URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/webhooks");
    }

    private static SimulatedWebhook webhook() {
        SimulatedStore store = StoreGenerator.generate(SEED, ShopId.of("retry-1.myshopify.com"), 20);
        return WebhookTimeline.of(store).get(0);
    }

    @Test
    @DisplayName("eight retries, each wait twice the one before, the last four hours after the first attempt")
    void theScheduleIsEightRetriesOverFourHoursWithExponentialBackoff() {
        List<Duration> waits = new ArrayList<>();
        Instant previous = T0;
        for (int retry = 1; retry <= WebhookRetrySchedule.RETRIES; retry++) {
            Instant at = WebhookRetrySchedule.retryAt(T0, retry);
            waits.add(Duration.between(previous, at));
            previous = at;
        }
        assertThat(waits).hasSize(8);
        for (int i = 1; i < waits.size(); i++) {
            assertThat(waits.get(i).toMillis()).isBetween(2 * waits.get(i - 1).toMillis() - 1,
                    2 * waits.get(i - 1).toMillis() + 1);
        }
        assertThat(waits.get(0)).isBetween(Duration.ofSeconds(56), Duration.ofSeconds(57));
        assertThat(Duration.between(T0, WebhookRetrySchedule.retryAt(T0, 8)))
                .isBetween(Duration.ofHours(4).minusMillis(1), Duration.ofHours(4));
        assertThat(WebhookRetrySchedule.next(T0, 8)).isEmpty();
    }

    @Test
    @DisplayName("a delivery answered 503 comes again when its retry is due, the very same request, until a 2xx")
    void aFailedDeliveryIsRetriedUnchangedUntilItSucceeds() {
        ManualClock clock = new ManualClock(T0);
        WebhookRetries retries = new WebhookRetries(clock);
        WebhookSender sender = new WebhookSender(HttpClient.newHttpClient(), endpoint(), SECRET);
        answers.addAll(List.of(503, 500, 200));
        SimulatedWebhook webhook = webhook();

        assertThat(retries.deliver(webhook, sender)).isEqualTo(WebhookRetries.Outcome.WILL_RETRY);
        assertThat(retries.retryDue()).as("nothing is due before the first retry's time").isZero();
        clock.advanceTo(WebhookRetrySchedule.retryAt(T0, 1).minusMillis(1));
        assertThat(retries.retryDue()).isZero();
        clock.advanceTo(WebhookRetrySchedule.retryAt(T0, 1));
        assertThat(retries.retryDue()).isEqualTo(1);
        assertThat(retries.nextRetryAt()).contains(WebhookRetrySchedule.retryAt(T0, 2));
        clock.advanceTo(WebhookRetrySchedule.retryAt(T0, 2));
        assertThat(retries.retryDue()).isEqualTo(1);

        assertThat(retries.pending()).isEmpty();
        assertThat(retries.attempts()).extracting(WebhookRetries.Attempt::number, WebhookRetries.Attempt::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0, 503), org.assertj.core.groups.Tuple.tuple(1, 500),
                        org.assertj.core.groups.Tuple.tuple(2, 200));
        assertThat(received).hasSize(3).allSatisfy(r -> {
            assertThat(r.webhookId()).isEqualTo(webhook.webhookId());
            assertThat(r.hmac()).isEqualTo(new WebhookSigner(SECRET).sign(webhook.body()));
            assertThat(r.triggeredAt()).isEqualTo(webhook.triggeredAtHeader());
            assertThat(r.body()).isEqualTo(webhook.bodyText());
        });
    }

    @Test
    @DisplayName("no answer at all (nothing listening) is a failure like a 503, and is retried")
    void aRefusedConnectionIsRetried() throws Exception {
        ManualClock clock = new ManualClock(T0);
        WebhookRetries retries = new WebhookRetries(clock);
        URI closed = endpoint();
        receiver.stop(0);
        WebhookSender sender = new WebhookSender(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build(),
                closed, SECRET);

        assertThat(retries.deliver(webhook(), sender)).isEqualTo(WebhookRetries.Outcome.WILL_RETRY);
        assertThat(retries.attempts()).singleElement().satisfies(a -> assertThat(a.status()).isZero());
        assertThat(retries.pending()).hasSize(1);
    }

    @Test
    @DisplayName("a subscription whose delivery fails the first attempt and all eight retries is removed; others stay")
    void aSubscriptionIsRemovedAfterItsDeliveryFailedEveryRetry() throws Exception {
        ManualClock clock = new ManualClock(T0);
        Vertx vertx = Vertx.vertx();
        try {
            SimulatorServer simulator = SimulatorServer.forSeed(SEED, 1, 20,
                    SimulatorServer.Options.defaults().withClock(clock).withApp("retry-client", SECRET));
            simulator.deployOn(vertx).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            ShopId shop = SimulatedShops.domain(1);
            SimulatedStore store = simulator.accounts().get(0).store();
            subscribe(simulator, shop, "CUSTOMERS_CREATE");
            subscribe(simulator, shop, "ORDERS_CREATE");
            answers.add(503);
            SimulatedWebhook customerCreated = WebhookTimeline.of(store).stream()
                    .filter(w -> w.topic().equals("customers/create")).findFirst().orElseThrow();

            Map<String, WebhookRetries.Outcome> outcomes = simulator.deliverWebhook(customerCreated);
            assertThat(outcomes.values()).containsExactly(WebhookRetries.Outcome.WILL_RETRY);
            for (int retry = 1; retry <= 8; retry++) {
                assertThat(simulator.webhookSubscriptions(shop)).as("before retry " + retry).hasSize(2);
                clock.advanceTo(simulator.nextWebhookRetryAt().orElseThrow());
                assertThat(simulator.retryDueWebhooks()).isEqualTo(1);
            }

            assertThat(simulator.nextWebhookRetryAt()).isEmpty();
            assertThat(clock.instant()).isEqualTo(WebhookRetrySchedule.retryAt(T0, 8));
            assertThat(simulator.webhookAttempts()).hasSize(9).allSatisfy(a -> assertThat(a.status()).isEqualTo(503));
            assertThat(received).hasSize(9).extracting(Received::webhookId).containsOnly(received.get(0).webhookId());
            assertThat(received.get(0).webhookId()).isNotEqualTo(customerCreated.webhookId());
            assertThat(simulator.webhookSubscriptions(shop)).extracting(SimulatorServer.WebhookSubscription::topic)
                    .containsExactly("ORDERS_CREATE");
            assertThat(simulator.deliverWebhook(customerCreated)).as("nothing subscribes to it any more").isEmpty();
        }
        finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private void subscribe(SimulatorServer simulator, ShopId shop, String topic) throws Exception {
        String mutation = "mutation { webhookSubscriptionCreate(topic: " + topic + ", webhookSubscription: "
                + "{ uri: \"" + endpoint() + "\", format: JSON }) { webhookSubscription { id } userErrors { message } } }";
        ObjectNode body = JSON.createObjectNode().put("query", mutation);
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(simulator.graphqlUrl(shop)))
                .header("Content-Type", "application/json")
                .header("X-Shopify-Access-Token", SimulatedShops.accessToken(SEED, shop))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode created = JSON.readTree(response.body()).at("/data/webhookSubscriptionCreate");
        assertThat(created.get("userErrors")).as(response.body()).isEmpty();
    }
}
