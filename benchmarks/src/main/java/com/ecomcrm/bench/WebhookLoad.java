package com.ecomcrm.bench;

import com.ecomcrm.testing.shopify.SimulatedWebhook;
import com.ecomcrm.testing.shopify.WebhookSender;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The webhook intake under load: signed deliveries POSTed to {@code /webhooks} with a fixed number of requests in
 * flight (a closed loop: a new request starts when one finishes), over loopback. Requests are built and signed before
 * the clock starts, so the figure is the server's, not the signer's. A timeout or connection error counts as a
 * non-200 (status -1).
 */
public final class WebhookLoad {
    private final URI endpoint;
    private final String secret;
    private final int concurrency;

    public WebhookLoad(URI endpoint, String secret, int concurrency) {
        this.endpoint = endpoint;
        this.secret = secret;
        this.concurrency = concurrency;
    }

    public StageResult run(List<SimulatedWebhook> warmup, List<SimulatedWebhook> measured) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        WebhookSender sender = new WebhookSender(http, endpoint, secret);
        send(http, warmup.stream().map(sender::request).toList());
        List<HttpRequest> requests = measured.stream().map(sender::request).toList();

        long start = System.nanoTime();
        Outcome outcome = send(http, requests);
        StageResult stage = StageResult.timed("webhook intake", start, requests.size(), "deliveries");
        Map<String, Object> details = new TreeMap<>();
        details.put("concurrency", concurrency);
        details.put("warmup_deliveries", warmup.size());
        details.put("non_200", outcome.non200());
        details.put("statuses", outcome.statuses());
        return stage.with(Latency.ofNanos(outcome.latencies()), null, details);
    }

    private record Outcome(long[] latencies, int non200, Map<Integer, Integer> statuses) {
    }

    private Outcome send(HttpClient http, List<HttpRequest> requests) throws InterruptedException {
        long[] latencies = new long[requests.size()];
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        AtomicInteger non200 = new AtomicInteger();
        Semaphore inFlight = new Semaphore(concurrency);
        for (int i = 0; i < requests.size(); i++) {
            inFlight.acquire();
            int index = i;
            long sent = System.nanoTime();
            http.sendAsync(requests.get(i), HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
                latencies[index] = System.nanoTime() - sent;
                int status = error == null ? response.statusCode() : -1;
                statuses.merge(status, 1, Integer::sum);
                if (status != 200) {
                    non200.incrementAndGet();
                }
                inFlight.release();
            });
        }
        inFlight.acquire(concurrency);
        inFlight.release(concurrency);
        return new Outcome(latencies, non200.get(), new TreeMap<>(statuses));
    }
}
