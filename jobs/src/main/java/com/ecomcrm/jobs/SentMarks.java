package com.ecomcrm.jobs;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
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

    static final String MARK = "UPDATE sends SET status = 'SENT', message_id = m.message_id, sent_at = m.sent_at, "
            + "template_id = m.template_id, template_version = m.template_version, skip_reason = NULL, "
            + "claimed_until = NULL, updated_at = now() FROM unnest(?::bigint[], ?::text[], ?::timestamptz[], "
            + "?::bigint[], ?::int[]) AS m(id, message_id, sent_at, template_id, template_version) "
            + "WHERE sends.id = m.id AND sends.claimed_by = ? AND sends.status IN ('SENDING', 'HELD')";

    /** One delivered email. */
    record Mark(long sendId, String messageId, Instant sentAt, long templateId, int templateVersion) {
        Mark {
            requireNonNull(messageId, "messageId is null");
            requireNonNull(sentAt, "sentAt is null");
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
        for (int i = 0; i < n; i++) {
            Mark m = binding.get(i);
            ids[i] = m.sendId();
            messageIds[i] = m.messageId();
            sentAt[i] = Timestamp.from(m.sentAt());
            templateIds[i] = m.templateId();
            versions[i] = m.templateVersion();
        }
        p.setArray(1, connection.createArrayOf("bigint", ids));
        p.setArray(2, connection.createArrayOf("text", messageIds));
        p.setArray(3, connection.createArrayOf("timestamptz", sentAt));
        p.setArray(4, connection.createArrayOf("bigint", templateIds));
        p.setArray(5, connection.createArrayOf("int4", versions));
        p.setString(6, workerId);
        return 6;
    }

    /** The statement bound by {@link #bind} ran and committed, updating {@code rows} rows. */
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
        try (PreparedStatement p = connection.prepareStatement(MARK)) {
            bind(connection, p);
            recorded(p.executeUpdate());
        }
    }
}
