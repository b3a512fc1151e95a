package com.ecomcrm.email.mail;

import static java.util.Objects.requireNonNull;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Date;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.eclipse.angus.mail.util.QPEncoderStream;
import org.simplejavamail.utils.mail.dkim.Canonicalization;
import org.simplejavamail.utils.mail.dkim.DkimMessage;
import org.simplejavamail.utils.mail.dkim.DkimSigner;
import org.simplejavamail.utils.mail.dkim.SigningAlgorithm;

/**
 * Sends email over SMTP with Jakarta Mail (Eclipse Angus Mail): multipart/alternative text + HTML, a Message-ID
 * fixed by the caller (derived from the send's idempotency key), {@code List-Unsubscribe} and
 * {@code List-Unsubscribe-Post} (RFC 8058). Failures are classified ({@link MailSendException.Kind}) so the send job
 * retries only what certainly did not go out. Thread-safe; a {@link Connection} is for one thread.
 */
public final class MailSender {
    /**
     * Jakarta Mail 2.1 looks up its {@code StreamProvider} on every MimeMessage, MimeMultipart and MimeBodyPart it
     * creates, by a ServiceLoader scan of the classpath's jars unless this system property names the class (then it
     * is a plain class look-up). The scan was a third of the send job's CPU per email (jakartaee/mail-api#699, #861;
     * fixed in 2.2). Angus Mail's provider is the only one on our classpath; a value set by the operator wins.
     */
    static final String STREAM_PROVIDER_PROPERTY = "jakarta.mail.util.StreamProvider";

    static {
        if (System.getProperty(STREAM_PROVIDER_PROPERTY) == null) {
            System.setProperty(STREAM_PROVIDER_PROPERTY, "org.eclipse.angus.mail.util.MailStreamProvider");
        }
    }

    private static final byte[] EMPTY_MESSAGE = "\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int SIGNERS_PER_THREAD = 256;

    private final MailSettings settings;
    private final Session session;
    private final ThreadLocal<Map<DkimKey, DkimSigner>> signers = ThreadLocal.withInitial(IdentityHashMap::new);

    public MailSender(MailSettings settings) {
        this.settings = requireNonNull(settings, "settings is null");
        Properties p = new Properties();
        p.put("mail.transport.protocol", "smtp");
        p.put("mail.smtp.host", settings.host());
        p.put("mail.smtp.port", Integer.toString(settings.port()));
        p.put("mail.smtp.connectiontimeout", "10000");
        p.put("mail.smtp.timeout", "30000");
        p.put("mail.smtp.writetimeout", "30000");
        p.put("mail.smtp.from", settings.fromAddress());
        p.put("mail.smtp.localhost", settings.mailDomain());
        if (settings.user() != null) {
            p.put("mail.smtp.auth", "true");
        }
        if (settings.startTls()) {
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
        }
        this.session = Session.getInstance(p);
    }

    public MailSettings settings() {
        return settings;
    }

    /** {@code <hex(sha256(key))[0..32]@mailDomain>}: the same send always has the same Message-ID. */
    public String messageIdFor(String idempotencyKey) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(idempotencyKey.getBytes(StandardCharsets.UTF_8));
            return "<" + HexFormat.of().formatHex(digest, 0, 16) + "@" + settings.mailDomain() + ">";
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The MIME message as it goes on the wire. */
    public MimeMessage toMessage(OutgoingEmail email) throws MessagingException {
        MimeMessage message = new FixedIdMessage(session, email.messageId());
        fill(message, email);
        return message;
    }

    /**
     * The MIME message as it goes on the wire, DKIM-signed with {@code dkim} when not null (the signature is
     * computed when the message is written out). Built as the signing message itself: wrapping a finished message
     * ({@link #sign}) makes the DKIM library copy it by writing it out and parsing it back, a tenth of the CPU of a
     * send.
     */
    public MimeMessage toMessage(OutgoingEmail email, DkimKey dkim) throws MessagingException {
        if (dkim == null) {
            return toMessage(email);
        }
        MimeMessage message = new FixedIdDkimMessage(session, signerFor(dkim), email.messageId());
        fill(message, email);
        return message;
    }

    private void fill(MimeMessage message, OutgoingEmail email) throws MessagingException {
        try {
            message.setFrom(new InternetAddress(email.fromAddress(), email.fromName(), "UTF-8"));
        }
        catch (UnsupportedEncodingException e) {
            throw new MessagingException("Bad sender name", e);
        }
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(email.to(), true));
        if (email.replyTo() != null) {
            message.setReplyTo(new InternetAddress[]{new InternetAddress(email.replyTo(), true)});
        }
        message.setSubject(email.subject(), "UTF-8");
        message.setSentDate(new Date());
        if (email.listUnsubscribeUrl() != null) {
            String value = "<" + email.listUnsubscribeUrl() + ">"
                    + (email.listUnsubscribeMailto() == null ? "" : ", <" + email.listUnsubscribeMailto() + ">");
            message.setHeader("List-Unsubscribe", value);
            message.setHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }
        if (email.test()) {
            message.setHeader("X-EcomCRM-Test", "true");
        }
        MimeMultipart alternative = new MimeMultipart("alternative");
        alternative.addBodyPart(encodedPart("text/plain; charset=UTF-8",
                email.text() != null ? email.text() : textFromHtml(email.html())));
        alternative.addBodyPart(encodedPart("text/html; charset=UTF-8", email.html()));
        message.setContent(alternative);
        message.saveChanges();
    }

    /**
     * A text part already quoted-printable encoded (Angus Mail's own encoder, into a plain byte buffer). A part made
     * with {@code setText} is written out through a chain of one-byte writes (a character encoder, the QP encoder, and
     * on the wire the SMTP dot-stuffing stream) and scanned once more beforehand to pick its transfer encoding: that
     * was about half of a send worker's CPU (JFR, SendBench small). A part built from encoded bytes is written as
     * they are, in whole arrays. Quoted-printable whatever the text: the encoding the scan chose for our emails.
     */
    static MimeBodyPart encodedPart(String contentType, String content) throws MessagingException {
        InternetHeaders headers = new InternetHeaders();
        headers.setHeader("Content-Type", contentType);
        headers.setHeader("Content-Transfer-Encoding", "quoted-printable");
        ByteBuffer encoded = new ByteBuffer(content.length() + content.length() / 8 + 64);
        try (QPEncoderStream qp = new QPEncoderStream(encoded)) {
            qp.write(content.getBytes(StandardCharsets.UTF_8));
        }
        catch (IOException e) {
            throw new MessagingException("Cannot encode the email's text", e);
        }
        return new MimeBodyPart(headers, encoded.bytes());
    }

    /** An unsynchronized {@code ByteArrayOutputStream} for one thread's encoding. */
    private static final class ByteBuffer extends OutputStream {
        private byte[] buffer;
        private int size;

        ByteBuffer(int capacity) {
            buffer = new byte[capacity];
        }

        @Override
        public void write(int b) {
            if (size == buffer.length) {
                buffer = Arrays.copyOf(buffer, buffer.length * 2);
            }
            buffer[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (size + len > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + len));
            }
            System.arraycopy(b, off, buffer, size, len);
            size += len;
        }

        byte[] bytes() {
            return Arrays.copyOf(buffer, size);
        }
    }

    /** Headers covered by the DKIM signature (RFC 8058 requires both List-Unsubscribe headers among them). */
    public static final String[] DKIM_SIGNED_HEADERS = {"From", "To", "Subject", "Date", "Message-ID",
        "MIME-Version", "Content-Type", "List-Unsubscribe", "List-Unsubscribe-Post", "Reply-To"};

    /**
     * The message DKIM-signed (simplejavamail utils-mail-dkim: rsa-sha256, relaxed/relaxed, the headers of
     * {@link #DKIM_SIGNED_HEADERS} that are present); the signature is computed when the message is written out.
     */
    public MimeMessage sign(MimeMessage message, DkimKey key) throws MessagingException {
        return new DkimMessage(message, signerFor(key));
    }

    /**
     * The signer of {@code key} for this thread: parsing the settings and building the signer once per key, not once
     * per email. A {@link DkimSigner} holds its digest and signature engines, so it is not shared between threads;
     * keys are compared by identity (the send job keeps one {@link DkimKey} per domain key).
     */
    private DkimSigner signerFor(DkimKey key) throws MessagingException {
        Map<DkimKey, DkimSigner> mine = signers.get();
        DkimSigner signer = mine.get(key);
        if (signer != null) {
            return signer;
        }
        if (mine.size() >= SIGNERS_PER_THREAD) {
            mine.clear();
        }
        try {
            signer = new DkimSigner(key.domain(), key.selector(), key.privateKey());
            signer.setSigningAlgorithm(SigningAlgorithm.SHA256_WITH_RSA);
            signer.setHeaderCanonicalization(Canonicalization.RELAXED);
            signer.setBodyCanonicalization(Canonicalization.RELAXED);
            signer.setCheckDomainKey(false); // no DNS look-up at send time; verification of the domain is separate
            signer.setLengthParam(false);
            for (String header : DKIM_SIGNED_HEADERS) {
                signer.addHeaderToSign(header);
            }
        }
        catch (org.simplejavamail.utils.mail.dkim.DkimException e) {
            throw new MessagingException("Cannot DKIM-sign: " + e.getMessage(), e);
        }
        mine.put(key, signer);
        return signer;
    }

    /** Sends one email on a connection of its own. */
    public void send(OutgoingEmail email) throws MailSendException {
        send(email, null);
    }

    /** Sends one email on a connection of its own, DKIM-signed when {@code dkim} is not null. */
    public void send(OutgoingEmail email, DkimKey dkim) throws MailSendException {
        try (Connection c = connect()) {
            c.send(email, dkim);
        }
    }

    /** Opens an SMTP connection for a run of sends on one thread. */
    public Connection connect() throws MailSendException {
        Connection c = new Connection();
        c.ensureConnected();
        return c;
    }

    /**
     * How long a connection may sit unused before the next message first asks the server whether it is still there.
     * Angus Mail's {@code isConnected()} is a NOOP round trip; asked before every message it was one more wait per
     * email. Between the messages of a batch (milliseconds apart) no server drops a connection (RFC 5321 asks servers
     * to wait minutes); after a pause, the question is worth its round trip, since a message started on a dropped
     * connection would end HELD (outcome unknown) rather than retried.
     */
    static final long IDLE_CHECK_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

    /** One SMTP connection, reconnected when the server dropped it between messages. Not thread-safe. */
    public final class Connection implements AutoCloseable {
        private Transport transport;
        private boolean open;
        private long lastUsed;

        private void ensureConnected() throws MailSendException {
            if (transport != null && open && (System.nanoTime() - lastUsed < IDLE_CHECK_NANOS
                    || transport.isConnected())) {
                return;
            }
            open = false;
            try {
                if (transport == null) {
                    transport = session.getTransport("smtp");
                }
                if (settings.user() != null) {
                    transport.connect(settings.host(), settings.port(), settings.user(), settings.password());
                }
                else {
                    transport.connect();
                }
                open = true;
                lastUsed = System.nanoTime();
            }
            catch (MessagingException e) {
                // Nothing was handed over: safe to try again later.
                throw new MailSendException(MailSendException.Kind.TRANSIENT, -1, false,
                        "Cannot connect to SMTP " + settings.host() + ":" + settings.port() + ": " + e.getMessage(), e);
            }
        }

        public void send(OutgoingEmail email) throws MailSendException {
            send(email, null);
        }

        /** Sends {@code email}, DKIM-signed with {@code dkim} when not null. */
        public void send(OutgoingEmail email, DkimKey dkim) throws MailSendException {
            MimeMessage message;
            try {
                message = toMessage(email, dkim);
            }
            catch (MessagingException e) {
                throw new MailSendException(MailSendException.Kind.PERMANENT, -1, true,
                        "Cannot build the message: " + e.getMessage(), e);
            }
            ensureConnected();
            try {
                transport.sendMessage(message, message.getAllRecipients());
                lastUsed = System.nanoTime();
            }
            catch (SendFailedException e) {
                // Refused: the server answered, but ask it again before the next message, as before every one earlier.
                lastUsed = System.nanoTime() - IDLE_CHECK_NANOS;
                throw classify(e);
            }
            catch (MessagingException e) {
                // The conversation broke after it began: the server may have accepted the message.
                closeQuietly();
                throw new MailSendException(MailSendException.Kind.UNKNOWN, -1, false,
                        "SMTP conversation broke: " + e.getMessage(), e);
            }
        }

        private MailSendException classify(SendFailedException e) {
            int code = -1;
            boolean recipient = e.getInvalidAddresses() != null && e.getInvalidAddresses().length > 0;
            for (Exception x = e; x != null; x = x instanceof MessagingException me ? me.getNextException() : null) {
                if (x instanceof SMTPAddressFailedException a) {
                    code = a.getReturnCode();
                    recipient = true;
                    break;
                }
                if (x instanceof SMTPSenderFailedException s) {
                    code = s.getReturnCode();
                    break;
                }
                if (x instanceof SMTPSendFailedException s && code < 0) {
                    code = s.getReturnCode();
                }
            }
            MailSendException.Kind kind = code >= 500 ? MailSendException.Kind.PERMANENT
                    : code >= 400 ? MailSendException.Kind.TRANSIENT
                    : MailSendException.Kind.UNKNOWN;
            return new MailSendException(kind, code, recipient, "SMTP refused the message (" + code + "): "
                    + e.getMessage(), e);
        }

        private void closeQuietly() {
            open = false;
            try {
                if (transport != null) {
                    transport.close();
                }
            }
            catch (MessagingException ignored) {
                // Closing a broken connection.
            }
        }

        @Override
        public void close() {
            closeQuietly();
        }
    }

    /** The text part derived from the HTML when a template has none ({@link HtmlText}). */
    public static String textFromHtml(String html) {
        return HtmlText.of(html);
    }

    /** The DKIM-signing message of {@link #toMessage(OutgoingEmail, DkimKey)}, keeping its Message-ID too. */
    private static final class FixedIdDkimMessage extends DkimMessage {
        private final String messageId;

        FixedIdDkimMessage(Session session, DkimSigner signer, String messageId) throws MessagingException {
            // DkimMessage only copies a message: it is given an empty one (nothing to copy), then filled in itself.
            super(new MimeMessage(session, new ByteArrayInputStream(EMPTY_MESSAGE)), signer);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }

    /** A MimeMessage that keeps the Message-ID it was given instead of inventing one on save. */
    private static final class FixedIdMessage extends MimeMessage {
        private final String messageId;

        FixedIdMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }
}
