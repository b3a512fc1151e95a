package com.ecomcrm.api.groupcommit;

import com.ecomcrm.landing.LandingEnvelope;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * Group commit, the one mechanism behind the webhook and the tracking intakes: items arriving while batches are being
 * recorded wait and become the next batch, so under load one transaction, one worker hop and one landing fsync serve
 * many requests, and without load an item goes alone at once.
 *
 * <p>A batch is cut, in arrival order, when a batch may start (fewer than {@code batchesInFlight} are being recorded)
 * and either {@code maxBatch} items wait or the oldest has waited {@code maxWait} (zero by default: at once). It is
 * recorded in one PostgreSQL transaction on the intake's own connections ({@link #connections}: asynchronous commit):
 * {@link BatchWork#record}, the landing fsync of the lines it names, {@link BatchWork#afterLanding}, the commit, then
 * {@link BatchWork#afterCommit}. Every item is answered only after that, on the context it was submitted from, with
 * its own result; if any step up to the commit fails, every item of the batch gets the failure and nothing of the
 * batch is committed. Order: batches are cut oldest first and an item's place in its batch is its place in arrival;
 * two batches in flight at once may commit in either order (an item that must not overtake another waits for its
 * answer before submitting the next).
 *
 * <p>Why asynchronous commit is durable enough: the landing fsync is what makes an item durable before its answer; a
 * commit the server acknowledged survives a crash of this process, and only a crash of the PostgreSQL server itself
 * can lose its last fraction of a second of commits, whose items are then still in the landing zone (each intake says
 * what a lost row costs it).
 *
 * <p>{@link #close} drains: items submitted afterwards are refused, the waiting ones are recorded without waiting for
 * company, and the returned future completes once every batch has been answered.
 *
 * @param <I> an item as it arrived
 * @param <R> what its caller is answered
 */
public final class GroupCommit<I, R> {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);
    /** PostgreSQL session settings of an intake's connections (sent when each connection starts). */
    public static final Map<String, String> SESSION_SETTINGS = Map.of("synchronous_commit", "off");
    /** Connections of an intake's pool: a transaction stays open across a landing fsync, so they are its own. */
    public static final int CONNECTIONS = 4;

    /** Appends lines to the landing zone and forces them to disk before returning (runs on a worker thread). */
    @FunctionalInterface
    public interface Landing {
        void appendDurably(List<LandingEnvelope> lines);
    }

    private record Pending<I, R>(I item, Promise<R> answer, Context context, long arrivedNanos) {
    }

    private final String name;
    private final Vertx vertx;
    private final Pool pool;
    private final Landing landing;
    private final BatchWork<I, R> work;
    private final GroupCommitSettings settings;
    private final long maxWaitNanos;

    private final Object lock = new Object();
    /** Items waiting for a batch, oldest first; guarded by lock. */
    private final ArrayDeque<Pending<I, R>> waiting = new ArrayDeque<>();
    /** Batches being recorded that count against batchesInFlight; guarded by lock. */
    private int inFlight;
    /** Batches of one submitted alone; guarded by lock. */
    private int aloneInFlight;
    /** The armed maxWait timer, or -1; guarded by lock. */
    private long timer = -1;
    /** Set by close; guarded by lock. */
    private boolean closing;
    private final Promise<Void> drained = Promise.promise();

    /**
     * @param name    what the items are, for log lines ("webhooks", "opens and clicks")
     * @param pool    the intake's own connections ({@link #connections})
     * @param landing the landing zone's durable append for these lines
     */
    public GroupCommit(String name, Vertx vertx, Pool pool, Landing landing, BatchWork<I, R> work,
                       GroupCommitSettings settings) {
        this.name = requireNonNull(name, "name is null");
        this.vertx = requireNonNull(vertx, "vertx is null");
        this.pool = requireNonNull(pool, "pool is null");
        this.landing = requireNonNull(landing, "landing is null");
        this.work = requireNonNull(work, "work is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.maxWaitNanos = settings.maxWait().toNanos();
    }

    /**
     * An intake's own pool: {@link #CONNECTIONS} connections with {@link #SESSION_SETTINGS}, statements prepared once
     * per connection (the same few run for every batch).
     */
    public static Pool connections(Vertx vertx, PgConnectOptions options) {
        PgConnectOptions intake = new PgConnectOptions(options).setCachePreparedStatements(true);
        SESSION_SETTINGS.forEach(intake::addProperty);
        return PgBuilder.pool().with(new PoolOptions().setMaxSize(CONNECTIONS)).connectingTo(intake).using(vertx)
                .build();
    }

    /**
     * Records the item in a batch with the items waiting beside it. The future completes on the caller's context once
     * the item is durable, or fails if its batch could not be recorded (nothing of the batch is committed then).
     */
    public Future<R> submit(I item) {
        Pending<I, R> pending = pending(item);
        List<List<Pending<I, R>>> due;
        synchronized (lock) {
            if (closing) {
                return refused(item);
            }
            waiting.add(pending);
            due = takeDue(pending.arrivedNanos());
        }
        due.forEach(batch -> run(batch, true));
        return pending.answer().future();
    }

    /**
     * Records the item in a batch of its own, at once and beside the others (it does not count against
     * batchesInFlight): for an item whose failure must not fail others'.
     */
    public Future<R> submitAlone(I item) {
        Pending<I, R> pending = pending(item);
        synchronized (lock) {
            if (closing) {
                return refused(item);
            }
            aloneInFlight++;
        }
        run(List.of(pending), false);
        return pending.answer().future();
    }

    /**
     * Stops taking items and records the waiting ones; completes once every batch has been recorded and answered.
     * Close before the pool and the landing zone.
     */
    public Future<Void> close() {
        List<List<Pending<I, R>>> due;
        synchronized (lock) {
            closing = true;
            cancelTimer();
            due = takeDue(System.nanoTime());
        }
        due.forEach(batch -> run(batch, true));
        completeIfDrained();
        return drained.future();
    }

    private Pending<I, R> pending(I item) {
        return new Pending<>(requireNonNull(item, "item is null"), Promise.promise(), vertx.getOrCreateContext(),
                System.nanoTime());
    }

    private Future<R> refused(I item) {
        return Future.failedFuture(new IllegalStateException("Cannot record " + work.describe(item) + ": the " + name
                + " intake is closing"));
    }

    /** The batches that may start now. Caller holds lock. */
    private List<List<Pending<I, R>>> takeDue(long now) {
        List<List<Pending<I, R>>> due = new ArrayList<>(1);
        while (!waiting.isEmpty() && inFlight < settings.batchesInFlight()) {
            if (!closing && waiting.size() < settings.maxBatch()
                    && now - waiting.peek().arrivedNanos() < maxWaitNanos) {
                armTimer(now);
                break;
            }
            due.add(take());
        }
        if (waiting.isEmpty()) {
            cancelTimer();
        }
        return due;
    }

    /** Takes up to maxBatch waiting items, oldest first, and counts a batch in flight. Caller holds lock. */
    private List<Pending<I, R>> take() {
        int size = Math.min(settings.maxBatch(), waiting.size());
        List<Pending<I, R>> batch = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            batch.add(waiting.poll());
        }
        inFlight++;
        return batch;
    }

    /** Wakes up when the oldest waiting item has waited maxWait. Caller holds lock. */
    private void armTimer(long now) {
        if (timer >= 0) {
            return;
        }
        long remaining = maxWaitNanos - (now - waiting.peek().arrivedNanos());
        timer = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining + 999_999)), id -> {
            List<List<Pending<I, R>>> due;
            synchronized (lock) {
                if (timer != id) {
                    return;
                }
                timer = -1;
                due = takeDue(System.nanoTime());
            }
            due.forEach(batch -> run(batch, true));
        });
    }

    /** Caller holds lock. */
    private void cancelTimer() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    private void run(List<Pending<I, R>> batch, boolean counted) {
        List<I> items = new ArrayList<>(batch.size());
        for (Pending<I, R> pending : batch) {
            items.add(pending.item());
        }
        Future<List<R>> committed;
        try {
            committed = pool.withTransaction(transaction -> {
                try {
                    return work.record(transaction, items).compose(recorded -> {
                        List<R> results = recorded.results();
                        if (results.size() != items.size()) {
                            return Future.failedFuture(new IllegalStateException("Cannot answer a batch of "
                                    + items.size() + " " + name + ": " + results.size() + " results"));
                        }
                        return land(recorded.toLand())
                                .compose(landed -> work.afterLanding(transaction, items, results))
                                .map(results);
                    });
                }
                catch (RuntimeException e) {
                    return Future.failedFuture(e);
                }
            });
        }
        catch (RuntimeException e) {
            committed = Future.failedFuture(e);
        }
        committed.compose(results -> afterCommit(items, results)).onComplete(result -> {
            if (result.failed()) {
                LOG.error("Cannot record a batch of {} {} (first: {})", batch.size(), name,
                        work.describe(items.get(0)), result.cause());
            }
            answer(batch, result.failed() ? null : result.result(), result.cause());
            finished(counted);
        });
    }

    private Future<Void> land(List<LandingEnvelope> lines) {
        if (lines.isEmpty()) {
            return Future.succeededFuture();
        }
        return vertx.executeBlocking(() -> {
            landing.appendDurably(lines);
            return null;
        }, false);
    }

    /** The batch is committed: whatever happens here, its items are answered with their results. */
    private Future<List<R>> afterCommit(List<I> items, List<R> results) {
        Future<Void> done;
        try {
            done = work.afterCommit(items, results);
        }
        catch (RuntimeException e) {
            done = Future.failedFuture(e);
        }
        return done.transform(outcome -> {
            if (outcome.failed()) {
                LOG.warn("After committing a batch of {} {} (first: {}): {}", items.size(), name,
                        work.describe(items.get(0)), outcome.cause().toString(), outcome.cause());
            }
            return Future.succeededFuture(results);
        });
    }

    /** Answers every item on its own context, one hop per context rather than one per item, in batch order. */
    private static <I, R> void answer(List<Pending<I, R>> batch, List<R> results, Throwable failure) {
        Map<Context, List<Integer>> byContext = new IdentityHashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            byContext.computeIfAbsent(batch.get(i).context(), c -> new ArrayList<>()).add(i);
        }
        byContext.forEach((context, indexes) -> context.runOnContext(ignored -> {
            for (int i : indexes) {
                Promise<R> answer = batch.get(i).answer();
                if (failure == null) {
                    answer.complete(results.get(i));
                }
                else {
                    answer.fail(failure);
                }
            }
        }));
    }

    private void finished(boolean counted) {
        List<List<Pending<I, R>>> due;
        synchronized (lock) {
            if (counted) {
                inFlight--;
            }
            else {
                aloneInFlight--;
            }
            due = takeDue(System.nanoTime());
        }
        due.forEach(batch -> run(batch, true));
        completeIfDrained();
    }

    private void completeIfDrained() {
        boolean done;
        synchronized (lock) {
            done = closing && waiting.isEmpty() && inFlight == 0 && aloneInFlight == 0;
        }
        if (done) {
            drained.tryComplete();
        }
    }
}
