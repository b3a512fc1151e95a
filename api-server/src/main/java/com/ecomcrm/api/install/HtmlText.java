package com.ecomcrm.api.install;

import io.vertx.core.json.Json;

/** Text put into the few HTML pages the server writes itself: escaped for an attribute or element, or a script. */
final class HtmlText {
    private HtmlText() {
    }

    /** Escaped for HTML text and double- or single-quoted attribute values. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * A JavaScript string literal safe inside a {@code <script>} element: JSON-encoded, with {@code <}, {@code >},
     * {@code &} and the line separators escaped so the text can neither close the element nor break the literal.
     */
    static String scriptString(String text) {
        return Json.encode(text).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029");
    }
}
