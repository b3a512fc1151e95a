package com.ecomcrm.api.tracking;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.tracking.EmailEvent;
import com.ecomcrm.tracking.MachineEventRule;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What the tracking routes read and write in PostgreSQL: the send a token names (always looked up by the token's shop
 * AND send id, so a token of shop A never reaches a row of shop B), {@code email_events}, {@code suppressions} and
 * {@code consent}.
 *
 * <p>Opens and clicks are written a batch at a time by {@link TrackingIntake}, on its connection and inside its
 * transaction ({@link #sentTimes}, {@link #insertEvents}); after its commit, {@link #flagBursts(List)} re-flags the
 * scanner bursts of its sends. Every statement takes whole arrays ({@code unnest}): one round trip and one plan per batch, whatever
 * its size.
 */
public final class TrackingStore {
    /** One event (the unsubscribe, inside its own transaction). */
    private static final String INSERT_EVENT = """
            INSERT INTO email_events (shop_domain, send_id, kind, url, occurred_at, event_id, method, user_agent, ip,
                                      machine, machine_reason)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, ($9::text)::inet, $10, $11)
            ON CONFLICT DO NOTHING""";

    /**
     * Many events in one statement. No ON CONFLICT: every event id is new ({@link EventIds}: a random 128-bit base per
     * process plus a counter), and a speculative insertion (ON CONFLICT) costs PostgreSQL a third more per row
     * (pgbench, 16-row batches: 285-305 against 425-460 microseconds of backend CPU). The unique
     * {@code (shop_domain, event_id)} index still stands: a repeated id would fail its batch (an error, never a double
     * count), and a replay of landed lines (not built yet) is to insert with ON CONFLICT DO NOTHING, recording nothing
     * twice.
     */
    private static final String INSERT_EVENTS = """
            INSERT INTO email_events (shop_domain, send_id, kind, url, occurred_at, event_id, method, user_agent, ip,
                                      machine, machine_reason)
            SELECT shop_domain, send_id, kind, url, occurred_at, event_id, method, user_agent, ip::inet, machine,
                   machine_reason
              FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[],
                          $8::text[], $9::text[], $10::boolean[], $11::text[])
                   AS e(shop_domain, send_id, kind, url, occurred_at, event_id, method, user_agent, ip, machine,
                        machine_reason)""";

    /** sent_at of several sends, each looked up by its shop AND id. */
    private static final String SENT_TIMES = """
            SELECT s.shop_domain, s.id, s.sent_at
              FROM unnest($1::text[], $2::bigint[]) AS k(shop_domain, id)
              JOIN sends s ON s.shop_domain = k.shop_domain AND s.id = k.id
             WHERE s.sent_at IS NOT NULL""";

    /**
     * The scanner-burst rule over every committed click of the given sends (whichever server recorded it): a click
     * {@code c} not yet flagged belongs to a burst when a click {@code d} of the same send, at most one window after
     * it, closes a window ({@code (d - window, d]}) holding at least {@code BURST_CLICKS} clicks. That is
     * {@link MachineEventRule}'s rule for {@code d} plus "the earlier clicks of the burst are flagged too".
     *
     * <p>Shaped so that no plan depends on table statistics: each send's clicks are reached through the LATERAL
     * subquery, which can only look them up by the send ({@code email_events_click_times}: shop, send, time), and the
     * rows to change by primary key. The former shape (the sends joined to the clicks in the UPDATE's FROM) let the
     * planner, on a table never analyzed (a new installation, a first campaign: {@code email_events} empty, then
     * filling faster than autoanalyze looks), read the clicks index by the time range alone and join the sends
     * afterwards: every click of the table, the more the longer it ran (EXPLAIN ANALYZE on 55,000 events: 562 buffers
     * and 4.8 ms a statement against 15 buffers and 0.2 ms; {@code bin/bench-tracking} paid about three times the
     * PostgreSQL CPU per request of the stage inside {@code bin/bench}, whose table held an analyzed email history).
     */
    private static final String FLAG_BURSTS = """
            UPDATE email_events e SET machine = true, machine_reason = $3
             WHERE e.id = ANY (ARRAY(
                   SELECT c.id
                     FROM unnest($1::text[], $2::bigint[]) AS s(shop_domain, send_id)
                     CROSS JOIN LATERAL (
                          SELECT c.id FROM email_events c
                           WHERE c.shop_domain = s.shop_domain AND c.send_id = s.send_id AND c.kind = 'click'
                             AND NOT c.machine AND c.occurred_at >= $4 AND c.occurred_at <= $5
                             AND EXISTS (SELECT 1 FROM email_events d
                                          WHERE d.shop_domain = c.shop_domain AND d.send_id = c.send_id
                                            AND d.kind = 'click' AND d.occurred_at >= c.occurred_at
                                            AND d.occurred_at <= c.occurred_at + $6 * interval '1 millisecond'
                                            AND (SELECT count(*) FROM email_events x
                                                  WHERE x.shop_domain = d.shop_domain AND x.send_id = d.send_id
                                                    AND x.kind = 'click'
                                                    AND x.occurred_at > d.occurred_at - $6 * interval '1 millisecond'
                                                    AND x.occurred_at <= d.occurred_at) >= $7)) c))
               AND NOT e.machine""";

    /** One send, named by its shop and id. */
    public record SendRef(ShopId shop, long sendId) {
        public SendRef {
            requireNonNull(shop, "shop is null");
        }
    }

    /**
     * A send as the tracking routes need it. {@code test}: a test send to the merchant (its unsubscribe link works
     * but changes nothing); {@code customerId} may be a real customer's, whose data filled the test.
     */
    public record Recipient(long sendId, String email, Optional<Long> customerId, Optional<Instant> sentAt,
                            boolean suppressed, boolean test) {
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

    private final Pool pool;

    public TrackingStore(Pool pool) {
        this.pool = requireNonNull(pool, "pool is null");
    }

    /**
     * sent_at of the sends that have one (a send not yet marked sent, or of another shop, is absent), on the caller's
     * connection.
     */
    public Future<Map<SendRef, Instant>> sentTimes(SqlClient connection, Collection<SendRef> sends) {
        String[] shops = new String[sends.size()];
        Long[] ids = new Long[sends.size()];
        int i = 0;
        for (SendRef send : sends) {
            shops[i] = send.shop().domain();
            ids[i++] = send.sendId();
        }
        return connection.preparedQuery(SENT_TIMES).execute(Tuple.tuple().addValue(shops).addValue(ids)).map(rows -> {
            Map<SendRef, Instant> found = new HashMap<>();
            for (Row row : rows) {
                found.put(new SendRef(ShopId.of(row.getString(0)), row.getLong(1)),
                        row.getOffsetDateTime(2).toInstant());
            }
            return found;
        });
    }

    /** Inserts opens and clicks in one statement on the caller's connection (its transaction). */
    public Future<Void> insertEvents(SqlClient connection, List<EmailEvent> events) {
        int n = events.size();
        String[] shops = new String[n];
        Long[] sends = new Long[n];
        String[] kinds = new String[n];
        String[] urls = new String[n];
        OffsetDateTime[] times = new OffsetDateTime[n];
        String[] ids = new String[n];
        String[] methods = new String[n];
        String[] agents = new String[n];
        String[] ips = new String[n];
        Boolean[] machine = new Boolean[n];
        String[] reasons = new String[n];
        for (int i = 0; i < n; i++) {
            EmailEvent e = events.get(i);
            shops[i] = e.shop().domain();
            sends[i] = e.sendId();
            kinds[i] = e.kind().dbKind();
            urls[i] = e.url().orElse(null);
            times[i] = utc(e.occurredAt());
            ids[i] = e.eventId();
            methods[i] = e.method();
            agents[i] = e.userAgent().orElse(null);
            ips[i] = e.ip().orElse(null);
            machine[i] = e.machine();
            reasons[i] = e.machineReason().map(MachineEventRule.Reason::code).orElse(null);
        }
        return connection.preparedQuery(INSERT_EVENTS).execute(Tuple.tuple().addValue(shops).addValue(sends)
                .addValue(kinds).addValue(urls).addValue(times).addValue(ids).addValue(methods).addValue(agents)
                .addValue(ips).addValue(machine).addValue(reasons)).mapEmpty();
    }

    /**
     * {@link #flagBursts(SqlClient, List)} on this store's pool. Its statements are not kept prepared, so each run is
     * planned for the table as it is then: a plan kept from the first runs (PostgreSQL keeps a generic plan after
     * five) would be one made for an empty or tiny {@code email_events}, e.g. a sequential scan, kept while the table
     * grows until an autoanalyze comes by.
     */
    public Future<Integer> flagBursts(List<EmailEvent> clicks) {
        return flagBursts(pool, clicks);
    }

    /**
     * Flags, as {@link MachineEventRule.Reason#CLICK_BURST}, every committed click of these clicks' sends that belongs
     * to a burst (the rule on {@link #FLAG_BURSTS}), whichever server recorded it and in whichever batch. Run after
     * the clicks' batch committed, on a fresh snapshot: of two batches committing at once, the later one's run sees
     * both. Returns the rows changed.
     */
    public Future<Integer> flagBursts(SqlClient client, List<EmailEvent> clicks) {
        Map<SendRef, Boolean> sends = new LinkedHashMap<>();
        Instant first = null;
        Instant last = null;
        for (EmailEvent click : clicks) {
            sends.put(new SendRef(click.shop(), click.sendId()), Boolean.TRUE);
            first = first == null || click.occurredAt().isBefore(first) ? click.occurredAt() : first;
            last = last == null || click.occurredAt().isAfter(last) ? click.occurredAt() : last;
        }
        if (sends.isEmpty()) {
            return Future.succeededFuture(0);
        }
        String[] shops = new String[sends.size()];
        Long[] ids = new Long[sends.size()];
        int i = 0;
        for (SendRef send : sends.keySet()) {
            shops[i] = send.shop().domain();
            ids[i++] = send.sendId();
        }
        // A click of this batch can complete the burst of clicks up to one window before it, and be completed by
        // clicks up to one window after it (committed earlier by another batch or server).
        java.time.Duration window = MachineEventRule.BURST_WINDOW;
        return client.preparedQuery(FLAG_BURSTS).execute(Tuple.tuple().addValue(shops).addValue(ids)
                        .addValue(MachineEventRule.Reason.CLICK_BURST.code())
                        .addValue(utc(first.minus(window.multipliedBy(2))))
                        .addValue(utc(last.plus(window.multipliedBy(2))))
                        .addValue(window.toMillis()).addValue(MachineEventRule.BURST_CLICKS))
                .map(RowSet::rowCount);
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

    private static Tuple eventRow(EmailEvent e) {
        return Tuple.tuple().addValue(e.shop().domain()).addValue(e.sendId()).addValue(e.kind().dbKind())
                .addValue(e.url().orElse(null)).addValue(utc(e.occurredAt())).addValue(e.eventId())
                .addValue(e.method()).addValue(e.userAgent().orElse(null)).addValue(e.ip().orElse(null))
                .addValue(e.machine()).addValue(e.machineReason().map(MachineEventRule.Reason::code).orElse(null));
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
