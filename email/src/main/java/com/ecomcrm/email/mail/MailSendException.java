package com.ecomcrm.email.mail;

/** Why an email did not (certainly) go out, and what the caller may do about it. */
public final class MailSendException extends Exception {
    /** The three outcomes that matter for "never twice, never lost". */
    public enum Kind {
        /** Not handed over (could not connect, or the server answered 4xx): safe to try again later. */
        TRANSIENT,
        /** Refused for good (5xx): do not try again; for a refused recipient, suppress the address. */
        PERMANENT,
        /** The connection broke while the message was being handed over: it may have been delivered. */
        UNKNOWN
    }

    private final Kind kind;
    private final int smtpCode;
    private final boolean recipientRefused;

    public MailSendException(Kind kind, int smtpCode, boolean recipientRefused, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.smtpCode = smtpCode;
        this.recipientRefused = recipientRefused;
    }

    public Kind kind() {
        return kind;
    }

    /** The SMTP reply code when the server gave one, else -1. */
    public int smtpCode() {
        return smtpCode;
    }

    public boolean recipientRefused() {
        return recipientRefused;
    }
}
