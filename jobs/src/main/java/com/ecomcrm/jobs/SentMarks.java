package com.ecomcrm.jobs;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SENT marks a worker owes: emails the SMTP server accepted whose rows are still SENDING. They are written in one
 * statement, together with the next send's check ({@link SendCheck}) or at the end of the batch, instead of one round
 * trip per email.
 *
 * <p>Exactly once still holds: until its mark is written, a delivered email's row stays SENDING under this worker's
 * claim, so no worker can claim it again; if the worker dies first, the lease expires and
 * {@link SendWorker#holdExpiredLeases()} holds the row for review, never resending it. A mark is only added after the
 * server accepted the message, so a mark never claims an email that did not go out. Not thread-safe: one per worker.
 */
final class SentMarks {
    private static final Logger LOG = LoggerFactory.getLogger(SentMarks.class);

    /**
     * Marks the sends SENT and adds the non-test ones to their shop's monthly counter ({@code shop_monthly_sends},
     * V16) in the same statement, so a send is counted exactly when its row becomes SENT, under any number of
     * workers and across a crash. The counter rows are locked in (shop, month) order, so two workers marking sends
     * of the same shops never deadlock. Returns one row: how many sends were marked.
     */
    static final String MARK = "WITH marked AS (UPDATE sends SET status = 'SENT', message_id = m.message_id, "
            + "sent_at = m.sent_at, template_id = m.template_id, template_version = m.template_version, "
            + "skip_reason = NULL, claimed_until = NULL, updated_at = now() FROM unnest(?::bigint[], ?::text[], "
            + "?::timestamptz[], ?::bigint[], ?::int[], ?::date[]) "
            + "AS m(id, message_id, sent_at, template_id, template_version, month) "
            + "WHERE sends.id = m.id AND sends.claimed_by = ? AND sends.status IN ('SENDING', 'HELD') "
            + "RETURNING sends.shop_domain, m.month, sends.is_test), "
            + "counted AS (INSERT INTO shop_monthly_sends AS c (shop_domain, month, sent) "
            + "SELECT shop_domain, month, count(*) FROM marked WHERE NOT is_test GROUP BY shop_domain, month "
            + "ORDER BY shop_domain, month "
            + "ON CONFLICT (shop_domain, month) DO UPDATE SET sent = c.sent + excluded.sent, updated_at = now()) "
            + "SELECT count(*) FROM marked";

    /**
     * The transaction that writes marks commits without waiting for its WAL flush ({@code synchronous_commit = off}
     * for that transaction only; the claims, which must be durable before any SMTP traffic, stay synchronous). Why:
     * the mark also updates the shop's one counter row, and a synchronous commit holds that row's lock through the
     * flush, so the marks of one shop's sends would queue behind each other at the disk's pace whatever the number of
     * workers, and every send would wait for a flush (16 connections updating one counter row, pgbench at load 37:
     * 1,062 commits/s and 15 ms each synchronous, 8,006/s and 2.0 ms asynchronous). Why it is safe:
     * a PostgreSQL crash can lose only the last marks (about the last 200 ms); their rows are then back to SENDING
     * under a durable claim, so they end HELD for review once the lease expires, never resent, and count against the
     * quota as held sends of unknown outcome (their counter increments are lost with them, never counted twice).
     */
    static final String ASYNC_COMMIT = "SELECT set_config('synchronous_commit', 'off', true)";

    /** One delivered email; {@code month} is the first day of its quota month in the shop's time zone. */
    record Mark(long sendId, String messageId, Instant sentAt, long templateId, int templateVersion,
                LocalDate month) {
        Mark {
            requireNonNull(messageId, "messageId is null");
            requireNonNull(sentAt, "sentAt is null");
            requireNonNull(month, "month is null");
        }
    }

    private final String workerId;
    private final List<Mark> pending = new ArrayList<>();
    private List<Mark> binding = List.of();

    SentMarks(String workerId) {
        this.workerId = requireNonNull(workerId, "workerId is null");
    }

    void add(Mark mark) {
        pending.add(requireNonNull(mark, "mark is null"));
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    /** The send ids whose marks are owed, in delivery order. */
    List<Long> sendIds() {
        return pending.stream().map(Mark::sendId).toList();
    }

    /** Binds {@link #MARK}'s parameters from index 1; returns the last index bound. */
    int bind(Connection connection, PreparedStatement p) throws SQLException {
        binding = List.copyOf(pending);
        int n = binding.size();
        Long[] ids = new Long[n];
        String[] messageIds = new String[n];
        Timestamp[] sentAt = new Timestamp[n];
        Long[] templateIds = new Long[n];
        Integer[] versions = new Integer[n];
        java.sql.Date[] months = new java.sql.Date[n];
        for (int i = 0; i < n; i++) {
            Mark m = binding.get(i);
            ids[i] = m.sendId();
            messageIds[i] = m.messageId();
            sentAt[i] = Timestamp.from(m.sentAt());
            templateIds[i] = m.templateId();
            versions[i] = m.templateVersion();
            months[i] = java.sql.Date.valueOf(m.month());
        }
        p.setArray(1, connection.createArrayOf("bigint", ids));
        p.setArray(2, connection.createArrayOf("text", messageIds));
        p.setArray(3, connection.createArrayOf("timestamptz", sentAt));
        p.setArray(4, connection.createArrayOf("bigint", templateIds));
        p.setArray(5, connection.createArrayOf("int4", versions));
        p.setArray(6, connection.createArrayOf("date", months));
        p.setString(7, workerId);
        return 7;
    }

    /** The statement bound by {@link #bind} ran and committed, marking {@code rows} rows. */
    void recorded(int rows) {
        if (rows != binding.size()) {
            // Another worker or a person took rows over meanwhile (they were HELD after a lost lease and released).
            LOG.warn("{} sends went out but only {} of their rows were still ours to mark SENT", binding.size(), rows);
        }
        pending.removeAll(binding);
        binding = List.of();
    }

    /** Writes the owed marks on their own (end of a batch). */
    void flush(Connection connection) throws SQLException {
        if (pending.isEmpty()) {
            return;
        }
        try (PreparedStatement p = connection.prepareStatement(ASYNC_COMMIT + ";\n" + MARK)) {
            bind(connection, p);
            if (!p.execute() || !p.getMoreResults()) {
                throw new IllegalStateException("Marking SENT returned no count");
            }
            try (ResultSet rs = p.getResultSet()) {
                rs.next();
                recorded(rs.getInt(1));
            }
        }
    }
}
