package com.ecomcrm.clickhouse;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;

import java.time.LocalDate;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The one place values become SQL text. ClickHouse 18.16 (our test server) has no server-side query parameters, so
 * every value is rendered here on the client; nothing else in the code base may concatenate a value into SQL.
 *
 * <p>The output uses only escapes that ClickHouse 18.16 and current releases both read the same way
 * ({@code \\ \' \n \r \t \0 \xHH}), and never emits a raw control character, so a literal can't be cut short by a
 * quote, a backslash, a NUL or a line break, whatever the input.
 */
public final class SqlLiterals {
    private static final Pattern IDENTIFIER = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]*$");
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private SqlLiterals() {
    }

    /** A quoted string literal: {@code O'Brien} becomes {@code 'O\'Brien'}. */
    public static String string(String value) {
        requireNonNull(value, "value is null");
        StringBuilder out = new StringBuilder(value.length() + 8).append('\'');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\'' -> out.append("\\'");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\0' -> out.append("\\0");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                    } else if (Character.isSurrogate(c)) {
                        // A lone surrogate has no UTF-8 form: the HTTP body would carry '?' and the value stored
                        // would silently differ from the one asked for. Refuse instead.
                        if (Character.isHighSurrogate(c) && i + 1 < value.length()
                                && Character.isLowSurrogate(value.charAt(i + 1))) {
                            out.append(c).append(value.charAt(++i));
                        } else {
                            throw new DomainException(ErrorCode.INVALID_INPUT,
                                    "Cannot use string as a SQL literal: unpaired UTF-16 surrogate at index " + i);
                        }
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('\'').toString();
    }

    /**
     * A table or column name, checked rather than escaped: names come from code, and anything outside
     * {@code [A-Za-z_][A-Za-z0-9_]*} means a value ended up where a name belongs.
     */
    public static String identifier(String name) {
        requireNonNull(name, "name is null");
        if (!IDENTIFIER.matcher(name).matches()) {
            throw new DomainException(ErrorCode.INVALID_INPUT,
                    "Cannot use identifier '" + printable(name) + "': it must match [A-Za-z_][A-Za-z0-9_]*");
        }
        return name;
    }

    /** A whole number; negatives are parenthesised so {@code x - {n}} can't turn into a comment ({@code x --5}). */
    public static String number(long value) {
        return value < 0 ? "(" + value + ")" : Long.toString(value);
    }

    /** A date as {@code toDate('yyyy-mm-dd')}, typed on both server versions instead of relying on implicit casts. */
    public static String date(LocalDate value) {
        requireNonNull(value, "value is null");
        if (value.getYear() < 1000 || value.getYear() > 9999) {
            // ISO-8601 would add a sign or a fifth digit, which ClickHouse's Date parser does not read.
            throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot use date " + value + ": year out of range");
        }
        return "toDate('" + value + "')";
    }

    private static String printable(String value) {
        String cut = value.length() > 80 ? value.substring(0, 80) + "..." : value;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
