package com.ecomcrm.api.webhooks;

import com.ecomcrm.api.groupcommit.BatchWork;
import com.ecomcrm.api.groupcommit.GroupCommit;
import com.ecomcrm.api.groupcommit.GroupCommitSettings;
import com.ecomcrm.landing.LandingEnvelope;
import com.ecomcrm.landing.LandingZone;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Deduplicates and lands verified deliveries in batches, by the shared {@link GroupCommit} (which says how batches
 * form, what one transaction and one fsync per batch mean, and how a failed batch is answered): under load one receipt
 * statement, one worker hop and one fsync serve many deliveries, and with no load a delivery goes alone at once.
 *
 * <p>A batch, in one PostgreSQL transaction on the intake's own connections: claim the receipts of its deliveries
 * ({@link WebhookReceipts#claim}: the ones already received are duplicates), land the new ones durably (fsync), run
 * their effects, commit. Every delivery of the batch is answered only after that: 200 {@code accepted} or
 * {@code duplicate}, or, if any step fails, a failure for all of them (503: Shopify retries, and as nothing was
 * committed the retries are not mistaken for duplicates). Two copies of one delivery in one batch are landed once, the
 * second answered {@code duplicate} with the first's outcome.
 *
 * <p>The receipts commit asynchronously ({@link GroupCommit#SESSION_SETTINGS}): the landing fsync is what makes a
 * delivery durable before its 200; a receipt lost in a crash of the PostgreSQL server (never in a crash of this
 * process: a commit the server acknowledged survives it) only means that Shopify's retry of that delivery, if any, is
 * landed a second time, which the ingest deduplicates (one version per key, newest {@code updated_at} wins), and its
 * effect, if any, runs again, which every effect tolerates (revoking revoked tokens, a compliance request recorded
 * once per webhook id).
 *
 * <p>A delivery with an effect beyond landing (uninstall, subscription, compliance) goes in a batch of its own
 * ({@link GroupCommit#submitAlone}), so an effect that fails sends back only its own delivery.
 */
public final class WebhookIntake {
    /** 128 deliveries a batch, two batches in flight, no waiting for company. */
    public static final GroupCommitSettings DEFAULT_SETTINGS = new GroupCommitSettings(128, 2);

    /** {@code ECOMCRM_WEBHOOK_MAX_BATCH}, {@code _BATCHES_IN_FLIGHT}, {@code _MAX_WAIT_MS}; the defaults otherwise. */
    public static GroupCommitSettings settingsFrom(Map<String, String> environment) {
        return GroupCommitSettings.fromEnvironment(environment, "ECOMCRM_WEBHOOK", DEFAULT_SETTINGS);
    }

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

    /** A delivery with its receipt and its landed line, both made on arrival. */
    private record Arrived(WebhookReceipts.Receipt receipt, LandingEnvelope envelope) {
        WebhookDelivery delivery() {
            return receipt.delivery();
        }
    }

    private final LandingZone landingZone;
    private final WebhookEffects effects;
    private final GroupCommit<Arrived, Outcome> batches;

    /** @param receiptsPool the intake's own connections ({@link GroupCommit#connections}) */
    public WebhookIntake(Vertx vertx, Pool receiptsPool, WebhookReceipts receipts, LandingZone landingZone,
                         WebhookEffects effects, GroupCommitSettings settings) {
        this.landingZone = requireNonNull(landingZone, "landingZone is null");
        this.effects = requireNonNull(effects, "effects is null");
        this.batches = new GroupCommit<>("webhooks", vertx, receiptsPool, landingZone::appendWebhooks,
                new Deliveries(requireNonNull(receipts, "receipts is null"), effects), settings);
    }

    /**
     * Claims, lands and runs the effects of a verified delivery; the future completes once it is durable (or known
     * to be a duplicate), and fails if it could not be landed (nothing of it is recorded then).
     */
    public Future<Outcome> receive(WebhookDelivery delivery, Instant receivedAt) {
        LandingEnvelope envelope = LandingEnvelope.webhook(delivery.shop(), delivery.topic().topic(),
                delivery.webhookId(), receivedAt, delivery.triggeredAt(), delivery.apiVersion(), delivery.body());
        Path file = landingZone.webhookFile(envelope);
        Arrived arrived = new Arrived(new WebhookReceipts.Receipt(delivery, receivedAt, file), envelope);
        return effects.hasEffect(delivery.topic()) ? batches.submitAlone(arrived) : batches.submit(arrived);
    }

    /** Lands the deliveries waiting and refuses new ones (503: Shopify retries); completes once all are answered. */
    public Future<Void> close() {
        return batches.close();
    }

    /** What a batch of deliveries writes: receipts, landed lines, effects. */
    private static final class Deliveries implements BatchWork<Arrived, Outcome> {
        private final WebhookReceipts receipts;
        private final WebhookEffects effects;

        Deliveries(WebhookReceipts receipts, WebhookEffects effects) {
            this.receipts = receipts;
            this.effects = effects;
        }

        @Override
        public Future<Recorded<Outcome>> record(SqlConnection transaction, List<Arrived> batch) {
            // Copies of one delivery inside the batch: the first is claimed, the others share its outcome.
            Map<WebhookReceipts.Key, Arrived> firsts = new LinkedHashMap<>();
            for (Arrived entry : batch) {
                firsts.putIfAbsent(entry.receipt().key(), entry);
            }
            List<Arrived> candidates = new ArrayList<>(firsts.values());
            // Claimed in key order, so two batches claiming the same receipts lock them in the same order.
            candidates.sort(Comparator.comparing((Arrived a) -> a.delivery().shop().domain())
                    .thenComparing(a -> a.delivery().webhookId()));
            return receipts.claim(transaction, candidates.stream().map(Arrived::receipt).toList()).map(claimed -> {
                Map<Arrived, Boolean> fresh = new IdentityHashMap<>();
                List<LandingEnvelope> toLand = new ArrayList<>();
                for (Arrived candidate : candidates) {
                    if (claimed.contains(candidate.receipt().key())) {
                        fresh.put(candidate, Boolean.TRUE);
                        toLand.add(candidate.envelope());
                    }
                }
                List<Outcome> outcomes = new ArrayList<>(batch.size());
                for (Arrived entry : batch) {
                    outcomes.add(fresh.containsKey(entry) ? Outcome.ACCEPTED : Outcome.DUPLICATE);
                }
                return new Recorded<>(outcomes, toLand);
            });
        }

        /**
         * Effects run after landing and before the commit: if one fails, nothing is recorded and Shopify's retry is
         * not mistaken for a duplicate.
         */
        @Override
        public Future<Void> afterLanding(SqlConnection transaction, List<Arrived> batch, List<Outcome> outcomes) {
            Future<Void> applied = Future.succeededFuture();
            for (int i = 0; i < batch.size(); i++) {
                Arrived entry = batch.get(i);
                if (outcomes.get(i) == Outcome.ACCEPTED && effects.hasEffect(entry.delivery().topic())) {
                    applied = applied.compose(ignored -> effects.apply(entry.delivery(), entry.receipt().receivedAt()));
                }
            }
            return applied;
        }

        @Override
        public String describe(Arrived item) {
            return item.delivery().topic().topic() + " " + item.delivery().webhookId() + " for shop "
                    + item.delivery().shop();
        }
    }
}
