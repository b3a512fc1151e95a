package com.ecomcrm.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.ecomcrm.email.mail.MailSender;
import com.ecomcrm.email.mail.MailSettings;
import com.ecomcrm.email.mail.OutgoingEmail;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's SMTP sink, a process of its own, receives what the send job's SMTP client sends, byte for byte. */
class SmtpSinkTest {
    @TempDir
    Path tmp;

    @Test
    void everyAcceptedMessageIsInTheSpoolOnceAndParsesBackToWhatWasSent() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent(); // the tests run in benchmarks/
        SmtpSink sink = SmtpSink.start(root, tmp.resolve("sink"), 0);
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
            // Read from /proc while it runs (three messages may cost it less than one 10 ms tick).
            assertThat(sink.cpuNanos()).isNotNegative();
        }
        finally {
            accepted = sink.stop();
        }

        List<MimeMessage> received = sink.messages();
        assertThat(accepted).isEqualTo(3);
        assertThat(received).hasSize(3);
        // One file per message, named at random: find each by its Message-ID.
        Map<String, MimeMessage> byId = new HashMap<>();
        for (MimeMessage message : received) {
            assertThat(byId.put(message.getMessageID(), message)).isNull();
        }
        for (int i = 0; i < 3; i++) {
            MimeMessage message = byId.get("<m" + i + "@mail.ecomcrm.local>");
            assertThat(message).isNotNull();
            assertThat(message.getRecipients(jakarta.mail.Message.RecipientType.TO)).extracting(Object::toString)
                    .containsExactly("c" + i + "@example.com");
            assertThat(message.getHeader("List-Unsubscribe")).containsExactly("<https://app.example/u/t" + i + ">");
            String html = (String) ((Multipart) message.getContent()).getBodyPart(1).getContent();
            // The SMTP dot-stuffing of the leading dot was undone by the sink.
            assertThat(html).isEqualTo("<p>Hi Chloé</p>\r\n.a line that starts with a dot\r\n<p>" + i + "</p>");
        }
    }

    @Test
    @Timeout(120) // a blocked sink would leave the sender waiting for a connection forever
    void keepsAcceptingFarBeyondWhatItsCounterOutputWouldFillAPipeWith() throws Exception {
        // Its -c counter writes ~30 bytes a message: 3,000 messages are more than a 64 KiB pipe holds.
        Path root = Path.of("").toAbsolutePath().getParent();
        SmtpSink sink = SmtpSink.start(root, tmp.resolve("many"), 0);
        long accepted;
        try {
            MailSender mail = new MailSender(MailSettings.local(sink.port()));
            try (MailSender.Connection connection = mail.connect()) {
                for (int i = 0; i < 3_000; i++) {
                    connection.send(new OutgoingEmail("hello@shop.example", "The Shop", "c" + i + "@example.com",
                            "Hello", "<p>" + i + "</p>", null, "<n" + i + "@mail.ecomcrm.local>",
                            "https://app.example/u/t", null, false, null));
                }
            }
        }
        finally {
            accepted = sink.stop();
        }
        assertThat(accepted).isEqualTo(3_000);
        assertThat(sink.messages()).hasSize(3_000);
    }

    @Test
    void theSinksEnvelopeLinesAndFinalNewlineAreNotPartOfTheMessageAndItsLineEndsAreCrlfAgain() {
        String dump = "X-Client-Addr: 127.0.0.1\nX-Client-Proto: ESMTP\nX-Helo-Args: [127.0.0.1]\n"
                + "X-Mail-Args: <a@shop.example>\nX-Rcpt-Args: <b@example.com>\nX-Rcpt-Args: <c@example.com>\n"
                + "Received: from [127.0.0.1] ([127.0.0.1])\n\tby smtp-sink (smtp-sink) with ESMTP id 0a1b2c3d;\n"
                + "Message-ID: <x@y>\nSubject: hi\n\n.a dot line\nlast line\n\n";
        byte[] message = SmtpSink.message(dump.getBytes(java.nio.charset.StandardCharsets.US_ASCII), tmp);
        assertThat(new String(message, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo(
                "Received: from [127.0.0.1] ([127.0.0.1])\r\n\tby smtp-sink (smtp-sink) with ESMTP id 0a1b2c3d;\r\n"
                        + "Message-ID: <x@y>\r\nSubject: hi\r\n\r\n.a dot line\r\nlast line\r\n");
    }
}
