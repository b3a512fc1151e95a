package com.ecomcrm.api.webhooks;

import com.ecomcrm.landing.LandingEnvelope;
import com.ecomcrm.landing.LandingZone;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Deduplicates and lands verified deliveries in batches (group commit): while a batch is being claimed and landed,
 * the deliveries arriving meanwhile wait and become the next batch, so under load one receipt statement, one worker
 * hop and one fsync serve many deliveries, and with no load a delivery goes alone at once (no timer, no added wait).
 *
 * <p>A batch, in one PostgreSQL transaction on the intake's own connections: claim the receipts of its deliveries
 * ({@link WebhookReceipts#claim}: the ones already received are duplicates), land the new ones durably (fsync), run
 * their effects, commit. Every delivery of the batch is answered only after that: 200 {@code accepted} or
 * {@code duplicate}, or, if any step fails, a failure for all of them (503: Shopify retries, and as nothing was
 * committed the retries are not mistaken for duplicates). Two copies of one delivery in one batch are landed once, the
 * second answered {@code duplicate} with the first's outcome.
 *
 * <p>The intake's connections commit with {@code synchronous_commit = off} (see {@link #SESSION_SETTINGS}): the
 * landing fsync is what makes a delivery durable before its 200; a receipt lost in a crash of the PostgreSQL server
 * (never in a crash of this process: a commit the server acknowledged survives it) only means that Shopify's retry
 * of that delivery, if any, is landed a second time, which the ingest deduplicates (one version per key, newest
 * {@code updated_at} wins), and its effect, if any, runs again, which every effect tolerates (revoking revoked
 * tokens, a compliance request recorded once per webhook id).
 *
 * <p>A delivery with an effect beyond landing (uninstall, subscription, compliance) goes in a batch of its own, so an
 * effect that fails sends back only its own delivery.
 */
public final class WebhookIntake {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookIntake.class);
    /** PostgreSQL session settings of the intake's connections (sent when each connection starts). */
    public static final Map<String, String> SESSION_SETTINGS = Map.of("synchronous_commit", "off");

    /** What became of a delivery that was answered 200. */
    public enum Outcome {
        /** Landed now (and its effects run). */
        ACCEPTED,
        /** Received before (or twice in one batch): acknowledged, not landed again. */
        DUPLICATE;

        public String status() {
            return this == ACCEPTED ? "accepted" : "duplicate";
        }
    }

    /**
     * @param maxBatch        deliveries claimed and landed together at most
     * @param batchesInFlight batches being claimed and landed at once: more overlaps one batch's fsync with the next
     *                        one's claim, fewer makes bigger batches
     */
    public record Settings(int maxBatch, int batchesInFlight) {
        public static final Settings DEFAULTS = new Settings(128, 2);

        public Settings {
            if (maxBatch < 1 || batchesInFlight < 1) {
                throw new IllegalArgumentException("Cannot batch webhooks: maxBatch " + maxBatch
                        + " and batchesInFlight " + batchesInFlight + " must be at least 1");
            }
        }

        /** {@code ECOMCRM_WEBHOOK_MAX_BATCH}, {@code ECOMCRM_WEBHOOK_BATCHES_IN_FLIGHT}; the defaults otherwise. */
        public static Settings fromEnvironment(Map<String, String> environment) {
            return new Settings(number(environment, "ECOMCRM_WEBHOOK_MAX_BATCH", DEFAULTS.maxBatch),
                    number(environment, "ECOMCRM_WEBHOOK_BATCHES_IN_FLIGHT", DEFAULTS.batchesInFlight));
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

    private final Vertx vertx;
    private final Pool receiptsPool;
    private final WebhookReceipts receipts;
    private final LandingZone landingZone;
    private final WebhookEffects effects;
    private final Settings settings;

    private final Object lock = new Object();
    /** Deliveries waiting for a batch; guarded by lock. */
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    /** Batches (without an effect) being claimed and landed; guarded by lock. */
    private int inFlight;

    /** @param receiptsPool the intake's own connections, opened with {@link #SESSION_SETTINGS} */
    public WebhookIntake(Vertx vertx, Pool receiptsPool, WebhookReceipts receipts, LandingZone landingZone,
                         WebhookEffects effects, Settings settings) {
        this.vertx = requireNonNull(vertx, "vertx is null");
        this.receiptsPool = requireNonNull(receiptsPool, "receiptsPool is null");
        this.receipts = requireNonNull(receipts, "receipts is null");
        this.landingZone = requireNonNull(landingZone, "landingZone is null");
        this.effects = requireNonNull(effects, "effects is null");
        this.settings = requireNonNull(settings, "settings is null");
    }

    private record Waiting(WebhookReceipts.Receipt receipt, LandingEnvelope envelope, Promise<Outcome> answer,
                           Context context) {
        WebhookDelivery delivery() {
            return receipt.delivery();
        }

        /** Completes on the caller's context, so the caller answers its HTTP request on its own event loop. */
        void answer(Outcome outcome, Throwable failure) {
            context.runOnContext(ignored -> {
                if (failure == null) {
                    answer.complete(outcome);
                }
                else {
                    answer.fail(failure);
                }
            });
        }
    }

    /**
     * Claims, lands and runs the effects of a verified delivery; the future completes once it is durable (or known
     * to be a duplicate), and fails if it could not be landed (nothing of it is recorded then).
     */
    public Future<Outcome> receive(WebhookDelivery delivery, Instant receivedAt) {
        LandingEnvelope envelope = LandingEnvelope.webhook(delivery.shop(), delivery.topic().topic(),
                delivery.webhookId(), receivedAt, delivery.triggeredAt(), delivery.apiVersion(), delivery.body());
        Path file = landingZone.webhookFile(envelope);
        Promise<Outcome> answer = Promise.promise();
        Waiting entry = new Waiting(new WebhookReceipts.Receipt(delivery, receivedAt, file), envelope, answer,
                vertx.getOrCreateContext());
        if (effects.hasEffect(delivery.topic())) {
            runBatch(List.of(entry), false);
            return answer.future();
        }
        List<Waiting> batch = null;
        synchronized (lock) {
            waiting.add(entry);
            if (inFlight < settings.batchesInFlight()) {
                batch = nextBatch();
            }
        }
        if (batch != null) {
            runBatch(batch, true);
        }
        return answer.future();
    }

    /** Takes up to maxBatch waiting deliveries and counts a batch in flight. Caller holds lock. */
    private List<Waiting> nextBatch() {
        int size = Math.min(settings.maxBatch(), waiting.size());
        List<Waiting> batch = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            batch.add(waiting.poll());
        }
        inFlight++;
        return batch;
    }

    private void runBatch(List<Waiting> batch, boolean counted) {
        // Copies of one delivery inside the batch: the first is claimed, the others share its outcome.
        Map<WebhookReceipts.Key, Waiting> firsts = new LinkedHashMap<>();
        for (Waiting entry : batch) {
            firsts.putIfAbsent(entry.receipt().key(), entry);
        }
        List<Waiting> candidates = new ArrayList<>(firsts.values());
        candidates.sort(Comparator.comparing((Waiting w) -> w.delivery().shop().domain())
                .thenComparing(w -> w.delivery().webhookId()));
        Future<Set<WebhookReceipts.Key>> done;
        try {
            done = receiptsPool.withTransaction(transaction ->
                    receipts.claim(transaction, candidates.stream().map(Waiting::receipt).toList())
                            .compose(claimed -> landAndApply(candidates, claimed).map(claimed)));
        }
        catch (RuntimeException e) {
            done = Future.failedFuture(e);
        }
        done.onComplete(result -> {
            if (result.failed()) {
                WebhookDelivery first = batch.get(0).delivery();
                LOG.error("Cannot land a batch of {} webhooks (first: {} for shop {})", batch.size(),
                        first.topic().topic(), first.shop(), result.cause());
            }
            for (Waiting entry : batch) {
                if (result.failed()) {
                    entry.answer(null, result.cause());
                    continue;
                }
                boolean claimedHere = firsts.get(entry.receipt().key()) == entry
                        && result.result().contains(entry.receipt().key());
                entry.answer(claimedHere ? Outcome.ACCEPTED : Outcome.DUPLICATE, null);
            }
            if (counted) {
                batchFinished();
            }
        });
    }

    private Future<Void> landAndApply(List<Waiting> candidates, Set<WebhookReceipts.Key> claimed) {
        List<Waiting> fresh = candidates.stream().filter(entry -> claimed.contains(entry.receipt().key())).toList();
        if (fresh.isEmpty()) {
            return Future.succeededFuture();
        }
        Future<List<Path>> landed = vertx.executeBlocking(
                () -> landingZone.appendWebhooks(fresh.stream().map(Waiting::envelope).toList()), false);
        // Effects run after landing and before the commit: if one fails, nothing is recorded and Shopify's retry is
        // not mistaken for a duplicate.
        Future<Void> applied = landed.mapEmpty();
        for (Waiting entry : fresh) {
            if (effects.hasEffect(entry.delivery().topic())) {
                applied = applied.compose(ignored -> effects.apply(entry.delivery(), entry.receipt().receivedAt()));
            }
        }
        return applied;
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
            runBatch(next, true);
        }
    }
}
