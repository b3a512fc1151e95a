package com.ecomcrm.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.ecomcrm.email.mail.MailSender;
import com.ecomcrm.email.mail.MailSettings;
import com.ecomcrm.email.mail.OutgoingEmail;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's SMTP sink, a process of its own, receives what the send job's SMTP client sends, byte for byte. */
class SmtpSinkTest {
    @TempDir
    Path tmp;

    @Test
    void everyAcceptedMessageIsInTheSpoolOnceAndParsesBackToWhatWasSent() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent(); // the tests run in benchmarks/
        SmtpSink sink = SmtpSink.start(root, tmp.resolve("spool"), 0);
        long accepted;
        try {
            MailSender mail = new MailSender(MailSettings.local(sink.port()));
            try (MailSender.Connection connection = mail.connect()) {
                for (int i = 0; i < 3; i++) {
                    connection.send(new OutgoingEmail("hello@shop.example", "The Shop", "c" + i + "@example.com",
                            "Hello " + i, "<p>Hi Chloé</p>\n.a line that starts with a dot\n<p>" + i + "</p>", null,
                            "<m" + i + "@mail.ecomcrm.local>", "https://app.example/u/t" + i, null, false, null));
                }
            }
            assertThat(sink.cpuNanos()).isPositive();
        }
        finally {
            accepted = sink.stop();
        }

        List<MimeMessage> received = sink.messages();
        assertThat(accepted).isEqualTo(3);
        assertThat(received).hasSize(3);
        for (int i = 0; i < 3; i++) {
            MimeMessage message = received.get(i);
            assertThat(message.getMessageID()).isEqualTo("<m" + i + "@mail.ecomcrm.local>");
            assertThat(message.getHeader("List-Unsubscribe")).containsExactly("<https://app.example/u/t" + i + ">");
            String html = (String) ((Multipart) message.getContent()).getBodyPart(1).getContent();
            // The SMTP dot-stuffing of the leading dot was undone by the sink.
            assertThat(html).isEqualTo("<p>Hi Chloé</p>\r\n.a line that starts with a dot\r\n<p>" + i + "</p>");
        }
    }
}
