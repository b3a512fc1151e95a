package com.ecomcrm.email.mail;

import static java.util.Objects.requireNonNull;

/**
 * One email ready to go. {@code messageId} is the full header value ({@code <...@...>}), derived from the send's
 * idempotency key ({@link MailSender#messageIdFor}) so a send has the same Message-ID however often it is tried.
 * {@code listUnsubscribeUrl} / {@code listUnsubscribeMailto} become {@code List-Unsubscribe} and
 * {@code List-Unsubscribe-Post: List-Unsubscribe=One-Click} (RFC 8058); null for a transactional email.
 * {@code replyTo} becomes {@code Reply-To} when not null: the merchant's address while mail goes out from the app's
 * domain (no verified sender domain of their own yet).
 */
public record OutgoingEmail(String fromAddress, String fromName, String to, String subject, String html,
                            String text, String messageId, String listUnsubscribeUrl, String listUnsubscribeMailto,
                            boolean test, String replyTo) {
    /** An email without Reply-To. */
    public OutgoingEmail(String fromAddress, String fromName, String to, String subject, String html, String text,
                         String messageId, String listUnsubscribeUrl, String listUnsubscribeMailto, boolean test) {
        this(fromAddress, fromName, to, subject, html, text, messageId, listUnsubscribeUrl, listUnsubscribeMailto, test,
                null);
    }

    public OutgoingEmail {
        requireNonNull(fromAddress, "fromAddress is null");
        requireNonNull(to, "to is null");
        requireNonNull(subject, "subject is null");
        requireNonNull(html, "html is null");
        requireNonNull(messageId, "messageId is null");
    }
}
