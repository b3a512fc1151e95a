package com.ecomcrm.landing;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A line that was not landed, and why: the merchant's data is never silently dropped, it is reported with the line
 * number and the field at fault so that it can be fixed and re-sent.
 *
 * @param line 1-based line number in the input
 * @param field the JSON field at fault, when one is
 */
public record LandingReject(long line, Optional<String> field, String reason) {
    public LandingReject {
        requireNonNull(field, "field is null");
        requireNonNull(reason, "reason is null");
    }

    public String describe() {
        return "line " + line + field.map(f -> ", field '" + f + "'").orElse("") + ": " + reason;
    }
}
