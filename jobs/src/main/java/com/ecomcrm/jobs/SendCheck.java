package com.ecomcrm.jobs;

import static java.util.Objects.requireNonNull;

import com.ecomcrm.domain.ShopId;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * What one claimed send is checked against just before it goes, read in ONE statement (one round trip) so that a
 * change made a moment ago still counts: the app uninstalled, the flow switched off, the address suppressed, the
 * customer's consent, and for the sending rules the shop's monthly usage and the recipient's recent emails (the same
 * counts as {@link SendingRules#monthlyUsage} and {@link SendingRules#capAllows}).
 *
 * <p>The SENT marks of the emails the worker delivered since the previous check ride in the same round trip, ahead
 * of the check ({@link SentMarks}): one implicit transaction, so the check already counts them.
 *
 * @param uninstalled {@code app/uninstalled} received for the shop
 * @param flowFound the send's flow exists in its shop
 * @param flowEnabled the flow is on
 * @param flowKind the flow's kind key, null without a flow
 * @param templateId the flow's template, null when none is linked
 * @param flowSettings the flow's settings JSON, null without a flow
 * @param suppression the suppression reason of the address, null when not suppressed
 * @param consent the customer's marketing consent state (by customer id, else the newest by address), null if none
 * @param monthlyUsage non-test sends SENT this month (shop time zone; the shop's {@code shop_monthly_sends} counter,
 *                     so the check costs the same whatever the month's volume) plus those being sent with a smaller id,
 *                     plus those held this month because they may or may not have gone out
 * @param recentSent when the recipient's capped (non-test, non-exempt) emails of the cap window went out
 * @param racing the recipient's capped sends being sent right now with a smaller id
 */
record SendCheck(boolean uninstalled, boolean flowFound, boolean flowEnabled, String flowKind, Long templateId,
                 String flowSettings, String suppression, String consent, long monthlyUsage, List<Instant> recentSent,
                 long racing) {
    SendCheck {
        recentSent = List.copyOf(recentSent);
    }

    private static final String CHECK = "SELECT "
            + "(SELECT uninstalled_at IS NOT NULL FROM shops WHERE shop_domain = ?), "
            + "f.id IS NOT NULL, coalesce(f.enabled, false), f.kind, f.template_id, f.settings::text, "
            + "(SELECT reason FROM suppressions WHERE shop_domain = ? AND email = ?), "
            + "coalesce((SELECT marketing_state FROM consent WHERE shop_domain = ? AND customer_id = ?), "
            + "(SELECT marketing_state FROM consent WHERE shop_domain = ? AND email = ? ORDER BY updated_at DESC "
            + "LIMIT 1)), "
            // The plan quota (SendingRules.monthlyUsage): the counter, the sends in flight (below), the held ones.
            + "coalesce((SELECT sent FROM shop_monthly_sends WHERE shop_domain = ? AND month = ?), 0) "
            + "+ in_flight.sending + (" + SendingRules.HELD_UNKNOWN_THIS_MONTH + "), "
            // The frequency cap (SendingRules.capAllows): the recipient's emails since the window start...
            + "ARRAY(SELECT s.sent_at FROM sends s JOIN flows sf ON sf.shop_domain = s.shop_domain "
            + "AND sf.id = s.flow_id WHERE s.shop_domain = ? AND (s.email = ? OR (s.customer_id IS NOT NULL "
            + "AND s.customer_id = ?)) AND s.status = 'SENT' AND NOT s.is_test AND s.sent_at > ? AND s.id <> ? "
            + "AND NOT (sf.kind = ANY (?::text[]))), "
            // ...and those other workers are sending right now with a smaller id (in_flight.racing).
            + "in_flight.racing "
            + "FROM (SELECT 1) one LEFT JOIN flows f ON f.shop_domain = ? AND f.id = ? "
            // One pass over the shop's sends in flight with a smaller id serves both the quota and the cap. Why: as
            // two subqueries, the cap's (recipient by address or customer id, no index on an address being sent)
            // was planned as a scan of every in-flight send of each of the shop's flows, about half of the check's
            // buffer reads (EXPLAIN, 2,400 sends in flight over 10 shops: 522 buffers, 267 of them that scan).
            + "CROSS JOIN (SELECT count(*) AS sending, count(*) FILTER (WHERE (s.email = ? "
            + "OR (s.customer_id IS NOT NULL AND s.customer_id = ?)) AND EXISTS (SELECT 1 FROM flows sf "
            + "WHERE sf.shop_domain = s.shop_domain AND sf.id = s.flow_id AND NOT (sf.kind = ANY (?::text[])))) "
            + "AS racing FROM sends s WHERE s.shop_domain = ? AND s.status = 'SENDING' AND NOT s.is_test "
            + "AND s.id < ?) in_flight";

    /**
     * The facts about one send that the quota and cap need besides the row itself: {@code month} is the first day of
     * the quota month in the shop's time zone (the key of its {@code shop_monthly_sends} counter), {@code monthStart}
     * its first instant.
     */
    record Window(LocalDate month, Instant monthStart, Instant capWindowStart, String[] capExemptFlows) {
        Window {
            requireNonNull(month, "month is null");
            requireNonNull(monthStart, "monthStart is null");
            requireNonNull(capWindowStart, "capWindowStart is null");
            requireNonNull(capExemptFlows, "capExemptFlows is null");
        }
    }

    /**
     * Records {@code marks} (if any) and checks the send, in one round trip on {@code connection} (auto-commit: the
     * two statements form one implicit transaction, so the marks are visible to the check and commit with it).
     */
    static SendCheck read(Connection connection, SentMarks marks, ShopId shop, Long flowId, Long customerId,
                          String email, long sendId, Window window) throws SQLException {
        boolean marking = !marks.isEmpty();
        String sql = marking ? SentMarks.ASYNC_COMMIT + ";\n" + SentMarks.MARK + ";\n" + CHECK : CHECK;
        try (PreparedStatement p = connection.prepareStatement(sql)) {
            int i = marking ? marks.bind(connection, p) : 0;
            String domain = shop.domain();
            p.setString(++i, domain);
            p.setString(++i, domain);
            p.setString(++i, email);
            p.setString(++i, domain);
            setLong(p, ++i, customerId);
            p.setString(++i, domain);
            p.setString(++i, email);
            p.setString(++i, domain);
            p.setDate(++i, java.sql.Date.valueOf(window.month()));
            p.setString(++i, domain);
            p.setTimestamp(++i, Timestamp.from(window.monthStart()));
            Array exempt = connection.createArrayOf("text", window.capExemptFlows());
            p.setString(++i, domain);
            p.setString(++i, email);
            setLong(p, ++i, customerId);
            p.setTimestamp(++i, Timestamp.from(window.capWindowStart()));
            p.setLong(++i, sendId);
            p.setArray(++i, exempt);
            p.setString(++i, domain);
            setLong(p, ++i, flowId);
            p.setString(++i, email);
            setLong(p, ++i, customerId);
            p.setArray(++i, exempt);
            p.setString(++i, domain);
            p.setLong(++i, sendId);
            boolean isResultSet = p.execute();
            if (marking) {
                if (!isResultSet) {
                    throw new IllegalStateException("Setting the commit mode returned nothing");
                }
                isResultSet = p.getMoreResults();
                if (!isResultSet) {
                    throw new IllegalStateException("Marking SENT returned no count");
                }
                try (ResultSet marked = p.getResultSet()) {
                    marked.next();
                    marks.recorded(marked.getInt(1));
                }
                isResultSet = p.getMoreResults();
            }
            if (!isResultSet) {
                throw new IllegalStateException("The send check returned no row");
            }
            try (ResultSet rs = p.getResultSet()) {
                rs.next();
                boolean uninstalled = rs.getBoolean(1); // no shops row: false
                List<Instant> recent = new ArrayList<>();
                Array times = rs.getArray(10);
                if (times != null) {
                    for (Object t : (Object[]) times.getArray()) {
                        recent.add(((Timestamp) t).toInstant());
                    }
                }
                long template = rs.getLong(5);
                Long templateId = rs.wasNull() ? null : template;
                return new SendCheck(uninstalled, rs.getBoolean(2), rs.getBoolean(3), rs.getString(4), templateId,
                        rs.getString(6), rs.getString(7), rs.getString(8), rs.getLong(9), recent, rs.getLong(11));
            }
        }
    }

    private static void setLong(PreparedStatement p, int index, Long value) throws SQLException {
        if (value == null) {
            p.setNull(index, java.sql.Types.BIGINT);
        }
        else {
            p.setLong(index, value);
        }
    }
}
