package com.ecomcrm.api.tracking;

import com.ecomcrm.tracking.EmailEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Re-flags click bursts ({@link TrackingStore#flagBursts}) off the answer path: clicks are handed over once their batch
 * committed, and one re-flag statement runs at a time, {@link #DELAY} after the first click waiting, for every click
 * handed over meanwhile. A batch's requests are answered and its slot freed at the commit instead of one statement
 * later, and under load one statement serves the clicks of many batches: at most about 1 / {@link #DELAY} statements
 * a second, whatever the rate of clicks (run back to back instead, they kept one PostgreSQL backend busy).
 *
 * <p>Still caught: a re-flag starts only after the batches of its clicks committed, on a fresh snapshot, so of two
 * batches (or servers) recording clicks of one send at the same time, the re-flag of the later one sees both. A
 * failure is logged and loses nothing but the flag: the events are durable, and the rule can be re-run over them.
 *
 * <p>The statement runs on the store's own (general) pool, whose statements are not kept prepared, so PostgreSQL plans
 * each run for the table as it is at that moment ({@link TrackingStore#flagBursts(List)} says why that matters).
 */
final class BurstFlags {
    private static final Logger LOG = LoggerFactory.getLogger(BurstFlags.class);
    /** Clicks per statement at most (its arrays); more wait for the next. */
    static final int MAX_CLICKS = 2_048;
    /** How long the first click waiting waits for company: how late a flag may be, far below a burst's window. */
    static final Duration DELAY = Duration.ofMillis(50);

    private final Vertx vertx;
    private final TrackingStore store;

    private final Object lock = new Object();
    /** Clicks handed over and not yet in a statement, oldest first; guarded by lock. */
    private List<EmailEvent> waiting = new ArrayList<>();
    /** A statement is running or about to (its delay is running); guarded by lock. */
    private boolean running;
    /** Completed when nothing waits and nothing runs; guarded by lock. */
    private final List<Promise<Void>> settledWaiters = new ArrayList<>();

    BurstFlags(Vertx vertx, TrackingStore store) {
        this.vertx = requireNonNull(vertx, "vertx is null");
        this.store = requireNonNull(store, "store is null");
    }

    /** Hands over the clicks of a committed batch; returns at once. */
    void add(List<EmailEvent> clicks) {
        if (clicks.isEmpty()) {
            return;
        }
        synchronized (lock) {
            waiting.addAll(clicks);
            if (running) {
                return;
            }
            running = true;
        }
        later();
    }

    /** Completes once every click handed over so far has been re-flagged (or its statement failed). */
    Future<Void> settled() {
        synchronized (lock) {
            if (!running && waiting.isEmpty()) {
                return Future.succeededFuture();
            }
            Promise<Void> settled = Promise.promise();
            settledWaiters.add(settled);
            return settled.future();
        }
    }

    /** Caller holds lock. */
    private List<EmailEvent> take() {
        if (waiting.size() <= MAX_CLICKS) {
            List<EmailEvent> all = waiting;
            waiting = new ArrayList<>();
            return all;
        }
        List<EmailEvent> first = new ArrayList<>(waiting.subList(0, MAX_CLICKS));
        waiting = new ArrayList<>(waiting.subList(MAX_CLICKS, waiting.size()));
        return first;
    }

    /** Runs a statement for the clicks waiting after {@link #DELAY}. */
    private void later() {
        vertx.setTimer(DELAY.toMillis(), id -> {
            List<EmailEvent> clicks;
            synchronized (lock) {
                clicks = take();
            }
            run(clicks);
        });
    }

    private void run(List<EmailEvent> clicks) {
        Future<Integer> flagged;
        try {
            flagged = store.flagBursts(clicks);
        }
        catch (RuntimeException e) {
            flagged = Future.failedFuture(e);
        }
        flagged.onComplete(result -> {
            if (result.failed()) {
                EmailEvent first = clicks.get(0);
                LOG.warn("Cannot re-flag the click bursts of {} clicks (first: send {} of {}): {}", clicks.size(),
                        first.sendId(), first.shop(), result.cause().toString(), result.cause());
            }
            boolean more;
            List<Promise<Void>> settled = List.of();
            synchronized (lock) {
                more = !waiting.isEmpty();
                if (!more) {
                    running = false;
                    settled = new ArrayList<>(settledWaiters);
                    settledWaiters.clear();
                }
            }
            settled.forEach(Promise::tryComplete);
            if (more) {
                later();
            }
        });
    }
}
