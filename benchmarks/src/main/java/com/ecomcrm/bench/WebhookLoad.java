package com.ecomcrm.bench;

import com.ecomcrm.testing.shopify.SimulatedWebhook;
import com.ecomcrm.testing.shopify.WebhookSender;
import com.ecomcrm.testing.shopify.WebhookSigner;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * The webhook intake under load: signed deliveries POSTed to {@code /webhooks} with a fixed number of requests in
 * flight (a closed loop: a new request starts when one finishes), over loopback, with Shopify's 5-second timeout.
 * Requests are built and signed before the clock starts, so the figure is the server's, not the signer's. A timeout
 * or connection error counts as a non-200 (status -1).
 *
 * <p>The load generator shares the machine's CPUs with the server, so it must be cheap: by default it is a Vert.x
 * HTTP client on one event loop of its own (about a fifth of the CPU per request of the JDK's client, which cost more
 * than the server itself did). {@link Client#JDK} is the JDK client the figures before 2026-11-30 were measured with,
 * kept to compare.
 */
public final class WebhookLoad implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** Which HTTP client sends the deliveries. */
    public enum Client {
        VERTX, JDK;

        public static Client named(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }

    private final URI endpoint;
    private final String secret;
    private final int concurrency;
    private final Client client;
    private final Sender sender;

    public WebhookLoad(URI endpoint, String secret, int concurrency) {
        this(endpoint, secret, concurrency, Client.VERTX);
    }

    public WebhookLoad(URI endpoint, String secret, int concurrency, Client client) {
        this.endpoint = endpoint;
        this.secret = secret;
        this.concurrency = concurrency;
        this.client = client;
        this.sender = client == Client.JDK ? new JdkSender() : new VertxSender();
    }

    /** Can be called several times (connections stay open in between). */
    public StageResult run(List<SimulatedWebhook> warmup, List<SimulatedWebhook> measured) throws InterruptedException {
        send(sender, sender.prepare(warmup));
        List<Object> requests = sender.prepare(measured);

        long start = System.nanoTime();
        Outcome outcome = send(sender, requests);
        StageResult stage = StageResult.timed("webhook intake", start, requests.size(), "deliveries");
        Map<String, Object> details = new TreeMap<>();
        details.put("concurrency", concurrency);
        details.put("warmup_deliveries", warmup.size());
        details.put("non_200", outcome.non200());
        details.put("statuses", outcome.statuses());
        details.put("load_generator", client.name().toLowerCase(Locale.ROOT));
        return stage.with(Latency.ofNanos(outcome.latencies()), null, details);
    }

    /** The load generator's own Vert.x thread, to tell its CPU time from the server's (empty for the JDK client). */
    public Set<Long> generatorThreadIds() {
        return sender.threadIds();
    }

    @Override
    public void close() {
        sender.close();
    }

    private record Outcome(long[] latencies, int non200, Map<Integer, Integer> statuses) {
    }

    private Outcome send(Sender sender, List<Object> requests) throws InterruptedException {
        long[] latencies = new long[requests.size()];
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        AtomicInteger non200 = new AtomicInteger();
        Semaphore inFlight = new Semaphore(concurrency);
        for (int i = 0; i < requests.size(); i++) {
            inFlight.acquire();
            int index = i;
            long sent = System.nanoTime();
            sender.send(requests.get(i), (status, error) -> {
                latencies[index] = System.nanoTime() - sent;
                int code = error == null ? status : -1;
                statuses.merge(code, 1, Integer::sum);
                if (code != 200) {
                    non200.incrementAndGet();
                }
                inFlight.release();
            });
        }
        inFlight.acquire(concurrency);
        inFlight.release(concurrency);
        return new Outcome(latencies, non200.get(), new TreeMap<>(statuses));
    }

    /** Prepares signed requests, then sends them asynchronously, calling back with the status or the error. */
    private interface Sender extends AutoCloseable {
        List<Object> prepare(List<SimulatedWebhook> webhooks);

        void send(Object request, BiConsumer<Integer, Throwable> done);

        Set<Long> threadIds();

        @Override
        void close();
    }

    private final class VertxSender implements Sender {
        private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        private final HttpClient http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
                        .setConnectTimeout((int) TIMEOUT.toMillis()),
                new PoolOptions().setHttp1MaxSize(concurrency).setMaxWaitQueueSize(-1));
        private final WebhookSigner signer = new WebhookSigner(secret);
        private final long loopThread;

        VertxSender() {
            CompletableFuture<Long> thread = new CompletableFuture<>();
            vertx.getOrCreateContext().runOnContext(ignored -> thread.complete(Thread.currentThread().getId()));
            loopThread = thread.join();
        }

        @Override
        public Set<Long> threadIds() {
            return Set.of(loopThread);
        }

        private record Prepared(RequestOptions options, Buffer body) {
        }

        @Override
        public List<Object> prepare(List<SimulatedWebhook> webhooks) {
            return webhooks.stream().<Object>map(webhook -> {
                byte[] body = webhook.body();
                MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                        .add("Content-Type", "application/json")
                        .add("X-Shopify-Topic", webhook.topic())
                        .add("X-Shopify-Hmac-Sha256", signer.sign(body))
                        .add("X-Shopify-Shop-Domain", webhook.shop().domain())
                        .add("X-Shopify-Webhook-Id", webhook.webhookId())
                        .add("X-Shopify-Event-Id", webhook.eventId())
                        .add("X-Shopify-Triggered-At", webhook.triggeredAtHeader())
                        .add("X-Shopify-API-Version", webhook.apiVersion());
                RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
                        .setHost(endpoint.getHost()).setPort(endpoint.getPort()).setURI(endpoint.getRawPath())
                        .setHeaders(headers).setIdleTimeout(TIMEOUT.toMillis());
                return new Prepared(options, Buffer.buffer(body));
            }).toList();
        }

        @Override
        public void send(Object request, BiConsumer<Integer, Throwable> done) {
            Prepared prepared = (Prepared) request;
            http.request(prepared.options())
                    .compose(outgoing -> outgoing.send(prepared.body()))
                    .compose(response -> response.body().map(ignored -> response.statusCode()))
                    .onComplete(result -> done.accept(result.succeeded() ? result.result() : null, result.cause()));
        }

        @Override
        public void close() {
            http.close().await();
            vertx.close().await();
        }
    }

    private final class JdkSender implements Sender {
        private final java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
        private final WebhookSender sender = new WebhookSender(http, endpoint, secret, TIMEOUT);

        @Override
        public Set<Long> threadIds() {
            return Set.of();
        }

        @Override
        public List<Object> prepare(List<SimulatedWebhook> webhooks) {
            return webhooks.stream().<Object>map(sender::request).toList();
        }

        @Override
        public void send(Object request, BiConsumer<Integer, Throwable> done) {
            http.sendAsync((HttpRequest) request, HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, error) -> done.accept(error == null ? response.statusCode() : null,
                            error));
        }

        @Override
        public void close() {
            // The JDK client's threads end with the JVM (FoundationBench exits when done).
        }
    }
}
