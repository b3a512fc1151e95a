package com.ecomcrm.email.mail;

import static java.util.Objects.requireNonNull;

/**
 * The plain-text part of an email whose template has none, from its HTML: script and style blocks dropped, a line
 * break for {@code <br>} and the end of a paragraph, div, heading, list item or table row, every other tag dropped,
 * the common entities decoded, runs of spaces and blank lines collapsed.
 *
 * <p>Each step is one forward scan by hand; they do exactly what the regular expressions they replaced did
 * ({@code HtmlTextTest} checks the two against each other on generated HTML), which were a fifth of the send job's
 * CPU per email.
 */
final class HtmlText {
    private HtmlText() {
    }

    static String of(String html) {
        requireNonNull(html, "html is null");
        String text = withoutTags(withLineBreaks(withoutScriptsAndStyles(html)))
                .replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&#39;", "'").replace("&amp;", "&");
        return collapseBlankLines(collapseBlanks(text)).strip();
    }

    /** {@code (?is)<(script|style)[^>]*>.*?</\1>} removed. */
    static String withoutScriptsAndStyles(String s) {
        StringBuilder out = null;
        int copied = 0;
        int n = s.length();
        int i = s.indexOf('<');
        while (i >= 0 && i < n) {
            String name = matchesAscii(s, i + 1, "script") ? "script"
                    : matchesAscii(s, i + 1, "style") ? "style" : null;
            int end = -1;
            if (name != null) {
                int tagEnd = s.indexOf('>', i + 1 + name.length());
                if (tagEnd >= 0) {
                    int close = indexOfIgnoreCase(s, "</" + name + ">", tagEnd + 1);
                    if (close >= 0) {
                        end = close + name.length() + 3;
                    }
                }
            }
            if (end < 0) {
                i = s.indexOf('<', i + 1);
                continue;
            }
            if (out == null) {
                out = new StringBuilder(n);
            }
            out.append(s, copied, i);
            copied = end;
            i = s.indexOf('<', end);
        }
        return out == null ? s : out.append(s, copied, n).toString();
    }

    /** {@code (?i)<br\s*\/?>|</p>|</div>|</h[1-6]>|</li>|</tr>} replaced by a line feed. */
    static String withLineBreaks(String s) {
        StringBuilder out = null;
        int copied = 0;
        int n = s.length();
        for (int i = s.indexOf('<'); i >= 0; i = s.indexOf('<', i + 1)) {
            int end = lineBreakTagEnd(s, i, n);
            if (end < 0) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(n);
            }
            out.append(s, copied, i).append('\n');
            copied = end;
            i = end - 1;
        }
        return out == null ? s : out.append(s, copied, n).toString();
    }

    /** Where the line-breaking tag starting at {@code i} ends (exclusive), or -1. */
    private static int lineBreakTagEnd(String s, int i, int n) {
        if (matchesAscii(s, i + 1, "br")) {
            int p = i + 3;
            while (p < n && isSpace(s.charAt(p))) {
                p++;
            }
            if (p < n && s.charAt(p) == '/') {
                p++;
            }
            if (p < n && s.charAt(p) == '>') {
                return p + 1;
            }
        }
        if (i + 1 >= n || s.charAt(i + 1) != '/') {
            return -1;
        }
        for (String closing : new String[] {"p>", "div>", "li>", "tr>"}) {
            if (matchesAscii(s, i + 2, closing)) {
                return i + 2 + closing.length();
            }
        }
        if (i + 4 < n && (s.charAt(i + 2) == 'h' || s.charAt(i + 2) == 'H') && s.charAt(i + 3) >= '1'
                && s.charAt(i + 3) <= '6' && s.charAt(i + 4) == '>') {
            return i + 5;
        }
        return -1;
    }

    /** {@code <[^>]+>} removed. */
    static String withoutTags(String s) {
        int n = s.length();
        StringBuilder out = new StringBuilder(n);
        int copied = 0;
        int i = s.indexOf('<');
        while (i >= 0) {
            int close = s.indexOf('>', i + 1);
            if (close < 0) {
                break; // no '>' left: no tag from here on
            }
            if (close == i + 1) { // "<>" is no tag; the regex goes on from the next character
                i = s.indexOf('<', i + 1);
                continue;
            }
            out.append(s, copied, i);
            copied = close + 1;
            i = s.indexOf('<', close + 1);
        }
        return out.append(s, copied, n).toString();
    }

    /** {@code [ \t]+} replaced by one space. */
    static String collapseBlanks(String s) {
        int n = s.length();
        StringBuilder out = new StringBuilder(n);
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t') {
                out.append(' ');
                while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
                    i++;
                }
            }
            else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** {@code \n\s*\n+} replaced by one blank line. */
    static String collapseBlankLines(String s) {
        int n = s.length();
        StringBuilder out = new StringBuilder(n);
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '\n') {
                int lastNewline = -1;
                int p = i + 1;
                while (p < n && isSpace(s.charAt(p))) {
                    if (s.charAt(p) == '\n') {
                        lastNewline = p;
                    }
                    p++;
                }
                if (lastNewline >= 0) {
                    out.append("\n\n");
                    i = lastNewline + 1;
                    continue;
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    /**
     * {@code word} (lower case ASCII) at {@code at}, ignoring ASCII case only, as the regular expressions'
     * CASE_INSENSITIVE did (no Unicode folding: a dotless i is not an i).
     */
    private static boolean matchesAscii(String s, int at, String word) {
        if (at < 0 || at + word.length() > s.length()) {
            return false;
        }
        for (int j = 0; j < word.length(); j++) {
            char c = s.charAt(at + j);
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c + ('a' - 'A'));
            }
            if (c != word.charAt(j)) {
                return false;
            }
        }
        return true;
    }

    private static int indexOfIgnoreCase(String s, String what, int from) {
        int last = s.length() - what.length();
        char first = what.charAt(0);
        for (int i = Math.max(from, 0); i <= last; i++) {
            if (s.charAt(i) == first && matchesAscii(s, i, what)) {
                return i;
            }
        }
        return -1;
    }

    /** {@code \s}: space, tab, line feed, vertical tab, form feed, carriage return. */
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }
}
