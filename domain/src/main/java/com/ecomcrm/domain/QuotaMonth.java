package com.ecomcrm.domain;

import static java.util.Objects.requireNonNull;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * The plan quota's month at an instant: the calendar month in the shop's time zone (its {@code shops.timezone},
 * stripped; blank or unknown to Java is UTC). The one rule for the send job, which adds to and checks the month's
 * counter ({@code shop_monthly_sends.month}, V16), and for the usage the dashboard reports, so the two never disagree.
 *
 * @param zone  the shop's zone
 * @param month the month's first day: the key of the shop's counter
 * @param start the month's first instant
 * @param end   the next month's first instant (when sends held for quota resume)
 */
public record QuotaMonth(ZoneId zone, LocalDate month, ZonedDateTime start, ZonedDateTime end) {
    public QuotaMonth {
        requireNonNull(zone, "zone is null");
        requireNonNull(month, "month is null");
        requireNonNull(start, "start is null");
        requireNonNull(end, "end is null");
    }

    /** The quota month containing {@code now} for a shop whose {@code shops.timezone} is {@code timezone}. */
    public static QuotaMonth of(Optional<String> timezone, Instant now) {
        return of(zone(timezone.orElse(null)), now);
    }

    /** The quota month containing {@code now} in {@code zone}. */
    public static QuotaMonth of(ZoneId zone, Instant now) {
        ZonedDateTime start = now.atZone(zone).toLocalDate().withDayOfMonth(1).atStartOfDay(zone);
        return new QuotaMonth(zone, start.toLocalDate(), start, start.plusMonths(1));
    }

    /** The zone a shop's {@code shops.timezone} stands for: stripped; null, blank or unknown to Java is UTC. */
    public static ZoneId zone(String timezone) {
        return knownZone(timezone).orElse(ZoneOffset.UTC);
    }

    /** The zone named by {@code timezone} (stripped), empty when it is null, blank or unknown to Java. */
    public static Optional<ZoneId> knownZone(String timezone) {
        if (timezone == null || timezone.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ZoneId.of(timezone.strip()));
        }
        catch (DateTimeException e) {
            return Optional.empty();
        }
    }
}
