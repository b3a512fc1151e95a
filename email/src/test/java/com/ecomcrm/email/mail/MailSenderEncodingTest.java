package com.ecomcrm.email.mail;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The text and HTML parts, encoded once ahead of sending, read back exactly as a mail client reads them. */
class MailSenderEncodingTest {
    private static final String HTML = "<html><body style=\"margin:0\"><p>Hallo Chloé, ça va? Zoë's 50% = half</p>"
            + "<a href=\"https://shop.example/t/c/abc.def?x=1&y=2\">" + "a very long line ".repeat(40) + "</a>\n"
            + "<p>trailing spaces   \n.a line starting with a dot\r\n€ ✓ 日本</p></body></html>";

    private final MailSender sender = new MailSender(MailSettings.local(2525));

    @Test
    void bothPartsAreQuotedPrintableWithShortLinesAndDecodeToTheOriginalText() throws Exception {
        MimeMessage message = sender.toMessage(email("Plain text, with ünïcödé and = signs\nsecond line  "));

        byte[] wire = written(message);
        for (String line : new String(wire, StandardCharsets.US_ASCII).split("\r\n")) {
            assertThat(line.length()).as("line: %s", line).isLessThanOrEqualTo(998);
        }
        MimeMessage read = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(wire));
        Multipart parts = (Multipart) read.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        Part text = parts.getBodyPart(0);
        Part html = parts.getBodyPart(1);
        assertThat(text.getContentType()).isEqualTo("text/plain; charset=UTF-8");
        assertThat(html.getContentType()).isEqualTo("text/html; charset=UTF-8");
        assertThat(text.getHeader("Content-Transfer-Encoding")).containsExactly("quoted-printable");
        assertThat(html.getHeader("Content-Transfer-Encoding")).containsExactly("quoted-printable");
        // Line breaks come back as CRLF, as every MIME text part carries them.
        assertThat(text.getContent()).isEqualTo("Plain text, with ünïcödé and = signs\r\nsecond line  ");
        assertThat(html.getContent()).isEqualTo(HTML.replace("\r\n", "\n").replace("\n", "\r\n"));
        // Encoded lines stay within quoted-printable's 76 characters.
        String encodedHtml = new String(wire, StandardCharsets.US_ASCII);
        encodedHtml = encodedHtml.substring(encodedHtml.indexOf("text/html"));
        for (String line : encodedHtml.split("\r\n")) {
            assertThat(line.length()).isLessThanOrEqualTo(76);
        }
    }

    @Test
    void theTextPartIsDerivedFromTheHtmlWhenTheTemplateHasNone() throws Exception {
        MimeMessage message = sender.toMessage(email(null));

        MimeMessage read = new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(written(message)));
        Multipart parts = (Multipart) read.getContent();
        assertThat((String) parts.getBodyPart(0).getContent()).contains("Hallo Chloé, ça va?").doesNotContain("<p>");
    }

    private static OutgoingEmail email(String text) {
        return new OutgoingEmail("hello@shop.example", "The Shop", "chloe@example.com", "Für dich", HTML, text,
                "<abc@mail.ecomcrm.local>", "https://app.example/u/token", null, false, null);
    }

    private static byte[] written(MimeMessage message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }
}
