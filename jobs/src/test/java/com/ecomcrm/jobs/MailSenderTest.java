package com.ecomcrm.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.email.mail.MailSendException;
import com.ecomcrm.email.mail.MailSender;
import com.ecomcrm.email.mail.MailSettings;
import com.ecomcrm.email.mail.OutgoingEmail;
import com.ecomcrm.tracking.TrackingLinks;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Against a real SMTP server in this JVM (GreenMail). */
class MailSenderTest {
    @RegisterExtension
    static final GreenMailExtension SMTP = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static final ShopId SHOP = ShopId.of("acme.myshopify.com");
    private final TrackingLinks links = new TrackingLinks(TrackingLinks.DEV_KEY, "https://crm.example.com");

    private MailSender sender() {
        return new MailSender(MailSettings.local(SMTP.getSmtp().getPort()));
    }

    @Test
    void deliversMultipartWithUnsubscribeHeadersAndTheDerivedMessageId() throws Exception {
        MailSender sender = sender();
        String html = links.rewriteHtml(SHOP, 42, "<html><body><p>Hi</p>"
                + "<a href=\"https://acme.example/products/a?x=1&amp;y=2\">Shop</a>"
                + "<a href=\"" + links.unsubscribeUrl(SHOP, 42) + "\">Unsubscribe</a></body></html>");
        String messageId = sender.messageIdFor("acme.myshopify.com|welcome|c1|customer:1");
        sender.send(new OutgoingEmail("hello@acme.example", "Acme", "alex@example.com", "Welcome, Alex",
                html, "Hi Alex", messageId, links.unsubscribeUrl(SHOP, 42),
                "mailto:unsubscribe@mail.ecomcrm.local?subject=" + links.unsubscribeToken(SHOP, 42), false));

        MimeMessage[] received = SMTP.getReceivedMessages();
        assertThat(received).hasSize(1);
        MimeMessage m = received[0];
        assertThat(m.getSubject()).isEqualTo("Welcome, Alex");
        assertThat(m.getFrom()[0].toString()).isEqualTo("Acme <hello@acme.example>");
        assertThat(m.getAllRecipients()[0].toString()).isEqualTo("alex@example.com");
        assertThat(m.getMessageID()).isEqualTo(messageId).matches("<[0-9a-f]{32}@mail\\.ecomcrm\\.local>");
        assertThat(sender.messageIdFor("acme.myshopify.com|welcome|c1|customer:1")).isEqualTo(messageId);
        assertThat(m.getHeader("List-Unsubscribe", null))
                .matches("<https://crm\\.example\\.com/u/[A-Za-z0-9_.-]+>, <mailto:unsubscribe@mail\\.ecomcrm\\.local\\?subject=[A-Za-z0-9_.-]+>");
        assertThat(m.getHeader("List-Unsubscribe-Post", null)).isEqualTo("List-Unsubscribe=One-Click");
        assertThat(m.getContentType()).startsWith("multipart/alternative");
        MimeMultipart parts = (MimeMultipart) m.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/plain");
        assertThat(parts.getBodyPart(1).getContentType()).startsWith("text/html");
        String body = (String) parts.getBodyPart(1).getContent();

        // The shop link became a signed click URL that verifies back to the original target.
        Matcher click = Pattern.compile("https://crm\\.example\\.com/t/c/([A-Za-z0-9_.-]+)").matcher(body);
        assertThat(click.find()).isTrue();
        TrackingLinks.Token token = links.verify(click.group(1)).orElseThrow();
        assertThat(token.kind()).isEqualTo(TrackingLinks.Kind.CLICK);
        assertThat(token.shop()).isEqualTo(SHOP);
        assertThat(token.sendId()).isEqualTo(42);
        assertThat(token.url()).isEqualTo("https://acme.example/products/a?x=1&y=2");
        // The unsubscribe link was left as it was; the open pixel was added.
        assertThat(body).contains(links.unsubscribeUrl(SHOP, 42));
        Matcher open = Pattern.compile("https://crm\\.example\\.com/t/o/([A-Za-z0-9_.-]+)").matcher(body);
        assertThat(open.find()).isTrue();
        assertThat(links.verify(open.group(1)).orElseThrow().kind()).isEqualTo(TrackingLinks.Kind.OPEN);
        assertThat(GreenMailUtil.getBody(m)).isNotBlank();
    }

    @Test
    void tamperedOrForeignTokensDoNotVerify() {
        String url = links.clickUrl(SHOP, 7, "https://acme.example/");
        String token = url.substring(url.lastIndexOf('/') + 1);
        assertThat(links.verify(token)).isPresent();

        String payload = token.substring(0, token.indexOf('.'));
        String signature = token.substring(token.indexOf('.') + 1);
        String decoded = new String(java.util.Base64.getUrlDecoder().decode(payload));
        String evil = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(decoded.replace("https://acme.example/", "https://evil.example/").getBytes());
        assertThat(links.verify(evil + "." + signature)).isEmpty();
        char last = signature.charAt(0);
        assertThat(links.verify(payload + "." + (last == 'A' ? 'B' : 'A') + signature.substring(1))).isEmpty();
        assertThat(links.verify("garbage")).isEmpty();
        assertThat(links.verify(null)).isEmpty();
        TrackingLinks otherKey = new TrackingLinks("another-key-another-key-another-key-1234", "https://crm.example.com");
        assertThat(otherKey.verify(token)).isEmpty();
    }

    @Test
    void anUnreachableServerIsATransientFailure() {
        MailSender nowhere = new MailSender(MailSettings.local(1));
        try {
            nowhere.send(new OutgoingEmail("a@b.example", null, "c@d.example", "s", "<p>x</p>", null, "<x@y>",
                    null, null, false));
            org.junit.jupiter.api.Assertions.fail("expected failure");
        }
        catch (MailSendException e) {
            assertThat(e.kind()).isEqualTo(MailSendException.Kind.TRANSIENT);
        }
    }
}
