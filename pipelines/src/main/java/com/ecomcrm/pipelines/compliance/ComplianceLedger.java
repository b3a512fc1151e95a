package com.ecomcrm.pipelines.compliance;

import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The compliance tables (migration V8): pending requests to process, and what became of each. Completing a request
 * deletes its subject (the email and phone) in the same transaction, so personal data never outlives the request;
 * the audit row holds only the topic, shop, request id, counts and duration.
 */
final class ComplianceLedger {
    /** After this many failed attempts a request is FAILED and needs a person; until then it stays PENDING. */
    static final int MAX_ATTEMPTS = 10;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PgConnector postgres;

    ComplianceLedger(PgConnector postgres) {
        this.postgres = requireNonNull(postgres, "postgres is null");
    }

    /**
     * Holds PostgreSQL's advisory lock of the compliance job until closed, so two runs (a manual one beside the
     * scheduled one) never erase and export the same requests at once; empty when another run holds it.
     */
    Optional<AutoCloseable> lock() {
        try {
            Connection connection = postgres.open();
            try (PreparedStatement lock = connection.prepareStatement(
                    "SELECT pg_try_advisory_lock(hashtext('ecomcrm.compliance-job'))");
                 ResultSet rs = lock.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    connection.close();
                    return Optional.empty();
                }
            }
            // Closing the session releases the lock.
            return Optional.of(connection::close);
        }
        catch (SQLException e) {
            throw new IllegalStateException("Cannot take the compliance job's lock: " + e.getMessage(), e);
        }
    }

    /** PENDING requests received before {@code receivedBefore}, the nearest deadline first. */
    List<ComplianceRequest> pending(Instant receivedBefore) {
        List<ComplianceRequest> requests = new ArrayList<>();
        try (Connection connection = postgres.open();
             PreparedStatement select = connection.prepareStatement("""
                     SELECT r.id, r.shop_domain, r.topic, r.shopify_request_id, r.customer_id, r.order_ids,
                            r.received_at, r.due_at, r.attempts, s.email, s.phone
                     FROM compliance_requests r LEFT JOIN compliance_request_subjects s ON s.request_id = r.id
                     WHERE r.status = 'PENDING' AND r.received_at < ?
                     ORDER BY r.due_at, r.id""")) {
            select.setTimestamp(1, Timestamp.from(receivedBefore));
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    long customer = rs.getLong("customer_id");
                    Optional<Long> customerId = rs.wasNull() ? Optional.empty() : Optional.of(customer);
                    Array orders = rs.getArray("order_ids");
                    List<Long> orderIds = orders == null ? List.of()
                            : Arrays.stream((Long[]) orders.getArray()).toList();
                    requests.add(new ComplianceRequest(rs.getLong("id"), ShopId.of(rs.getString("shop_domain")),
                            rs.getString("topic"), Optional.ofNullable(rs.getString("shopify_request_id")),
                            customerId, Optional.ofNullable(rs.getString("email")),
                            Optional.ofNullable(rs.getString("phone")), orderIds,
                            rs.getTimestamp("received_at").toInstant(), rs.getTimestamp("due_at").toInstant(),
                            rs.getInt("attempts")));
                }
            }
        }
        catch (SQLException e) {
            throw new IllegalStateException("Cannot read pending compliance requests: " + e.getMessage(), e);
        }
        return requests;
    }

    /**
     * Marks the request DONE with its counts, forgets its subject, writes the audit row and, for a data request,
     * records the export file, all in one transaction.
     */
    void done(ComplianceRequest request, Map<String, Map<String, Long>> counts, double seconds, Instant at,
              Optional<ExportFile> export) {
        String countsJson = JSON.valueToTree(counts).toString();
        try (Connection connection = postgres.open()) {
            connection.setAutoCommit(false);
            try (PreparedStatement update = connection.prepareStatement("UPDATE compliance_requests SET "
                    + "status = 'DONE', attempts = attempts + 1, completed_at = ?, counts = ?::jsonb, last_error = NULL "
                    + "WHERE id = ? AND status = 'PENDING'")) {
                update.setTimestamp(1, Timestamp.from(at));
                update.setString(2, countsJson);
                update.setLong(3, request.id());
                update.executeUpdate();
            }
            try (PreparedStatement forget = connection.prepareStatement(
                    "DELETE FROM compliance_request_subjects WHERE request_id = ?")) {
                forget.setLong(1, request.id());
                forget.executeUpdate();
            }
            if (export.isPresent()) {
                try (PreparedStatement insert = connection.prepareStatement("INSERT INTO compliance_exports "
                        + "(shop_domain, request_id, customer_id, file_name, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?) "
                        + "ON CONFLICT (request_id) DO UPDATE SET file_name = EXCLUDED.file_name, "
                        + "bytes = EXCLUDED.bytes, created_at = EXCLUDED.created_at")) {
                    insert.setString(1, request.shop().domain());
                    insert.setLong(2, request.id());
                    insert.setObject(3, request.customerId().orElse(null));
                    insert.setString(4, export.get().fileName());
                    insert.setLong(5, export.get().bytes());
                    insert.setTimestamp(6, Timestamp.from(at));
                    insert.executeUpdate();
                }
            }
            if (request.topic().equals(ComplianceRequest.CUSTOMER_REDACT) && request.customerId().isPresent()) {
                // The customer's id leaves the finished requests too; the audit keeps only request ids and counts.
                try (PreparedStatement anonymise = connection.prepareStatement("UPDATE compliance_requests SET "
                        + "customer_id = NULL, order_ids = '{}' WHERE shop_domain = ? AND customer_id = ? "
                        + "AND (status <> 'PENDING' OR id = ?)")) {
                    anonymise.setString(1, request.shop().domain());
                    anonymise.setLong(2, request.customerId().get());
                    anonymise.setLong(3, request.id());
                    anonymise.executeUpdate();
                }
            }
            audit(connection, request, "DONE", countsJson, seconds, null, at);
            connection.commit();
        }
        catch (SQLException e) {
            throw new IllegalStateException("Cannot record " + request.describe() + " as done: " + e.getMessage(), e);
        }
    }

    /** Leaves the request PENDING with one more attempt and the reason (FAILED once out of attempts). */
    void attemptFailed(ComplianceRequest request, String reason, double seconds, Instant at) {
        try (Connection connection = postgres.open()) {
            connection.setAutoCommit(false);
            try (PreparedStatement update = connection.prepareStatement("UPDATE compliance_requests SET "
                    + "attempts = attempts + 1, last_error = ?, "
                    + "status = CASE WHEN attempts + 1 >= ? THEN 'FAILED' ELSE 'PENDING' END "
                    + "WHERE id = ? AND status = 'PENDING'")) {
                update.setString(1, reason);
                update.setInt(2, MAX_ATTEMPTS);
                update.setLong(3, request.id());
                update.executeUpdate();
            }
            audit(connection, request, "ATTEMPT_FAILED", "{}", seconds, reason, at);
            connection.commit();
        }
        catch (SQLException e) {
            throw new IllegalStateException("Cannot record the failure of " + request.describe() + ": "
                    + e.getMessage(), e);
        }
    }

    /** The export files of a customer (customers/redact) or of a whole shop (no customer): rows deleted, names returned. */
    List<String> forgetExports(ShopId shop, Optional<Long> customerId) {
        List<String> files = new ArrayList<>();
        String sql = "DELETE FROM compliance_exports WHERE shop_domain = ?"
                + (customerId.isPresent() ? " AND customer_id = ?" : "") + " RETURNING file_name";
        try (Connection connection = postgres.open();
             PreparedStatement delete = connection.prepareStatement(sql)) {
            delete.setString(1, shop.domain());
            if (customerId.isPresent()) {
                delete.setLong(2, customerId.get());
            }
            try (ResultSet rs = delete.executeQuery()) {
                while (rs.next()) {
                    files.add(rs.getString(1));
                }
            }
        }
        catch (SQLException e) {
            throw new IllegalStateException("Cannot delete export records: " + e.getMessage(), e);
        }
        return files;
    }

    /** Moves consumers' byte offsets into a rewritten landing file to the same line of the new file. */
    void moveWatermarks(ShopId shop, List<LandingStore.Rewritten> files) {
        try (Connection connection = postgres.open()) {
            connection.setAutoCommit(false);
            for (LandingStore.Rewritten file : files) {
                List<Object[]> moves = new ArrayList<>();
                try (PreparedStatement select = connection.prepareStatement("SELECT consumer, byte_offset FROM "
                        + "event_watermarks WHERE shop_domain = ? AND file = ?")) {
                    select.setString(1, shop.domain());
                    select.setString(2, file.relativePath().toString());
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            moves.add(new Object[] {rs.getString(1), file.offsets().applyAsLong(rs.getLong(2))});
                        }
                    }
                }
                for (Object[] move : moves) {
                    try (PreparedStatement update = connection.prepareStatement(file.deleted()
                            ? "DELETE FROM event_watermarks WHERE shop_domain = ? AND file = ? AND consumer = ?"
                            : "UPDATE event_watermarks SET byte_offset = ?, updated_at = now() "
                                    + "WHERE shop_domain = ? AND file = ? AND consumer = ?")) {
                        int i = 1;
                        if (!file.deleted()) {
                            update.setLong(i++, (Long) move[1]);
                        }
                        update.setString(i++, shop.domain());
                        update.setString(i++, file.relativePath().toString());
                        update.setString(i, (String) move[0]);
                        update.executeUpdate();
                    }
                }
            }
            connection.commit();
        }
        catch (SQLException e) {
            throw new IllegalStateException("Cannot move landing watermarks: " + e.getMessage(), e);
        }
    }

    private static void audit(Connection connection, ComplianceRequest request, String event, String counts,
                              double seconds, String detail, Instant at) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO compliance_audit "
                + "(request_id, shop_domain, topic, event, counts, seconds, detail, recorded_at) "
                + "VALUES (?, ?, ?, ?, ?::jsonb, ?, ?, ?)")) {
            insert.setLong(1, request.id());
            insert.setString(2, request.shop().domain());
            insert.setString(3, request.topic());
            insert.setString(4, event);
            insert.setString(5, counts);
            insert.setBigDecimal(6, java.math.BigDecimal.valueOf(Math.round(seconds * 1000) / 1000.0));
            insert.setString(7, detail);
            insert.setTimestamp(8, Timestamp.from(at));
            insert.executeUpdate();
        }
    }

    /** An export written for a data request: its name under the shop's export folder and its size. */
    record ExportFile(String fileName, long bytes) {
        ExportFile {
            requireNonNull(fileName, "fileName is null");
        }
    }
}
