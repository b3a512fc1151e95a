package com.ecomcrm.tracking;

import static java.util.Objects.requireNonNull;

import java.util.function.UnaryOperator;

/**
 * The link scanning of {@link TrackingLinks#rewriteHtml}, by hand in one forward pass: it finds exactly what the
 * regular expression {@code (<a\b[^>]*?\bhref\s*=\s*)(["'])(https?://[^"'\s>]+)\2} (case-insensitive) finds, without
 * the regex engine's lazy expansion and retries over every character of every tag of every email.
 * {@code HtmlLinksTest} checks the two against each other on generated HTML.
 */
final class HtmlLinks {
    private HtmlLinks() {
    }

    /** One {@code <a href>} absolute http(s) link: the value spans [{@code urlStart}, {@code urlEnd}). */
    record Link(int urlStart, int urlEnd) {
    }

    /**
     * {@code html} with the value of every absolute http(s) {@code <a href>} replaced by {@code rewrite} of it (the
     * value as written, entities included); the quotes and everything else are kept as they are.
     */
    static String rewrite(String html, UnaryOperator<String> rewrite) {
        requireNonNull(html, "html is null");
        requireNonNull(rewrite, "rewrite is null");
        StringBuilder out = new StringBuilder(html.length() + 512);
        int copied = 0;
        int from = 0;
        Link link;
        while ((link = next(html, from)) != null) {
            out.append(html, copied, link.urlStart()).append(rewrite.apply(html.substring(link.urlStart(),
                    link.urlEnd())));
            copied = link.urlEnd();
            from = link.urlEnd() + 1; // after the closing quote, where the regex would go on searching
        }
        return out.append(html, copied, html.length()).toString();
    }

    /** The first link whose tag starts at or after {@code from}, or null. */
    static Link next(String html, int from) {
        int n = html.length();
        for (int i = html.indexOf('<', from); i >= 0 && i + 1 < n; i = html.indexOf('<', i + 1)) {
            char a = html.charAt(i + 1);
            if ((a != 'a' && a != 'A') || (i + 2 < n && isWord(html.charAt(i + 2)))) {
                continue;
            }
            int tagEnd = html.indexOf('>', i + 2);
            int limit = tagEnd < 0 ? n : tagEnd;
            // "href" may start anywhere in the tag (before its '>') where a word begins; the first that is followed
            // by a quoted absolute http(s) value wins.
            for (int k = i + 3; k + 4 <= limit; k++) {
                if (!isWord(html.charAt(k - 1)) && html.regionMatches(true, k, "href", 0, 4)) {
                    Link link = valueAt(html, k + 4);
                    if (link != null) {
                        return link;
                    }
                }
            }
        }
        return null;
    }

    /** {@code \s*=\s*(["'])(https?://[^"'\s>]+)\1} at {@code p}, or null. */
    private static Link valueAt(String html, int p) {
        int n = html.length();
        p = skipSpace(html, p);
        if (p >= n || html.charAt(p) != '=') {
            return null;
        }
        p = skipSpace(html, p + 1);
        if (p >= n) {
            return null;
        }
        char quote = html.charAt(p);
        if (quote != '"' && quote != '\'') {
            return null;
        }
        int start = p + 1;
        int q = start;
        if (!html.regionMatches(true, q, "http", 0, 4)) {
            return null;
        }
        q += 4;
        if (q < n && (html.charAt(q) == 's' || html.charAt(q) == 'S')) {
            q++;
        }
        if (!html.startsWith("://", q)) {
            return null;
        }
        q += 3;
        int rest = q;
        while (q < n && !endsValue(html.charAt(q))) {
            q++;
        }
        if (q == rest || q >= n || html.charAt(q) != quote) {
            return null;
        }
        return new Link(start, q);
    }

    /** Where {@code </body\s*>} (case-insensitive) starts, or -1. */
    static int bodyEnd(CharSequence html) {
        int n = html.length();
        for (int i = 0; i + 6 < n; i++) {
            if (html.charAt(i) != '<' || html.charAt(i + 1) != '/' || !regionMatchesBody(html, i + 2)) {
                continue;
            }
            int p = i + 6;
            while (p < n && isSpace(html.charAt(p))) {
                p++;
            }
            if (p < n && html.charAt(p) == '>') {
                return i;
            }
        }
        return -1;
    }

    private static boolean regionMatchesBody(CharSequence s, int at) {
        String body = "body";
        for (int j = 0; j < 4; j++) {
            if (Character.toLowerCase(s.charAt(at + j)) != body.charAt(j)) {
                return false;
            }
        }
        return true;
    }

    private static int skipSpace(String html, int p) {
        while (p < html.length() && isSpace(html.charAt(p))) {
            p++;
        }
        return p;
    }

    private static boolean endsValue(char c) {
        return c == '"' || c == '\'' || c == '>' || isSpace(c);
    }

    /** {@code \s}: space, tab, line feed, vertical tab, form feed, carriage return. */
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    /** A word character as {@code \b} sees it. */
    private static boolean isWord(char c) {
        return c == '_' || Character.isLetterOrDigit(c);
    }
}
