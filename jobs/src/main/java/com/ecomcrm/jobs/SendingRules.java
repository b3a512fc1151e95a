package com.ecomcrm.jobs;

import static java.util.Objects.requireNonNull;

import com.ecomcrm.domain.QuotaMonth;
import com.ecomcrm.domain.ShopId;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The per-shop sending rules the send job applies to every non-test send (migration V6): the monthly plan quota, the
 * frequency cap and quiet hours. The time arithmetic is here as static functions, so it can be tested on its own.
 */
public final class SendingRules {
    private static final Logger LOG = LoggerFactory.getLogger(SendingRules.class);

    /** The defaults a shop without a {@code shop_email_settings} row gets (the table's column defaults). */
    public static final int DEFAULT_CAP_COUNT = 1;
    public static final Duration DEFAULT_CAP_WINDOW = Duration.ofHours(24);
    public static final Set<String> DEFAULT_CAP_EXEMPT = Set.of(FlowKind.POST_PURCHASE_THANK_YOU.key());
    public static final LocalTime DEFAULT_QUIET_START = LocalTime.of(21, 0);
    public static final LocalTime DEFAULT_QUIET_END = LocalTime.of(8, 0);

    /** One shop's rules, read once per send batch. */
    public record ShopRules(ZoneId zone, String plan, long monthlyEmails, int capCount, Duration capWindow,
                            Set<String> capExemptFlows, boolean quietHours, LocalTime quietStart,
                            LocalTime quietEnd) {
        public boolean capExempt(String flowKind) {
            return capCount == 0 || capExemptFlows.contains(flowKind);
        }
    }

    private final JdbcTemplate jdbc;

    public SendingRules(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(requireNonNull(dataSource, "dataSource is null"));
    }

    /** The shop's rules; a shop without a {@code shops} row is on 'free' in UTC, an unknown plan counts as 'free'. */
    public ShopRules load(ShopId shop) {
        List<Map<String, Object>> shopRow = jdbc.queryForList("SELECT s.plan, s.timezone, l.monthly_emails, "
                + "(SELECT monthly_emails FROM plan_limits WHERE plan = 'free') AS free_emails FROM shops s "
                + "LEFT JOIN plan_limits l ON l.plan = s.plan WHERE s.shop_domain = ?", shop.domain());
        String plan = "free";
        ZoneId zone = ZoneOffset.UTC;
        Long monthly = null;
        if (!shopRow.isEmpty()) {
            Map<String, Object> r = shopRow.get(0);
            plan = (String) r.get("plan");
            zone = zone(shop, (String) r.get("timezone"));
            Object m = r.get("monthly_emails") != null ? r.get("monthly_emails") : r.get("free_emails");
            monthly = m == null ? null : ((Number) m).longValue();
        }
        if (monthly == null) {
            monthly = jdbc.queryForList("SELECT monthly_emails FROM plan_limits WHERE plan = 'free'", Long.class)
                    .stream().findFirst().orElse(0L);
        }
        final ZoneId z = zone;
        final String p = plan;
        final long limit = monthly;
        return jdbc.query("SELECT frequency_cap_count, frequency_cap_hours, "
                        + "array_to_string(cap_exempt_flows, ',') AS exempt, quiet_hours_enabled, "
                        + "quiet_start::text AS quiet_start, quiet_end::text AS quiet_end "
                        + "FROM shop_email_settings WHERE shop_domain = ?",
                (rs, i) -> new ShopRules(z, p, limit, rs.getInt(1), Duration.ofHours(rs.getInt(2)),
                        exempt(rs.getString(3)), rs.getBoolean(4), LocalTime.parse(rs.getString(5)),
                        LocalTime.parse(rs.getString(6))), shop.domain())
                .stream().findFirst()
                .orElseGet(() -> new ShopRules(z, p, limit, DEFAULT_CAP_COUNT, DEFAULT_CAP_WINDOW,
                        DEFAULT_CAP_EXEMPT, true, DEFAULT_QUIET_START, DEFAULT_QUIET_END));
    }

    private static Set<String> exempt(String csv) {
        if (csv == null || csv.isEmpty()) {
            return Set.of();
        }
        return Set.copyOf(Arrays.asList(csv.split(",")));
    }

    private static ZoneId zone(ShopId shop, String timezone) {
        ZoneId zone = QuotaMonth.zone(timezone);
        if (timezone != null && !timezone.isBlank() && QuotaMonth.knownZone(timezone).isEmpty()) {
            LOG.warn("Shop {} has time zone '{}', which Java does not know; using UTC", shop, timezone);
        }
        return zone;
    }

    // ---------------------------------------------------------------------------------------------- quiet hours

    /**
     * When {@code t} falls inside the quiet hours [start, end) in {@code zone}, the instant they end; empty when
     * {@code t} is outside them (or start equals end: no quiet hours). Overnight when start is after end (21:00 to
     * 08:00 ends at 08:00 the next local day when t is after 21:00, the same day when before 08:00).
     *
     * <p>DST: the end is the instant the local clock shows {@code end} on that day, with the zone's offset of that
     * day (08:00 in New York is 12:00Z in summer, 13:00Z in winter). If {@code end} does not exist that day (skipped
     * by a spring-forward gap), quiet hours end at the transition, the first instant after the gap; if it exists
     * twice (fall-back overlap), they end at its first occurrence.
     */
    public static Optional<Instant> quietUntil(Instant t, ZoneId zone, LocalTime start, LocalTime end) {
        if (start.equals(end)) {
            return Optional.empty();
        }
        LocalDateTime local = LocalDateTime.ofInstant(t, zone);
        LocalTime time = local.toLocalTime();
        LocalDate endDay;
        if (start.isAfter(end)) { // overnight
            if (!time.isBefore(start)) {
                endDay = local.toLocalDate().plusDays(1);
            }
            else if (time.isBefore(end)) {
                endDay = local.toLocalDate();
            }
            else {
                return Optional.empty();
            }
        }
        else if (!time.isBefore(start) && time.isBefore(end)) {
            endDay = local.toLocalDate();
        }
        else {
            return Optional.empty();
        }
        Instant until = instantOf(endDay.atTime(end), zone);
        return until.isAfter(t) ? Optional.of(until) : Optional.empty();
    }

    /** The instant of a local date-time: the transition instant inside a gap, the earlier offset in an overlap. */
    static Instant instantOf(LocalDateTime local, ZoneId zone) {
        ZoneOffsetTransition transition = zone.getRules().getTransition(local);
        if (transition != null && transition.isGap()) {
            return transition.getInstant();
        }
        return ZonedDateTime.ofLocal(local, zone, null).toInstant(); // overlap: earlier offset
    }

    // ---------------------------------------------------------------------------------------------- quota

    /** The first instant of the calendar month that contains {@code t}, in {@code zone}. */
    public static Instant startOfMonth(Instant t, ZoneId zone) {
        return QuotaMonth.of(zone, t).start().toInstant();
    }

    /** The first instant of the next calendar month, in {@code zone}. */
    public static Instant startOfNextMonth(Instant t, ZoneId zone) {
        return QuotaMonth.of(zone, t).end().toInstant();
    }

    /**
     * The key of the quota month that contains {@code t} in {@code zone}: its first day (the {@code month} of the
     * shop's {@code shop_monthly_sends} counter, V16).
     */
    public static LocalDate quotaMonth(Instant t, ZoneId zone) {
        return QuotaMonth.of(zone, t).month();
    }

    /**
     * Emails of the shop that count against this month's quota at {@code now}: non-test sends SENT in the month (shop
     * time zone: the shop's monthly counter, which the send job adds to as it marks sends SENT), plus those other
     * workers are sending right now with a smaller id than {@code beforeSendId} (so of two sends racing for the last
     * unit of quota exactly one goes; 0 = none), plus those held this month with an unknown outcome
     * ({@link #HELD_UNKNOWN_THIS_MONTH}).
     */
    public long monthlyUsage(ShopId shop, ShopRules rules, Instant now, long beforeSendId) {
        Long n = jdbc.queryForObject("SELECT coalesce((SELECT sent FROM shop_monthly_sends WHERE shop_domain = ? "
                + "AND month = ?), 0) + (SELECT count(*) FROM sends WHERE shop_domain = ? AND status = 'SENDING' "
                + "AND NOT is_test AND id < ?) + (" + HELD_UNKNOWN_THIS_MONTH + ")", Long.class, shop.domain(),
                java.sql.Date.valueOf(quotaMonth(now, rules.zone())), shop.domain(), beforeSendId, shop.domain(),
                Timestamp.from(startOfMonth(now, rules.zone())));
        return n == null ? 0 : n;
    }

    /**
     * The shop's non-test sends held this month (by when they were held) because their outcome is unknown: the SMTP
     * conversation broke mid-message, or the worker died between delivery and its SENT mark. They may have gone out,
     * so they use quota (never over-send beats never under-send); if the worker was only slow and marks one SENT
     * after all, it moves to the counter and leaves this count. Parameters: shop domain, the month's first instant.
     */
    static final String HELD_UNKNOWN_THIS_MONTH = "SELECT count(*) FROM sends WHERE shop_domain = ? AND status = 'HELD' "
            + "AND skip_reason IN ('lease_expired_outcome_unknown', 'smtp_outcome_unknown') AND NOT is_test "
            + "AND updated_at >= ?";

    /**
     * Release step of the quota: for every shop with sends HELD for {@code quota}, puts back to SCHEDULED (oldest due
     * first) as many as the shop's quota allows now (a new month, or an upgrade). Returns how many were released.
     */
    public int releaseQuotaHolds(Instant now) {
        int released = 0;
        for (String domain : jdbc.queryForList("SELECT DISTINCT shop_domain FROM sends WHERE status = 'HELD' "
                + "AND skip_reason = 'quota'", String.class)) {
            ShopId shop = ShopId.of(domain);
            ShopRules rules = load(shop);
            long room = rules.monthlyEmails() - monthlyUsage(shop, rules, now, Long.MAX_VALUE);
            if (room <= 0) {
                continue;
            }
            released += jdbc.update("UPDATE sends SET status = 'SCHEDULED', skip_reason = NULL, claimed_by = NULL, "
                    + "claimed_until = NULL, updated_at = now() WHERE id IN (SELECT id FROM sends "
                    + "WHERE shop_domain = ? AND status = 'HELD' AND skip_reason = 'quota' ORDER BY due_at, id "
                    + "LIMIT ? FOR UPDATE SKIP LOCKED)", domain, room);
        }
        if (released > 0) {
            LOG.info("{} sends held for quota were released", released);
        }
        return released;
    }

    // ---------------------------------------------------------------------------------------------- frequency cap

    /**
     * The earliest instant at or after {@code at} when the recipient may receive one more capped email: within any
     * rolling window at most {@code capCount} non-test, non-exempt emails SENT to the address (or customer). Sends
     * other workers are sending right now with a smaller id count as sent at {@code at}.
     */
    public Instant capAllows(ShopId shop, ShopRules rules, String email, Long customerId, long sendId, Instant at) {
        String exempt = String.join(",", rules.capExemptFlows());
        Instant windowStart = at.minus(rules.capWindow());
        List<Instant> times = new ArrayList<>(jdbc.query("SELECT s.sent_at FROM sends s JOIN flows f "
                + "ON f.shop_domain = s.shop_domain AND f.id = s.flow_id WHERE s.shop_domain = ? "
                + "AND (s.email = ? OR (s.customer_id IS NOT NULL AND s.customer_id = ?)) AND s.status = 'SENT' "
                + "AND NOT s.is_test AND s.sent_at > ? AND s.id <> ? "
                + "AND NOT (f.kind = ANY (string_to_array(?, ',')))",
                (rs, i) -> rs.getTimestamp(1).toInstant(), shop.domain(), email, customerId,
                Timestamp.from(windowStart), sendId, exempt));
        Long racing = jdbc.queryForObject("SELECT count(*) FROM sends s JOIN flows f "
                + "ON f.shop_domain = s.shop_domain AND f.id = s.flow_id WHERE s.shop_domain = ? "
                + "AND (s.email = ? OR (s.customer_id IS NOT NULL AND s.customer_id = ?)) AND s.status = 'SENDING' "
                + "AND NOT s.is_test AND s.id < ? AND NOT (f.kind = ANY (string_to_array(?, ',')))", Long.class,
                shop.domain(), email, customerId, sendId, exempt);
        return capAllows(rules, times, racing == null ? 0 : racing, at);
    }

    /**
     * The cap rule on counts already read: {@code sentTimes} are when the recipient's capped emails went out (those
     * before {@code at} minus the window are ignored), {@code racing} how many are being sent right now with a smaller
     * id (they count as sent at {@code at}).
     */
    public static Instant capAllows(ShopRules rules, List<Instant> sentTimes, long racing, Instant at) {
        Instant windowStart = at.minus(rules.capWindow());
        List<Instant> times = new ArrayList<>();
        for (Instant t : sentTimes) {
            if (t.isAfter(windowStart)) {
                times.add(t);
            }
        }
        for (long i = 0; i < racing; i++) {
            times.add(at);
        }
        if (times.size() < rules.capCount()) {
            return at;
        }
        times.sort(null);
        Instant allowed = times.get(times.size() - rules.capCount()).plus(rules.capWindow());
        return allowed.isAfter(at) ? allowed : at;
    }
}
