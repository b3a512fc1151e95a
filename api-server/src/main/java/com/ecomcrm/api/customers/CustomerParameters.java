package com.ecomcrm.api.customers;

import com.ecomcrm.api.http.ParameterException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.Segment;
import io.vertx.core.MultiMap;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Reads the customer-list query parameters. Every value is checked against a closed set or a strict pattern before
 * anything is queried; a bad one is a 400 ({@link ParameterException}) naming the parameter. An empty value
 * ({@code segment=}) means the parameter is absent; a parameter given twice is refused.
 */
final class CustomerParameters {
    static final int DEFAULT_PAGE_SIZE = 50;
    static final int MAX_PAGE_SIZE = 200;
    static final int DEFAULT_ORDER_PAGE_SIZE = 20;
    static final int MAX_ORDER_PAGE_SIZE = 100;
    /** Keeps offsets (page x page_size) far from overflow; no dashboard pages this deep. */
    static final int MAX_PAGE = 1_000_000;
    static final List<String> CHURN_RISKS = List.of("LOW", "MEDIUM", "HIGH");
    static final List<String> NAMES = List.of("segment", "churn_risk", "clv_min", "clv_max", "q", "sort", "order",
            "page", "page_size");

    /** Up to 13 integer digits (cents fit a signed 64-bit easily) and at most 2 decimals; no sign, no exponent. */
    private static final Pattern MONEY = Pattern.compile("[0-9]{1,13}(\\.[0-9]{1,2})?");
    /** Shopify ids are positive 64-bit numbers: at most 19 digits. */
    private static final Pattern ID_DIGITS = Pattern.compile("[0-9]{1,19}");
    private static final Pattern SMALL_NUMBER = Pattern.compile("[0-9]{1,9}");

    private CustomerParameters() {
    }

    static CustomerQuery parse(MultiMap params) {
        for (String name : NAMES) {
            if (params.getAll(name).size() > 1) {
                throw invalid(name, "Cannot read parameter '" + name + "': given more than once");
            }
        }
        Optional<Segment> segment = value(params, "segment").map(CustomerParameters::segment);
        Optional<String> churnRisk = value(params, "churn_risk").map(CustomerParameters::churnRisk);
        OptionalLong clvMin = cents(params, "clv_min");
        OptionalLong clvMax = cents(params, "clv_max");
        if (clvMin.isPresent() && clvMax.isPresent() && clvMin.getAsLong() > clvMax.getAsLong()) {
            throw invalid("clv_min", "Cannot filter customers: clv_min must not be greater than clv_max");
        }
        // Search is by customer id only: names and emails are not in ClickHouse (the serving tables hold ids and
        // computed metrics, no personal data), so q is digits, matched as a prefix of the id.
        Optional<String> idPrefix = value(params, "q").map(q -> {
            String trimmed = q.strip();
            if (!ID_DIGITS.matcher(trimmed).matches()) {
                throw invalid("q", "Cannot search customers by '" + printable(q) + "': q must be a customer id or"
                        + " the first digits of one (1 to 19 digits); names and emails are not searchable here");
            }
            return trimmed;
        });
        CustomerSort sort = value(params, "sort").map(s -> CustomerSort.fromParameter(s).orElseThrow(
                () -> invalid("sort", "Cannot sort customers by '" + printable(s) + "': sort must be one of "
                        + CustomerSort.allowed()))).orElse(CustomerSort.MONETARY);
        boolean descending = value(params, "order").map(o -> switch (o.toLowerCase(Locale.ROOT)) {
            case "asc" -> false;
            case "desc" -> true;
            default -> throw invalid("order", "Cannot read parameter 'order': '" + printable(o)
                    + "' must be asc or desc");
        }).orElse(true);
        int page = number(params, "page", 1, MAX_PAGE, 1);
        int pageSize = number(params, "page_size", 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE);
        return new CustomerQuery(segment, churnRisk, clvMin, clvMax, idPrefix, sort, descending, page, pageSize);
    }

    /** {@code page} (from 1) and {@code page_size} (1..{@value #MAX_ORDER_PAGE_SIZE}) of a customer's orders. */
    static OrderPage orderPage(MultiMap params) {
        for (String name : List.of("page", "page_size")) {
            if (params.getAll(name).size() > 1) {
                throw invalid(name, "Cannot read parameter '" + name + "': given more than once");
            }
        }
        return new OrderPage(number(params, "page", 1, MAX_PAGE, 1),
                number(params, "page_size", 1, MAX_ORDER_PAGE_SIZE, DEFAULT_ORDER_PAGE_SIZE));
    }

    /** The customer id of {@code /api/customers/:id}: 1 to 19 digits, positive, within a signed 64-bit number. */
    static long customerId(String value) {
        if (value != null && ID_DIGITS.matcher(value).matches()) {
            try {
                long id = Long.parseLong(value);
                if (id > 0) {
                    return id;
                }
            }
            catch (NumberFormatException e) {
                // falls through to the 400
            }
        }
        throw invalid("id", "Cannot read customer id '" + printable(value == null ? "" : value)
                + "': it must be a positive whole number (the customer's Shopify id)");
    }

    private static Optional<String> value(MultiMap params, String name) {
        String value = params.get(name);
        return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    private static Segment segment(String value) {
        return Arrays.stream(Segment.values()).filter(s -> s.key().equals(value.toUpperCase(Locale.ROOT)))
                .findFirst().orElseThrow(() -> invalid("segment", "Cannot filter by segment '" + printable(value)
                        + "': segment must be one of " + String.join(", ",
                        Arrays.stream(Segment.values()).map(Segment::key).toList())));
    }

    private static String churnRisk(String value) {
        String upper = value.toUpperCase(Locale.ROOT);
        if (!CHURN_RISKS.contains(upper)) {
            throw invalid("churn_risk", "Cannot filter by churn_risk '" + printable(value)
                    + "': churn_risk must be one of " + String.join(", ", CHURN_RISKS));
        }
        return upper;
    }

    private static OptionalLong cents(MultiMap params, String name) {
        Optional<String> value = value(params, name);
        if (value.isEmpty()) {
            return OptionalLong.empty();
        }
        if (!MONEY.matcher(value.get()).matches()) {
            throw invalid(name, "Cannot read parameter '" + name + "': '" + printable(value.get())
                    + "' is not an amount such as 150 or 149.99 (no sign, at most 2 decimals)");
        }
        return OptionalLong.of(new BigDecimal(value.get()).movePointRight(2).longValueExact());
    }

    private static int number(MultiMap params, String name, int min, int max, int absent) {
        Optional<String> value = value(params, name);
        if (value.isEmpty()) {
            return absent;
        }
        if (SMALL_NUMBER.matcher(value.get()).matches()) {
            int n = Integer.parseInt(value.get());
            if (n >= min && n <= max) {
                return n;
            }
        }
        throw invalid(name, "Cannot read parameter '" + name + "': '" + printable(value.get())
                + "' must be a whole number from " + min + " to " + max);
    }

    private static ParameterException invalid(String name, String message) {
        return new ParameterException(ErrorCode.INVALID_INPUT, name, message);
    }

    static String printable(String value) {
        String cut = value.length() > 40 ? value.substring(0, 40) + "..." : value;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
