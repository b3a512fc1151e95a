package com.ecomcrm.api.tracking;

import com.ecomcrm.api.groupcommit.BatchWork;
import com.ecomcrm.api.groupcommit.GroupCommit;
import com.ecomcrm.api.groupcommit.GroupCommitSettings;
import com.ecomcrm.landing.LandingEnvelope;
import com.ecomcrm.landing.LandingZone;
import com.ecomcrm.tracking.EmailEvent;
import com.ecomcrm.tracking.MachineEventRule;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Records opens and clicks in batches, by the shared {@link GroupCommit} (which says how batches form, what one
 * transaction and one fsync per batch mean, and how a failed batch is answered): under load one transaction, one
 * worker hop and one fsync serve many requests, and with no load an event goes alone at once.
 *
 * <p>A batch, in one PostgreSQL transaction on the intake's own connections: look up the sent_at of the sends not in
 * {@link SentTimesCache}, classify every event ({@link MachineEventRule}), insert them all (one statement), land them
 * all durably (one fsync), commit. Every request of the batch is answered then; if any step up to the commit fails,
 * every request of the batch gets the failure and none of its events is recorded (the transaction rolls back). The
 * batch's clicks then go to {@link BurstFlags}, which re-flags the scanner bursts of their sends off the answer path
 * (one statement at a time for the clicks of all batches committed meanwhile).
 *
 * <p>What "durable" means when the pixel or the redirect is answered: the event's landed line is on disk (fsync:
 * it survives a crash of this process and of the machine) and its {@code email_events} row is committed
 * asynchronously ({@link GroupCommit#SESSION_SETTINGS}): only a crash of the PostgreSQL server itself can lose the
 * last fraction of a second of rows, which are then still in the landing zone and can be replayed into
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
    /** 256 events a batch, two batches in flight, no waiting for company. */
    public static final GroupCommitSettings DEFAULT_SETTINGS = new GroupCommitSettings(256, 2);

    /** {@code ECOMCRM_TRACKING_MAX_BATCH}, {@code _BATCHES_IN_FLIGHT}, {@code _MAX_WAIT_MS}; the defaults otherwise. */
    public static GroupCommitSettings settingsFrom(Map<String, String> environment) {
        return GroupCommitSettings.fromEnvironment(environment, "ECOMCRM_TRACKING", DEFAULT_SETTINGS);
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

    /** An arrival with the id its event gets (drawn on arrival, so a batch's ids follow the arrival order). */
    private record Identified(Arrival arrival, String eventId) {
    }

    private final GroupCommit<Identified, EmailEvent> batches;
    private final BurstFlags burstFlags;
    private final EventIds eventIds = new EventIds();

    /** @param pool the intake's own connections ({@link GroupCommit#connections}) */
    public TrackingIntake(Vertx vertx, Pool pool, TrackingStore store, LandingZone landingZone,
                          GroupCommitSettings settings) {
        requireNonNull(landingZone, "landingZone is null");
        this.burstFlags = new BurstFlags(vertx, requireNonNull(store, "store is null"));
        this.batches = new GroupCommit<>("opens and clicks", vertx, pool, landingZone::appendTrackingEvents,
                new Events(store, burstFlags), settings);
    }

    /**
     * Records one open or click; the future completes, on the caller's context, with the event as recorded once it is
     * durable, or fails if it could not be (nothing of it is recorded then).
     */
    public Future<EmailEvent> receive(Arrival arrival) {
        return batches.submit(new Identified(requireNonNull(arrival, "arrival is null"), eventIds.next()));
    }

    /**
     * Records the events waiting and refuses new ones; completes once every batch is answered and the click bursts of
     * its clicks re-flagged.
     */
    public Future<Void> close() {
        return batches.close().compose(drained -> burstFlags.settled());
    }

    /**
     * Completes once the click bursts of every click answered so far are re-flagged in PostgreSQL: they are re-flagged
     * after the answers, a moment later.
     */
    public Future<Void> burstFlagsSettled() {
        return burstFlags.settled();
    }

    /** What a batch of opens and clicks writes. */
    private static final class Events implements BatchWork<Identified, EmailEvent> {
        private final TrackingStore store;
        private final BurstFlags burstFlags;
        private final SentTimesCache sentTimes = new SentTimesCache();

        Events(TrackingStore store, BurstFlags burstFlags) {
            this.store = store;
            this.burstFlags = burstFlags;
        }

        @Override
        public Future<Recorded<EmailEvent>> record(SqlConnection transaction, List<Identified> batch) {
            return lookUpSentTimes(transaction, batch).compose(ignored -> {
                List<EmailEvent> events = classify(batch);
                return store.insertEvents(transaction, events).map(inserted -> new Recorded<>(events,
                        envelopes(events)));
            });
        }

        /**
         * Hands the batch's clicks to {@link BurstFlags}, which re-flags the bursts of their sends after the commit
         * without holding up the answers. The events are durable by now, so a failed re-flag is only logged: the flags
         * are a refinement the landed lines allow redoing.
         */
        @Override
        public Future<Void> afterCommit(List<Identified> batch, List<EmailEvent> events) {
            List<EmailEvent> clicks = new ArrayList<>();
            for (EmailEvent event : events) {
                if (event.kind() == EmailEvent.Kind.CLICK) {
                    clicks.add(event);
                }
            }
            burstFlags.add(clicks);
            return Future.succeededFuture();
        }

        @Override
        public String describe(Identified item) {
            return item.arrival().kind().topic() + " of send " + item.arrival().send().sendId() + " of "
                    + item.arrival().send().shop();
        }

        private Future<Void> lookUpSentTimes(SqlConnection connection, List<Identified> batch) {
            Set<TrackingStore.SendRef> unknown = new LinkedHashSet<>();
            for (Identified entry : batch) {
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

        private List<EmailEvent> classify(List<Identified> batch) {
            List<EmailEvent> events = new ArrayList<>(batch.size());
            for (Identified entry : batch) {
                Arrival a = entry.arrival();
                Optional<Instant> sentAt = Optional.ofNullable(sentTimes.get(a.send()));
                MachineEventRule.Verdict verdict = MachineEventRule.classify(new MachineEventRule.Observation(
                        a.kind() == EmailEvent.Kind.CLICK ? MachineEventRule.EventKind.CLICK
                                : MachineEventRule.EventKind.OPEN,
                        a.method(), a.userAgent(), a.occurredAt(), sentAt, a.clicksBefore()));
                events.add(new EmailEvent(entry.eventId(), a.kind(), a.send().shop(), a.send().sendId(),
                        a.occurredAt(), a.url(), a.method(), a.userAgent(), a.ip(), verdict.reason(), sentAt));
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
    }
}
