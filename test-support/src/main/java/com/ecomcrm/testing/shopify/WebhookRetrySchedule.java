package com.ecomcrm.testing.shopify;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * When Shopify tries a failed webhook delivery again. Documented (changelog "Updates to webhook retry mechanism",
 * effective 2024-09-10): a delivery that gets no 2xx answer within five seconds is retried "a total of 8 times over 4
 * hours using an exponential backoff schedule", with the original payload and the same {@code X-Shopify-Webhook-Id}.
 * The exact intervals are not published; this schedule doubles the wait each time and puts the eighth retry at four
 * hours after the first attempt: the wait before retry {@code n} is {@code 4 h * 2^(n-1) / (2^8 - 1)}, so the retries
 * come about 56 s, 2 min 49 s, 6 min 35 s, 14 min, 29 min, 59 min, 1 h 59 min and 4 h after the first attempt.
 */
public final class WebhookRetrySchedule {
    /** Retries after the first attempt. */
    public static final int RETRIES = 8;
    /** From the first attempt to the last retry. */
    public static final Duration WINDOW = Duration.ofHours(4);
    /** Shopify's limit for the whole request (it also allows one second to connect). */
    public static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(5);

    private static final long STEPS = (1L << RETRIES) - 1;

    private WebhookRetrySchedule() {
    }

    /** When retry {@code retry} (1 to {@value #RETRIES}) of a delivery first attempted at {@code firstAttempt} is due. */
    public static Instant retryAt(Instant firstAttempt, int retry) {
        requireNonNull(firstAttempt, "firstAttempt is null");
        if (retry < 1 || retry > RETRIES) {
            throw new IllegalArgumentException("Cannot schedule retry " + retry + ": Shopify retries 1 to " + RETRIES
                    + " times");
        }
        return firstAttempt.plusNanos(WINDOW.toNanos() / STEPS * ((1L << retry) - 1));
    }

    /** After {@code retriesDone} retries have failed: when the next is due, or empty when Shopify gives up. */
    public static Optional<Instant> next(Instant firstAttempt, int retriesDone) {
        return retriesDone >= RETRIES ? Optional.empty() : Optional.of(retryAt(firstAttempt, retriesDone + 1));
    }
}
