package com.ecomcrm.api.tracking;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.tracking.EmailEvent;
import com.ecomcrm.tracking.MachineEventRule;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What the tracking routes read and write in PostgreSQL: the send a token names (always looked up by the token's shop
 * AND send id, so a token of shop A never reaches a row of shop B), {@code email_events}, {@code suppressions} and
 * {@code consent}.
 *
 * <p>Event rows are written with group commit, like the landing zone: while one multi-row insert is in flight, new
 * events queue, and the next insert takes them all. Under load one round trip records many events; each caller's
 * future completes once its own row is committed.
 */
public final class TrackingStore {
    private static final Logger LOG = LoggerFactory.getLogger(TrackingStore.class);
    private static final int MAX_BATCH = 500;

    private static final String INSERT_EVENT = """
            INSERT INTO email_events (shop_domain, send_id, kind, url, occurred_at, event_id, method, user_agent, ip,
                                      machine, machine_reason)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, ($9::text)::inet, $10, $11)
            ON CONFLICT DO NOTHING""";

    /**
     * A send as the tracking routes need it. {@code test}: a test send to the merchant (its unsubscribe link works
     * but changes nothing); {@code customerId} may be a real customer's, whose data filled the test.
     */
    public record Recipient(long sendId, String email, Optional<Long> customerId, Optional<Instant> sentAt,
                            boolean suppressed, boolean test) {
    }

    /** What the machine rule needs from the database for one event. */
    public record Facts(Optional<Instant> sentAt, int clicksInBurstWindow) {
        public static final Facts UNKNOWN = new Facts(Optional.empty(), 0);
    }

    /** What an unsubscribe did. */
    public enum UnsubscribeOutcome {
        /** The address is now suppressed, the consent UNSUBSCRIBED, the event recorded. */
        UNSUBSCRIBED,
        /** It already was (a replay, or suppressed earlier for another reason); consent is UNSUBSCRIBED either way. */
        ALREADY_UNSUBSCRIBED,
        /** The token's shop has no such send. */
        NO_SUCH_SEND,
        /** The send is a test send: nothing was changed or recorded. */
        TEST_EMAIL
    }

    private record Pending(Tuple row, Promise<Void> done) {
    }

    private final Pool pool;
    /** sent_at never changes once written, so opens (most of the traffic) skip the lookup for recently seen sends. */
    private final java.util.Map<String, Instant> sentAtCache = new java.util.LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, Instant> eldest) {
            return size() > 50_000;
        }
    };
    private final Object queueLock = new Object();
    private List<Pending> queue = new ArrayList<>();
    private boolean flushing;

    public TrackingStore(Pool pool) {
        this.pool = requireNonNull(pool, "pool is null");
    }

    /** The send's sent_at and, for clicks, how many clicks of the same send came in the burst window before {@code at}. */
    public Future<Facts> facts(ShopId shop, long sendId, Instant at, boolean withClicks) {
        if (!withClicks) {
            String key = shop.domain() + "|" + sendId;
            Instant cached;
            synchronized (sentAtCache) {
                cached = sentAtCache.get(key);
            }
            if (cached != null) {
                return Future.succeededFuture(new Facts(Optional.of(cached), 0));
            }
            return pool.preparedQuery("SELECT sent_at FROM sends WHERE shop_domain = $1 AND id = $2")
                    .execute(Tuple.of(shop.domain(), sendId))
                    .map(rows -> {
                        Optional<Instant> sentAt = firstInstant(rows, "sent_at");
                        sentAt.ifPresent(at0 -> {
                            synchronized (sentAtCache) {
                                sentAtCache.put(key, at0);
                            }
                        });
                        return new Facts(sentAt, 0);
                    });
        }
        Instant from = at.minus(MachineEventRule.BURST_WINDOW);
        return pool.preparedQuery("""
                        SELECT (SELECT sent_at FROM sends WHERE shop_domain = $1 AND id = $2) AS sent_at,
                               (SELECT count(*) FROM email_events
                                 WHERE shop_domain = $1 AND send_id = $2 AND kind = 'click'
                                   AND occurred_at > $3 AND occurred_at <= $4) AS clicks""")
                .execute(Tuple.of(shop.domain(), sendId, utc(from), utc(at)))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Facts(Optional.ofNullable(row.getOffsetDateTime("sent_at")).map(OffsetDateTime::toInstant),
                            row.getLong("clicks").intValue());
                });
    }

    /** The send named by a token, looked up within the token's shop only. */
    public Future<Optional<Recipient>> recipient(ShopId shop, long sendId) {
        return pool.preparedQuery("""
                        SELECT s.id, s.email, s.customer_id, s.sent_at, s.is_test,
                               EXISTS (SELECT 1 FROM suppressions p
                                        WHERE p.shop_domain = s.shop_domain AND p.email = s.email) AS suppressed
                          FROM sends s WHERE s.shop_domain = $1 AND s.id = $2""")
                .execute(Tuple.of(shop.domain(), sendId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.empty();
                    }
                    Row row = rows.iterator().next();
                    return Optional.of(new Recipient(row.getLong("id"), row.getString("email"),
                            Optional.ofNullable(row.getLong("customer_id")),
                            Optional.ofNullable(row.getOffsetDateTime("sent_at")).map(OffsetDateTime::toInstant),
                            row.getBoolean("suppressed"), row.getBoolean("is_test")));
                });
    }

    /** Records one open or click (group-committed). A replay of the same event id records nothing. */
    public Future<Void> record(EmailEvent event) {
        Promise<Void> done = Promise.promise();
        boolean start;
        synchronized (queueLock) {
            queue.add(new Pending(eventRow(event), done));
            start = !flushing;
            flushing = true;
        }
        if (start) {
            flushNext();
        }
        return done.future();
    }

    /** Flags the clicks of one send between {@code from} and {@code to} as a scanner's burst. Returns rows changed. */
    public Future<Integer> flagBurst(ShopId shop, long sendId, Instant from, Instant to) {
        return pool.preparedQuery("""
                        UPDATE email_events SET machine = true, machine_reason = $5
                         WHERE shop_domain = $1 AND send_id = $2 AND kind = 'click' AND NOT machine
                           AND occurred_at >= $3 AND occurred_at <= $4""")
                .execute(Tuple.of(shop.domain(), sendId, utc(from), utc(to),
                        MachineEventRule.Reason.CLICK_BURST.code()))
                .map(RowSet::rowCount);
    }

    /**
     * Flags one click recorded as human when a click of the same send, at most one burst window after it, was
     * recognised as a burst: that burst's own flagging may have run before this row was committed.
     */
    public Future<Integer> flagIfInBurst(EmailEvent click) {
        return pool.preparedQuery("""
                        UPDATE email_events SET machine = true, machine_reason = $4
                         WHERE shop_domain = $1 AND event_id = $2 AND NOT machine
                           AND EXISTS (SELECT 1 FROM email_events b
                                        WHERE b.shop_domain = $1 AND b.send_id = $3 AND b.kind = 'click'
                                          AND b.machine_reason = $4 AND b.occurred_at >= $5 AND b.occurred_at <= $6)""")
                .execute(Tuple.of(click.shop().domain(), click.eventId(), click.sendId(),
                        MachineEventRule.Reason.CLICK_BURST.code(), utc(click.occurredAt()),
                        utc(click.occurredAt().plus(MachineEventRule.BURST_WINDOW))))
                .map(RowSet::rowCount);
    }

    /**
     * In one transaction: suppresses the send's address for the send's shop ({@code unsubscribed}), sets the
     * customer's consent (and that of any other customer of the shop with the same address) to UNSUBSCRIBED, and
     * records the unsubscribe event once per send. Idempotent: a replay changes nothing and says so.
     */
    public Future<UnsubscribeOutcome> unsubscribe(EmailEvent event) {
        ShopId shop = event.shop();
        return pool.withTransaction(conn -> conn.preparedQuery(
                                "SELECT email, customer_id FROM sends WHERE shop_domain = $1 AND id = $2 FOR SHARE")
                .execute(Tuple.of(shop.domain(), event.sendId()))
                .compose(rows -> {
                    if (rows.size() == 0) {
                        return Future.succeededFuture(UnsubscribeOutcome.NO_SUCH_SEND);
                    }
                    Row send = rows.iterator().next();
                    String email = send.getString("email");
                    Long customerId = send.getLong("customer_id");
                    return conn.preparedQuery("""
                                    INSERT INTO suppressions (shop_domain, email, reason, source_send_id)
                                    VALUES ($1, $2, 'unsubscribed', $3) ON CONFLICT (shop_domain, email) DO NOTHING""")
                            .execute(Tuple.of(shop.domain(), email, event.sendId()))
                            .compose(inserted -> consent(conn, shop, customerId, email)
                                    .compose(v -> conn.preparedQuery(INSERT_EVENT).execute(eventRow(event)))
                                    .map(recorded -> inserted.rowCount() == 1 || recorded.rowCount() == 1
                                            ? UnsubscribeOutcome.UNSUBSCRIBED
                                            : UnsubscribeOutcome.ALREADY_UNSUBSCRIBED));
                }));
    }

    /**
     * Consent UNSUBSCRIBED for the send's customer (created if the customer has no row yet) and for every customer of
     * the shop with this address. updated_at never goes backwards, so an older Shopify event arriving later (jobs'
     * TriggerEvaluator keeps the newer state) does not re-subscribe; the suppression row blocks sending regardless.
     */
    private static Future<Void> consent(SqlConnection conn, ShopId shop, Long customerId, String email) {
        Future<?> byCustomer = customerId == null ? Future.succeededFuture() : conn.preparedQuery("""
                        INSERT INTO consent (shop_domain, customer_id, email, marketing_state, updated_at)
                        VALUES ($1, $2, lower($3), 'UNSUBSCRIBED', now())
                        ON CONFLICT (shop_domain, customer_id) DO UPDATE SET marketing_state = 'UNSUBSCRIBED',
                            updated_at = GREATEST(consent.updated_at, EXCLUDED.updated_at)""")
                .execute(Tuple.of(shop.domain(), customerId, email));
        return byCustomer.compose(v -> conn.preparedQuery("""
                        UPDATE consent SET marketing_state = 'UNSUBSCRIBED', updated_at = GREATEST(updated_at, now())
                         WHERE shop_domain = $1 AND email = lower($2) AND marketing_state <> 'UNSUBSCRIBED'""")
                .execute(Tuple.of(shop.domain(), email))).mapEmpty();
    }

    private void flushNext() {
        List<Pending> batch;
        synchronized (queueLock) {
            if (queue.isEmpty()) {
                flushing = false;
                return;
            }
            if (queue.size() <= MAX_BATCH) {
                batch = queue;
                queue = new ArrayList<>();
            }
            else {
                batch = new ArrayList<>(queue.subList(0, MAX_BATCH));
                queue = new ArrayList<>(queue.subList(MAX_BATCH, queue.size()));
            }
        }
        List<Tuple> rows = new ArrayList<>(batch.size());
        for (Pending pending : batch) {
            rows.add(pending.row());
        }
        pool.preparedQuery(INSERT_EVENT).executeBatch(rows).onComplete(result -> {
            if (result.succeeded()) {
                batch.forEach(pending -> pending.done().complete());
                flushNext();
            }
            else if (batch.size() == 1) {
                batch.get(0).done().fail(result.cause());
                flushNext();
            }
            else {
                // One bad row fails the whole batch: record the rows one by one, so only the bad one fails.
                LOG.warn("Batch of {} email events failed ({}); recording them one by one", batch.size(),
                        result.cause().getMessage());
                oneByOne(batch, 0);
            }
        });
    }

    private void oneByOne(List<Pending> batch, int index) {
        if (index == batch.size()) {
            flushNext();
            return;
        }
        Pending pending = batch.get(index);
        pool.preparedQuery(INSERT_EVENT).execute(pending.row()).onComplete(result -> {
            if (result.succeeded()) {
                pending.done().complete();
            }
            else {
                pending.done().fail(result.cause());
            }
            oneByOne(batch, index + 1);
        });
    }

    private static Tuple eventRow(EmailEvent e) {
        return Tuple.tuple().addValue(e.shop().domain()).addValue(e.sendId()).addValue(e.kind().dbKind())
                .addValue(e.url().orElse(null)).addValue(utc(e.occurredAt())).addValue(e.eventId())
                .addValue(e.method()).addValue(e.userAgent().orElse(null)).addValue(e.ip().orElse(null))
                .addValue(e.machine()).addValue(e.machineReason().map(MachineEventRule.Reason::code).orElse(null));
    }

    private static Optional<Instant> firstInstant(RowSet<Row> rows, String column) {
        if (rows.size() == 0) {
            return Optional.empty();
        }
        return Optional.ofNullable(rows.iterator().next().getOffsetDateTime(column)).map(OffsetDateTime::toInstant);
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
