package com.ecomcrm.landing;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;

/**
 * {@link Instant#parse} and {@code OffsetDateTime.parse(text).toInstant()} with the same results, fast for the
 * shapes the landing zone is full of: {@code 2025-12-31T23:59:59Z}, {@code 2025-12-31T23:59:59.123456789Z} and
 * {@code 2025-12-31T18:59:59-05:00}. The JDK's parsers cost several microseconds each ({@code Instant.parse} even
 * builds a formatter on every call), which made timestamps more than half of the ingest's parsing CPU at 10M orders.
 * Anything else (no seconds, a leap second, an extended year, an invalid date, garbage) goes to the JDK's own
 * parser, so what is accepted, what is rejected and the exception thrown stay exactly the JDK's.
 */
public final class IsoTimestamps {
    private IsoTimestamps() {
    }

    /** As {@link Instant#parse}: an ISO-8601 instant in UTC. */
    public static Instant instant(String text) {
        Instant fast = text.endsWith("Z") ? fast(text, false) : null;
        return fast != null ? fast : Instant.parse(text);
    }

    /** As {@code OffsetDateTime.parse(text).toInstant()}: an ISO-8601 date-time with an offset ({@code Z} too). */
    public static Instant offsetDateTime(String text) {
        Instant fast = fast(text, true);
        return fast != null ? fast : OffsetDateTime.parse(text).toInstant();
    }

    /** {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|+HH:MM|-HH:MM)}, or null when the text has any other shape. */
    private static Instant fast(String s, boolean offsets) {
        int n = s.length();
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
                || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0
                || second > 59) {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (i < n && s.charAt(i) == '.') {
            int start = ++i;
            while (i < n && i - start < 10 && isDigit(s.charAt(i))) {
                nanos = nanos * 10 + (s.charAt(i) - '0');
                i++;
            }
            int count = i - start;
            if (count == 0 || count > 9) {
                return null;
            }
            for (int k = count; k < 9; k++) {
                nanos *= 10;
            }
        }
        int offsetSeconds;
        if (i == n - 1 && s.charAt(i) == 'Z') {
            offsetSeconds = 0;
        }
        else if (offsets && i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
            int oh = digits(s, i + 1, 2);
            int om = digits(s, i + 4, 2);
            if (oh < 0 || oh > 18 || om < 0 || om > 59 || (oh == 18 && om > 0)) {
                return null;
            }
            offsetSeconds = (s.charAt(i) == '-' ? -1 : 1) * (oh * 3600 + om * 60);
        }
        else {
            return null;
        }
        long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay(); // rejects 2025-02-30 and friends
        }
        catch (DateTimeException e) {
            return null; // the JDK's parser throws its own exception for it
        }
        long epochSecond = epochDay * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
        return Instant.ofEpochSecond(epochSecond, nanos);
    }

    /** The non-negative number written by {@code count} ASCII digits at {@code from}, or -1. */
    private static int digits(String s, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
