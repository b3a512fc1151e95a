package com.ecomcrm.api.analytics;

import com.ecomcrm.api.http.ParameterException;
import com.ecomcrm.domain.ErrorCode;
import io.vertx.ext.web.RoutingContext;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/** Query parameters holding a {@code YYYY-MM-DD} date, refused with a 400 that names the parameter. */
final class DateParameters {
    private static final int LISTED = 30;

    private DateParameters() {
    }

    /** The parameter's date, or empty when the parameter is absent. */
    static Optional<LocalDate> optional(RoutingContext ctx, String name) {
        return parse(name, ctx.request().getParam(name));
    }

    static Optional<LocalDate> parse(String name, String value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDate.parse(value, DateTimeFormatter.ISO_LOCAL_DATE));
        }
        catch (DateTimeParseException e) {
            throw new ParameterException(ErrorCode.INVALID_INPUT, name, "Cannot read parameter '" + name + "': '"
                    + printable(value) + "' is not a date in the form YYYY-MM-DD");
        }
    }

    /** "2026-11-27, 2026-11-28", or the count, range and latest ones when there are many; "none yet" when empty. */
    static String describe(List<LocalDate> dates) {
        if (dates.isEmpty()) {
            return "none yet";
        }
        if (dates.size() <= LISTED) {
            return String.join(", ", dates.stream().map(LocalDate::toString).toList());
        }
        return dates.size() + " dates from " + dates.get(0) + " to " + dates.get(dates.size() - 1) + "; the latest "
                + LISTED + ": " + String.join(", ", dates.subList(dates.size() - LISTED, dates.size()).stream()
                .map(LocalDate::toString).toList());
    }

    private static String printable(String value) {
        String cut = value.length() > 40 ? value.substring(0, 40) + "..." : value;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
