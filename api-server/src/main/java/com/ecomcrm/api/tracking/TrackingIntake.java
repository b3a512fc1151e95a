package com.ecomcrm.api.tracking;

import com.ecomcrm.landing.LandingEnvelope;
import com.ecomcrm.landing.LandingZone;
import com.ecomcrm.tracking.EmailEvent;
import com.ecomcrm.tracking.MachineEventRule;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Records opens and clicks in batches (group commit, as {@code WebhookIntake} does for webhooks): while a batch is
 * being recorded, the events arriving meanwhile wait and become the next batch, so under load one transaction, one
 * worker hop and one fsync serve many requests, and with no load an event goes alone at once (no timer, no added
 * wait).
 *
 * <p>A batch, in one PostgreSQL transaction on the intake's own connections: look up the sent_at of the sends not in
 * {@link SentTimesCache}, classify every event ({@link MachineEventRule}), insert them all (one statement), land them
 * all durably (one fsync), commit. Then, for a batch with clicks, {@link TrackingStore#flagBursts} re-flags the
 * scanner bursts of its sends. Every request of the batch is answered only after that; if any step up to the commit
 * fails, every request of the batch gets the failure and none of its events is recorded (the transaction rolls back).
 *
 * <p>What "durable" means when the pixel or the redirect is answered: the event's landed line is on disk (fsync:
 * it survives a crash of this process and of the machine) and its {@code email_events} row is committed. The
 * intake's connections commit with {@code synchronous_commit = off} ({@link #SESSION_SETTINGS}): a commit the server
 * acknowledged survives a crash of this process, and only a crash of the PostgreSQL server itself can lose the last
 * fraction of a second of rows, which are then still in the landing zone and can be replayed into
 * {@code email_events} (their event ids make the replay record nothing twice). The rows are inserted before the
 * lines are written, so a batch PostgreSQL refuses leaves no line; one that fails later (the fsync, the commit) may
 * leave lines of events that were answered with an error and are in no table. That is why the landing zone is the
 * record of last resort after a PostgreSQL crash, not one read routinely: replaying it in full could count such an
 * event beside the recipient's retry.
 *
 * <p>Never counted twice: each request is one event with its own id ({@link EventIds}), inserted once (a replay of
 * a landed line with the same id records nothing); repeated opens and clicks of one send are separate events, as
 * they always were (unique opens and clicks are counted downstream).
 */
public final class TrackingIntake {
    private static final Logger LOG = LoggerFactory.getLogger(TrackingIntake.class);
    /** PostgreSQL session settings of the intake's connections (sent when each connection starts). */
    public static final Map<String, String> SESSION_SETTINGS = Map.of("synchronous_commit", "off");

    /**
     * @param maxBatch        events recorded together at most
     * @param batchesInFlight batches being recorded at once: more overlaps one batch's fsync with the next one's
     *                        statements, fewer makes bigger batches
     */
    public record Settings(int maxBatch, int batchesInFlight) {
        public static final Settings DEFAULTS = new Settings(256, 2);

        public Settings {
            if (maxBatch < 1 || batchesInFlight < 1) {
                throw new IllegalArgumentException("Cannot batch tracking events: maxBatch " + maxBatch
                        + " and batchesInFlight " + batchesInFlight + " must be at least 1");
            }
        }

        /** {@code ECOMCRM_TRACKING_MAX_BATCH}, {@code ECOMCRM_TRACKING_BATCHES_IN_FLIGHT}; the defaults otherwise. */
        public static Settings fromEnvironment(Map<String, String> environment) {
            return new Settings(number(environment, "ECOMCRM_TRACKING_MAX_BATCH", DEFAULTS.maxBatch),
                    number(environment, "ECOMCRM_TRACKING_BATCHES_IN_FLIGHT", DEFAULTS.batchesInFlight));
        }

        private static int number(Map<String, String> environment, String key, int fallback) {
            String value = environment.get(key);
            if (value == null || value.isBlank()) {
                return fallback;
            }
            try {
                return Integer.parseInt(value.trim());
            }
            catch (NumberFormatException e) {
                throw new IllegalArgumentException("Cannot read " + key + ": '" + value + "' is not a whole number", e);
            }
        }
    }

    /**
     * One open or click as its request arrived, before the machine rule ran (sent_at is looked up with the batch).
     *
     * @param clicksBefore clicks of the same send this server saw within the burst window before this one (opens: 0)
     */
    public record Arrival(EmailEvent.Kind kind, TrackingStore.SendRef send, Instant occurredAt, Optional<String> url,
                          String method, Optional<String> userAgent, Optional<String> ip, int clicksBefore) {
        public Arrival {
            requireNonNull(kind, "kind is null");
            requireNonNull(send, "send is null");
            requireNonNull(occurredAt, "occurredAt is null");
            requireNonNull(url, "url is null");
            requireNonNull(method, "method is null");
            requireNonNull(userAgent, "userAgent is null");
            requireNonNull(ip, "ip is null");
            if (kind == EmailEvent.Kind.UNSUBSCRIBE) {
                throw new IllegalArgumentException("Cannot batch an unsubscribe: it runs in a transaction of its own");
            }
        }
    }

    private final Vertx vertx;
    private final Pool pool;
    private final TrackingStore store;
    private final LandingZone landingZone;
    private final Settings settings;
    private final SentTimesCache sentTimes = new SentTimesCache();
    private final EventIds eventIds = new EventIds();

    private final Object lock = new Object();
    /** Events waiting for a batch; guarded by lock. */
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    /** Batches being recorded; guarded by lock. */
    private int inFlight;

    /** @param pool the intake's own connections, opened with {@link #SESSION_SETTINGS} */
    public TrackingIntake(Vertx vertx, Pool pool, TrackingStore store, LandingZone landingZone, Settings settings) {
        this.vertx = requireNonNull(vertx, "vertx is null");
        this.pool = requireNonNull(pool, "pool is null");
        this.store = requireNonNull(store, "store is null");
        this.landingZone = requireNonNull(landingZone, "landingZone is null");
        this.settings = requireNonNull(settings, "settings is null");
    }

    private record Waiting(Arrival arrival, String eventId, Promise<EmailEvent> answer, Context context) {
    }

    /**
     * Records one open or click; the future completes, on the caller's context, with the event as recorded once it is
     * durable, or fails if it could not be (nothing of it is recorded then).
     */
    public Future<EmailEvent> receive(Arrival arrival) {
        Promise<EmailEvent> answer = Promise.promise();
        Waiting entry = new Waiting(requireNonNull(arrival, "arrival is null"), eventIds.next(), answer,
                vertx.getOrCreateContext());
        List<Waiting> batch = null;
        synchronized (lock) {
            waiting.add(entry);
            if (inFlight < settings.batchesInFlight()) {
                batch = nextBatch();
            }
        }
        if (batch != null) {
            runBatch(batch);
        }
        return answer.future();
    }

    /** Takes up to maxBatch waiting events and counts a batch in flight. Caller holds lock. */
    private List<Waiting> nextBatch() {
        int size = Math.min(settings.maxBatch(), waiting.size());
        List<Waiting> batch = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            batch.add(waiting.poll());
        }
        inFlight++;
        return batch;
    }

    private void runBatch(List<Waiting> batch) {
        Future<List<EmailEvent>> recorded;
        try {
            recorded = pool.withTransaction(connection -> lookUpSentTimes(connection, batch)
                    .map(ignored -> classify(batch))
                    .compose(events -> store.insertEvents(connection, events)
                            .compose(inserted -> vertx.executeBlocking(
                                    () -> landingZone.appendTrackingEvents(envelopes(events)), false))
                            .map(events)));
        }
        catch (RuntimeException e) {
            recorded = Future.failedFuture(e);
        }
        recorded.compose(this::flagBursts).onComplete(result -> {
            if (result.failed()) {
                Arrival first = batch.get(0).arrival();
                LOG.error("Cannot record a batch of {} opens and clicks (first: {} of send {} of {})", batch.size(),
                        first.kind().topic(), first.send().sendId(), first.send().shop(), result.cause());
            }
            answer(batch, result.failed() ? null : result.result(), result.cause());
            batchFinished();
        });
    }

    private Future<Void> lookUpSentTimes(SqlConnection connection, List<Waiting> batch) {
        Set<TrackingStore.SendRef> unknown = new LinkedHashSet<>();
        for (Waiting entry : batch) {
            if (sentTimes.get(entry.arrival().send()) == null) {
                unknown.add(entry.arrival().send());
            }
        }
        if (unknown.isEmpty()) {
            return Future.succeededFuture();
        }
        return store.sentTimes(connection, unknown).map(found -> {
            sentTimes.putAll(found);
            return null;
        });
    }

    private List<EmailEvent> classify(List<Waiting> batch) {
        List<EmailEvent> events = new ArrayList<>(batch.size());
        for (Waiting entry : batch) {
            Arrival a = entry.arrival();
            Optional<Instant> sentAt = Optional.ofNullable(sentTimes.get(a.send()));
            MachineEventRule.Verdict verdict = MachineEventRule.classify(new MachineEventRule.Observation(
                    a.kind() == EmailEvent.Kind.CLICK ? MachineEventRule.EventKind.CLICK : MachineEventRule.EventKind.OPEN,
                    a.method(), a.userAgent(), a.occurredAt(), sentAt, a.clicksBefore()));
            events.add(new EmailEvent(entry.eventId(), a.kind(), a.send().shop(), a.send().sendId(), a.occurredAt(),
                    a.url(), a.method(), a.userAgent(), a.ip(), verdict.reason(), sentAt));
        }
        return events;
    }

    private static List<LandingEnvelope> envelopes(List<EmailEvent> events) {
        List<LandingEnvelope> envelopes = new ArrayList<>(events.size());
        for (EmailEvent event : events) {
            envelopes.add(LandingEnvelope.tracking(event.shop(), event.kind().topic(), event.eventId(),
                    event.occurredAt(), event.toJson()));
        }
        return envelopes;
    }

    /**
     * Re-flags the bursts of the batch's clicked sends, after the commit. The events are durable by now, so a
     * failure here is logged and answered as success: the flags are a refinement the landed lines allow redoing.
     */
    private Future<List<EmailEvent>> flagBursts(List<EmailEvent> events) {
        List<EmailEvent> clicks = new ArrayList<>();
        for (EmailEvent event : events) {
            if (event.kind() == EmailEvent.Kind.CLICK) {
                clicks.add(event);
            }
        }
        if (clicks.isEmpty()) {
            return Future.succeededFuture(events);
        }
        return store.flagBursts(pool, clicks).otherwise(failure -> {
            LOG.warn("Cannot flag the click bursts of a batch of {} clicks", clicks.size(), failure);
            return 0;
        }).map(events);
    }

    /** Answers every request of the batch on its own context, one hop per context rather than one per request. */
    private static void answer(List<Waiting> batch, List<EmailEvent> events, Throwable failure) {
        Map<Context, List<Integer>> byContext = new IdentityHashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            byContext.computeIfAbsent(batch.get(i).context(), c -> new ArrayList<>()).add(i);
        }
        byContext.forEach((context, indexes) -> context.runOnContext(ignored -> {
            for (int i : indexes) {
                Promise<EmailEvent> answer = batch.get(i).answer();
                if (failure == null) {
                    answer.complete(events.get(i));
                }
                else {
                    answer.fail(failure);
                }
            }
        }));
    }

    private void batchFinished() {
        List<Waiting> next = null;
        synchronized (lock) {
            inFlight--;
            if (!waiting.isEmpty()) {
                next = nextBatch();
            }
        }
        if (next != null) {
            runBatch(next);
        }
    }
}
