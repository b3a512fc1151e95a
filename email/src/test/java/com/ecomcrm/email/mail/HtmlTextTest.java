package com.ecomcrm.email.mail;

import static org.assertj.core.api.Assertions.assertThat;

import com.ecomcrm.email.starter.StarterTemplates;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written HTML-to-text scans give exactly what the regular expressions they replaced gave. */
class HtmlTextTest {
    /** MailSender.textFromHtml before the scans, kept here as the reference. */
    private static String byRegex(String html) {
        return html.replaceAll("(?is)<(script|style)[^>]*>.*?</\\1>", "")
                .replaceAll("(?i)<br\\s*/?>|</p>|</div>|</h[1-6]>|</li>|</tr>", "\n")
                .replaceAll("<[^>]+>", "")
                .replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&#39;", "'").replace("&amp;", "&")
                .replaceAll("[ \\t]+", " ").replaceAll("\\n\\s*\\n+", "\n\n").strip();
    }

    @Test
    void anEmailBecomesReadableTextWithoutMarkupStylesOrScripts() {
        String html = "<html><head><STYLE type=\"text/css\">p { color: red }</style></head><body>"
                + "<h1>Hello   Alex</h1><p>Your cart &amp; more:</p><script>alert(1)</SCRIPT>"
                + "<ul><li>Linen shirt</li><li>Canvas&nbsp;tote</li></ul>Line<br/>break<BR >end</body></html>";

        assertThat(MailSender.textFromHtml(html)).isEqualTo(byRegex(html))
                .isEqualTo("Hello Alex\nYour cart & more:\nLinen shirt\nCanvas tote\nLine\nbreak\nend");
    }

    @Test
    void everyStarterTemplateGivesTheSameTextAsBefore() {
        for (String kind : new String[] {"welcome", "abandoned_checkout", "post_purchase_thank_you",
            "review_request", "win_back", "vip"}) {
            StarterTemplates.of(kind).ifPresent(starter ->
                    assertThat(MailSender.textFromHtml(starter.bodyHtml())).as(kind)
                            .isEqualTo(byRegex(starter.bodyHtml())));
        }
    }

    @Test
    void generatedHtmlGivesExactlyWhatTheRegularExpressionsGave() {
        String[] pieces = {"<", ">", "<>", "<p>", "</p>", "</P>", "<br>", "<br />", "<BR/>", "<br x>", "</div>",
            "</h1>", "</h7>", "</H6>", "</li>", "</tr>", "<script>", "<script src=x>", "</script>", "</SCRIPT>",
            "<style>", "<styles>", "</style>", "<scrıpt>", "ſ", "text", " ", "  ", "\t", "\n", "\n \n", "\r\n",
            "&amp;", "&nbsp;", "&lt;p&gt;", "&quot;", "&#39;", "&amp;lt;", "é", "</", "/>", "<a href='x'>"};
        Random random = new Random(20261130);
        for (int round = 0; round < 30_000; round++) {
            StringBuilder html = new StringBuilder();
            int length = 1 + random.nextInt(25);
            for (int i = 0; i < length; i++) {
                html.append(pieces[random.nextInt(pieces.length)]);
            }
            String h = html.toString();
            assertThat(MailSender.textFromHtml(h)).as(h).isEqualTo(byRegex(h));
        }
    }
}
