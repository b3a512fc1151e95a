package com.ecomcrm.testing.shopify;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * POSTs simulated webhooks to an endpoint exactly as Shopify delivers them: the body bytes as they are, with
 * {@code X-Shopify-Topic}, {@code X-Shopify-Hmac-Sha256} (signed with the app's client secret),
 * {@code X-Shopify-Shop-Domain}, {@code X-Shopify-Webhook-Id}, {@code X-Shopify-Event-Id},
 * {@code X-Shopify-Triggered-At}, {@code X-Shopify-API-Version} and {@code Content-Type: application/json}.
 * Shopify gives the receiver five seconds; so does this sender. One attempt per call: {@link WebhookRetries} makes
 * Shopify's retries of a delivery that was not answered 2xx.
 */
public final class WebhookSender {
    private final HttpClient http;
    private final URI endpoint;
    private final WebhookSigner signer;
    private final Duration timeout;

    public WebhookSender(HttpClient http, URI endpoint, String clientSecret) {
        this(http, endpoint, clientSecret, Duration.ofSeconds(5));
    }

    public WebhookSender(HttpClient http, URI endpoint, String clientSecret, Duration timeout) {
        this.http = requireNonNull(http, "http is null");
        this.endpoint = requireNonNull(endpoint, "endpoint is null");
        this.signer = new WebhookSigner(clientSecret);
        this.timeout = requireNonNull(timeout, "timeout is null");
    }

    /** The request Shopify would send for this delivery (signed). */
    public HttpRequest request(SimulatedWebhook webhook) {
        byte[] body = webhook.body();
        return HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("X-Shopify-Topic", webhook.topic())
                .header("X-Shopify-Hmac-Sha256", signer.sign(body))
                .header("X-Shopify-Shop-Domain", webhook.shop().domain())
                .header("X-Shopify-Webhook-Id", webhook.webhookId())
                .header("X-Shopify-Event-Id", webhook.eventId())
                .header("X-Shopify-Triggered-At", webhook.triggeredAtHeader())
                .header("X-Shopify-API-Version", webhook.apiVersion())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
    }

    /** Delivers one webhook and returns the receiver's HTTP status. */
    public int send(SimulatedWebhook webhook) {
        try {
            return http.send(request(webhook), HttpResponse.BodyHandlers.discarding()).statusCode();
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot deliver " + webhook.topic() + " webhook " + webhook.webhookId()
                    + " to " + endpoint + ": " + e, e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while delivering webhook " + webhook.webhookId(), e);
        }
    }
}
