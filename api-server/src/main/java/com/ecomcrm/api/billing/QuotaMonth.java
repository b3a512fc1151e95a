package com.ecomcrm.api.billing;

import static java.util.Objects.requireNonNull;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * The plan quota's month at an instant: the calendar month in the shop's time zone, read as the send job reads it
 * (jobs {@code SendingRules}: the zone stripped, blank or unknown is UTC), so the month the dashboard reports is the
 * month whose counter ({@code shop_monthly_sends.month}, V16) the send job adds to and checks.
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
        ZoneId zone = zone(timezone);
        ZonedDateTime start = now.atZone(zone).toLocalDate().withDayOfMonth(1).atStartOfDay(zone);
        return new QuotaMonth(zone, start.toLocalDate(), start, start.plusMonths(1));
    }

    private static ZoneId zone(Optional<String> timezone) {
        try {
            return timezone.map(String::strip).filter(z -> !z.isEmpty()).<ZoneId>map(ZoneId::of)
                    .orElse(ZoneOffset.UTC);
        }
        catch (DateTimeException e) {
            return ZoneOffset.UTC;
        }
    }
}
