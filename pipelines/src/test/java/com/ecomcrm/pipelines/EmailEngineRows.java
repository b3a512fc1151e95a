package com.ecomcrm.pipelines;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;

/** Templates, flows, sends and tracking events written to PostgreSQL as the email engine and the tracking routes do. */
final class EmailEngineRows {
    private EmailEngineRows() {
    }

    static long returningId(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql + " RETURNING id")) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    static long template(Connection c, String shop, String name) throws SQLException {
        return returningId(c, "INSERT INTO templates (shop_domain, name) VALUES (?, ?)", shop, name);
    }

    static long flow(Connection c, String shop, String kind, long template) throws SQLException {
        return returningId(c, "INSERT INTO flows (shop_domain, kind, enabled, template_id) VALUES (?, ?, true, ?)",
                shop, kind, template);
    }

    /** A send as the send job leaves it; flow null and test true for a template's test send. */
    static long send(Connection c, String shop, Long flow, Long template, long customer, String status,
                     String sentAt, boolean test) throws SQLException {
        String key = UUID.randomUUID().toString();
        Timestamp sent = sentAt == null ? null : Timestamp.from(Instant.parse(sentAt));
        return returningId(c, "INSERT INTO sends (shop_domain, flow_id, customer_id, email, trigger_key,"
                        + " idempotency_key, status, due_at, template_id, template_version, is_test, sent_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, now(), ?, 1, ?, ?)",
                shop, flow, customer, "customer" + customer + "@example.com", key, key, status, template, test,
                sent);
    }

    /** A tracking event as the tracking routes record it; {@code machineReason} null for a human. */
    static long event(Connection c, String shop, long send, String kind, String at, String machineReason)
            throws SQLException {
        return returningId(c, "INSERT INTO email_events (shop_domain, send_id, kind, occurred_at, event_id, ip,"
                        + " user_agent, machine, machine_reason) VALUES (?, ?, ?, ?, ?, '192.0.2.7'::inet,"
                        + " 'Mozilla/5.0', ?, ?)",
                shop, send, kind, Timestamp.from(Instant.parse(at)), "evt-" + UUID.randomUUID(),
                machineReason != null, machineReason);
    }
}
