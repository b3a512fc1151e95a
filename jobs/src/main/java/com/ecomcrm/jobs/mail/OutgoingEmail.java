package com.ecomcrm.jobs.mail;

import static java.util.Objects.requireNonNull;

/**
 * One email ready to go. {@code messageId} is the full header value ({@code <...@...>}), derived from the send's
 * idempotency key ({@link MailSender#messageIdFor}) so a send has the same Message-ID however often it is tried.
 * {@code listUnsubscribeUrl} / {@code listUnsubscribeMailto} become {@code List-Unsubscribe} and
 * {@code List-Unsubscribe-Post: List-Unsubscribe=One-Click} (RFC 8058); null for a transactional email.
 */
public record OutgoingEmail(String fromAddress, String fromName, String to, String subject, String html,
                            String text, String messageId, String listUnsubscribeUrl, String listUnsubscribeMailto,
                            boolean test) {
    public OutgoingEmail {
        requireNonNull(fromAddress, "fromAddress is null");
        requireNonNull(to, "to is null");
        requireNonNull(subject, "subject is null");
        requireNonNull(html, "html is null");
        requireNonNull(messageId, "messageId is null");
    }
}
