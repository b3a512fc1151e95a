package com.ecomcrm.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import com.ecomcrm.domain.ShopId;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written link scanner finds exactly what the regular expression it replaced found. */
class HtmlLinksTest {
    /** The rewriting of TrackingLinks before the scanner, kept here as the reference. */
    private static final Pattern LINK = Pattern.compile(
            "(<a\\b[^>]*?\\bhref\\s*=\\s*)([\"'])(https?://[^\"'\\s>]+)\\2", Pattern.CASE_INSENSITIVE);
    private static final Pattern BODY_END = Pattern.compile("</body\\s*>", Pattern.CASE_INSENSITIVE);

    private static String byRegex(String html) {
        Matcher m = LINK.matcher(html);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + m.group(2) + "[" + m.group(3) + "]"
                    + m.group(2)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String byScanner(String html) {
        return HtmlLinks.rewrite(html, href -> "[" + href + "]");
    }

    @Test
    void everyKindOfLinkIsFoundAsTheRegexFoundIt() {
        String html = "<html><body><a href=\"https://shop.example/a?x=1&amp;y=2\">A</a>"
                + "<A HREF='HTTP://SHOP.EXAMPLE/B'>B</A>"
                + "<a class=\"x\" href = \"https://shop.example/c\">C</a>"
                + "<a href=\"/relative\" data-href=\"https://shop.example/d\">D</a>"
                + "<abbr href=\"https://shop.example/not-a-link\">E</abbr>"
                + "<a href=\"mailto:x@example.com\">F</a>"
                + "<a href=\"https://\">G</a>"
                + "<a href=\"https://shop.example/h'>H</a>"
                + "<a title=\">\" href=\"https://shop.example/i\">I</a>"
                + "<a\nhref=\"https://shop.example/j\">J</a></body></html>";

        assertThat(byScanner(html)).isEqualTo(byRegex(html))
                .contains("[https://shop.example/a?x=1&amp;y=2]", "[HTTP://SHOP.EXAMPLE/B]", "[https://shop.example/c]",
                        "data-href=\"[https://shop.example/d]\"", "[https://shop.example/j]")
                .doesNotContain("[https://shop.example/not-a-link]", "[https://shop.example/i]");
    }

    @Test
    void generatedHtmlIsRewrittenExactlyAsByTheRegex() {
        String[] pieces = {"<a", "<A", "<a ", "<abbr ", " href", "HREF", "xhref", "-href", "=", " = ", "\"", "'",
            "https://", "http://", "HTTPS://", "ftp://", "shop.example/p", "?q=1&amp;r=2", " ", "\n", ">", "</a>",
            "<body>", "</body >", "</BODY>", "é", "_", "<", "text"};
        Random random = new Random(20261130);
        for (int round = 0; round < 20_000; round++) {
            StringBuilder html = new StringBuilder();
            int length = 1 + random.nextInt(30);
            for (int i = 0; i < length; i++) {
                html.append(pieces[random.nextInt(pieces.length)]);
            }
            String h = html.toString();
            assertThat(byScanner(h)).as(h).isEqualTo(byRegex(h));
            Matcher end = BODY_END.matcher(h);
            assertThat(HtmlLinks.bodyEnd(h)).as(h).isEqualTo(end.find() ? end.start() : -1);
        }
    }

    @Test
    void theOpenPixelGoesBeforeTheEndOfTheBodyAndTrackingLinksAreLeftAlone() {
        TrackingLinks links = new TrackingLinks(TrackingLinks.DEV_KEY, "https://t.example");
        ShopId shop = ShopId.of("acme.myshopify.com");
        String html = "<html><body><a href=\"https://t.example/u/abc\">Unsubscribe</a>"
                + "<a href=\"https://acme.example/p?a=1&amp;b=2\">P</a></BODY ></html>";

        String rewritten = links.rewriteHtml(shop, 7, html);

        assertThat(rewritten).contains("<a href=\"https://t.example/u/abc\">")
                .contains("<a href=\"" + links.clickUrl(shop, 7, "https://acme.example/p?a=1&b=2") + "\">")
                .contains("height:1px\"></BODY ></html>")
                .contains("<img src=\"" + links.openPixelUrl(shop, 7) + "\"");
    }
}
