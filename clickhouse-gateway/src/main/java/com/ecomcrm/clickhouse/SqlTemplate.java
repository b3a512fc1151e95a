package com.ecomcrm.clickhouse;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * A SQL statement with named placeholders, e.g.
 * {@code SELECT segment, customers FROM segment_summary WHERE shop_id = {shop} AND publish_id = {publish}}.
 *
 * <p>Why a template and not a string: {@code {shop}} is mandatory, and only {@link #render(ShopId)} fills it, so a
 * statement that reads or writes serving data cannot be written without a tenant filter, and the tenant comes from a
 * validated {@link ShopId}, never from a caller's string. Every other value goes through {@link SqlLiterals}.
 *
 * <p>Rules checked when the template is made, because each is a bug in the calling code (so they throw
 * {@link ErrorCode#INTERNAL}):
 * <ul>
 *   <li>the template must contain {@code {shop}};</li>
 *   <li>it must not contain {@code FORMAT}: the gateway appends the output format it parses;</li>
 *   <li>placeholders must not sit inside quotes ({@code '{shop}'}): they are rendered as complete literals.</li>
 * </ul>
 * Instances are immutable; {@code bind} returns a new template, so a constant template can be shared.
 */
public final class SqlTemplate {
    public static final String SHOP = "shop";

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern FORMAT_WORD = Pattern.compile("(?i)\\bFORMAT\\b");

    private final String sql;
    /** Alternating pieces: {@link String} text or {@link Placeholder}. */
    private final List<Object> parts;
    private final Set<String> placeholders;
    private final Map<String, String> bound;

    private record Placeholder(String name) {
    }

    public SqlTemplate(String sql) {
        requireNonNull(sql, "sql is null");
        this.sql = stripTrailingSemicolon(sql);
        List<Object> parsed = new ArrayList<>();
        StringBuilder code = new StringBuilder(); // the template outside quotes, for the FORMAT check
        parse(this.sql, parsed, code);
        Set<String> names = new LinkedHashSet<>();
        for (Object part : parsed) {
            if (part instanceof Placeholder p) {
                names.add(p.name());
            }
        }
        if (!names.contains(SHOP)) {
            throw new DomainException(ErrorCode.INTERNAL,
                    "Cannot use SQL template without {shop}: every statement must be scoped to one shop: " + brief(sql));
        }
        if (FORMAT_WORD.matcher(code).find()) {
            throw new DomainException(ErrorCode.INTERNAL,
                    "Cannot use SQL template with FORMAT: the gateway appends the output format itself: " + brief(sql));
        }
        this.parts = List.copyOf(parsed);
        this.placeholders = Collections.unmodifiableSet(names);
        this.bound = Map.of();
    }

    private SqlTemplate(SqlTemplate base, Map<String, String> bound) {
        this.sql = base.sql;
        this.parts = base.parts;
        this.placeholders = base.placeholders;
        this.bound = bound;
    }

    public static SqlTemplate of(String sql) {
        return new SqlTemplate(sql);
    }

    /** Binds a string value, rendered as an escaped string literal. */
    public SqlTemplate bind(String name, String value) {
        return with(name, SqlLiterals.string(requireNonNull(value, () -> "value for {" + name + "} is null")));
    }

    /** Binds a whole number. */
    public SqlTemplate bind(String name, long value) {
        return with(name, SqlLiterals.number(value));
    }

    /** Binds a date, rendered as {@code toDate('yyyy-mm-dd')}. */
    public SqlTemplate bind(String name, LocalDate value) {
        return with(name, SqlLiterals.date(requireNonNull(value, () -> "value for {" + name + "} is null")));
    }

    /** Binds a table or column name, validated by {@link SqlLiterals#identifier(String)}, rendered unquoted. */
    public SqlTemplate bindIdentifier(String name, String identifier) {
        return with(name, SqlLiterals.identifier(identifier));
    }

    /** The statement with every placeholder filled and {@code {shop}} set to the shop's domain as a string literal. */
    public String render(ShopId shop) {
        requireNonNull(shop, "shop is null");
        String shopLiteral = SqlLiterals.string(shop.domain());
        StringBuilder out = new StringBuilder(sql.length() + 64);
        List<String> missing = new ArrayList<>();
        for (Object part : parts) {
            if (part instanceof Placeholder p) {
                String value = SHOP.equals(p.name()) ? shopLiteral : bound.get(p.name());
                if (value == null) {
                    if (!missing.contains(p.name())) {
                        missing.add(p.name());
                    }
                } else {
                    out.append(value);
                }
            } else {
                out.append((String) part);
            }
        }
        if (!missing.isEmpty()) {
            throw new DomainException(ErrorCode.INTERNAL, "Cannot render SQL template: placeholder"
                    + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing.stream().map(n -> "{" + n + "}").toList())
                    + " not bound: " + brief(sql));
        }
        return out.toString();
    }

    /** The placeholder names in order of first use, {@code shop} included. */
    public Set<String> placeholders() {
        return placeholders;
    }

    /** The template text as written (without a trailing semicolon). */
    public String sql() {
        return sql;
    }

    @Override
    public String toString() {
        return "SqlTemplate[" + sql + ", bound=" + bound.keySet() + "]";
    }

    private SqlTemplate with(String name, String literal) {
        requireNonNull(name, "name is null");
        if (SHOP.equals(name)) {
            throw new DomainException(ErrorCode.INTERNAL,
                    "Cannot bind {shop}: it is always filled from the ShopId passed to render/the ShopScope");
        }
        if (!placeholders.contains(name)) {
            throw new DomainException(ErrorCode.INTERNAL,
                    "Cannot bind {" + name + "}: the template has no such placeholder: " + brief(sql));
        }
        if (bound.containsKey(name)) {
            throw new DomainException(ErrorCode.INTERNAL, "Cannot bind {" + name + "} twice: " + brief(sql));
        }
        Map<String, String> next = new LinkedHashMap<>(bound);
        next.put(name, literal);
        return new SqlTemplate(this, Collections.unmodifiableMap(next));
    }

    /**
     * Splits the template into text and placeholders. Quoted parts ('...', "...", `...`) are copied through, and
     * a placeholder found inside one is an error. {@code code} receives the text outside quotes.
     */
    private static void parse(String sql, List<Object> parts, StringBuilder code) {
        StringBuilder text = new StringBuilder();
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"' || c == '`') {
                int end = endOfQuoted(sql, i);
                String quoted = sql.substring(i, end);
                var inside = Pattern.compile("\\{(" + NAME.pattern() + ")}").matcher(quoted);
                if (inside.find()) {
                    throw new DomainException(ErrorCode.INTERNAL, "Cannot use SQL template: placeholder {"
                            + inside.group(1) + "} is inside quotes; write it bare, it is rendered as a literal: "
                            + brief(sql));
                }
                text.append(quoted);
                code.append(' ');
                i = end;
            } else if (c == '{') {
                int close = sql.indexOf('}', i + 1);
                String name = close < 0 ? null : sql.substring(i + 1, close);
                if (name != null && NAME.matcher(name).matches()) {
                    if (!text.isEmpty()) {
                        parts.add(text.toString());
                        text.setLength(0);
                    }
                    parts.add(new Placeholder(name));
                    code.append(' ');
                    i = close + 1;
                } else {
                    text.append(c);
                    code.append(c);
                    i++;
                }
            } else {
                text.append(c);
                code.append(c);
                i++;
            }
        }
        if (!text.isEmpty()) {
            parts.add(text.toString());
        }
    }

    /** Index just past the quoted section starting at {@code start}; backslash escapes and doubled quotes stay inside. */
    private static int endOfQuoted(String sql, int start) {
        char quote = sql.charAt(start);
        int i = start + 1;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        throw new DomainException(ErrorCode.INTERNAL, "Cannot use SQL: unclosed " + quote + " quote: " + brief(sql));
    }

    /**
     * True when {@code sql} has the word FORMAT outside quotes, i.e. names its own output format. Shared with
     * {@link AdminClickHouse}, so a string literal such as {@code 'FORMAT'} is data, not a clause, in both.
     */
    static boolean hasFormatClause(String sql) {
        StringBuilder code = new StringBuilder(sql.length());
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"' || c == '`') {
                i = endOfQuoted(sql, i);
                code.append(' ');
            } else {
                code.append(c);
                i++;
            }
        }
        return FORMAT_WORD.matcher(code).find();
    }

    static String stripTrailingSemicolon(String sql) {
        String s = sql.strip();
        while (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).strip();
        }
        return s;
    }

    static String brief(String sql) {
        String oneLine = sql.replaceAll("\\s+", " ").strip();
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine;
    }
}
