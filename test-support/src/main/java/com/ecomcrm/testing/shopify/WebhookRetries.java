package com.ecomcrm.testing.shopify;

import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * Delivers webhooks as Shopify does when the app fails to answer: a delivery that gets anything but a 2xx within five
 * seconds (a 3xx, a 4xx, a 503, a timeout, a refused connection) is tried again on {@link WebhookRetrySchedule}, with
 * the very same request (body, signature, {@code X-Shopify-Webhook-Id}, {@code X-Shopify-Triggered-At}) to the address
 * it was first sent to, until one attempt gets a 2xx or the eighth retry fails too; then Shopify gives up on it and
 * {@code onGiveUp} hears of it (the simulator removes the subscription). Time is the injected clock: nothing waits
 * here; {@link #retryDue()} makes the attempts whose time has come, so a test moves its clock four hours in a
 * millisecond. Thread-safe.
 */
public final class WebhookRetries {
    /** What became of a delivery after an attempt. */
    public enum Outcome {
        DELIVERED, WILL_RETRY
    }

    /** One attempt: {@code number} 0 is the first delivery, 1 to 8 the retries; {@code status} 0 when nothing answered. */
    public record Attempt(String webhookId, String topic, int number, Instant at, int status) {
        public Attempt {
            requireNonNull(webhookId, "webhookId is null");
            requireNonNull(topic, "topic is null");
            requireNonNull(at, "at is null");
        }

        public boolean succeeded() {
            return status / 100 == 2;
        }
    }

    /** A delivery Shopify has not given up on yet, bound to the sender (address, secret) it was triggered with. */
    public record Pending(SimulatedWebhook webhook, WebhookSender sender, Instant firstAttempt, int retriesDone,
                          Instant nextAttempt) {
        public Pending {
            requireNonNull(webhook, "webhook is null");
            requireNonNull(sender, "sender is null");
            requireNonNull(firstAttempt, "firstAttempt is null");
            requireNonNull(nextAttempt, "nextAttempt is null");
        }
    }

    private final Clock clock;
    private final Consumer<Pending> onGiveUp;
    private final List<Pending> pending = new ArrayList<>();
    private final List<Attempt> attempts = new ArrayList<>();

    public WebhookRetries(Clock clock) {
        this(clock, given -> {
        });
    }

    public WebhookRetries(Clock clock, Consumer<Pending> onGiveUp) {
        this.clock = requireNonNull(clock, "clock is null");
        this.onGiveUp = requireNonNull(onGiveUp, "onGiveUp is null");
    }

    /** The first attempt of a delivery, now; if it fails, the delivery is kept for its retries. */
    public Outcome deliver(SimulatedWebhook webhook, WebhookSender sender) {
        requireNonNull(webhook, "webhook is null");
        requireNonNull(sender, "sender is null");
        Instant now = clock.instant();
        if (attempt(webhook, sender, 0, now)) {
            return Outcome.DELIVERED;
        }
        synchronized (this) {
            pending.add(new Pending(webhook, sender, now, 0, WebhookRetrySchedule.retryAt(now, 1)));
        }
        return Outcome.WILL_RETRY;
    }

    /**
     * Makes every retry whose time has come (by the clock), oldest due first; a delivery far behind (the clock jumped)
     * gets one retry per call, as its next is scheduled from its first attempt. Returns how many retries were made.
     */
    public int retryDue() {
        Instant now = clock.instant();
        List<Pending> due;
        synchronized (this) {
            due = pending.stream().filter(p -> !p.nextAttempt().isAfter(now))
                    .sorted(Comparator.comparing(Pending::nextAttempt)).toList();
            pending.removeAll(due);
        }
        for (Pending p : due) {
            int retry = p.retriesDone() + 1;
            if (attempt(p.webhook(), p.sender(), retry, now)) {
                continue;
            }
            Optional<Instant> next = WebhookRetrySchedule.next(p.firstAttempt(), retry);
            Pending failed = new Pending(p.webhook(), p.sender(), p.firstAttempt(), retry,
                    next.orElse(p.nextAttempt()));
            if (next.isPresent()) {
                synchronized (this) {
                    pending.add(failed);
                }
            }
            else {
                onGiveUp.accept(failed);
            }
        }
        return due.size();
    }

    /** Deliveries still waiting for a retry. */
    public synchronized List<Pending> pending() {
        return List.copyOf(pending);
    }

    /** When the earliest pending retry is due. */
    public synchronized Optional<Instant> nextRetryAt() {
        return pending.stream().map(Pending::nextAttempt).min(Comparator.naturalOrder());
    }

    /** Every attempt made so far, in the order made. */
    public synchronized List<Attempt> attempts() {
        return List.copyOf(attempts);
    }

    private boolean attempt(SimulatedWebhook webhook, WebhookSender sender, int number, Instant at) {
        int status;
        try {
            status = sender.send(webhook);
        }
        catch (UncheckedIOException e) {
            status = 0; // no answer within the timeout, or no connection: a failure like any non-2xx
        }
        synchronized (this) {
            attempts.add(new Attempt(webhook.webhookId(), webhook.topic(), number, at, status));
        }
        return status / 100 == 2;
    }
}
