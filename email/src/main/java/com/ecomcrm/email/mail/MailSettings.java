package com.ecomcrm.email.mail;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * SMTP relay and sender settings, from the environment: {@code ECOMCRM_SMTP_HOST} (127.0.0.1),
 * {@code ECOMCRM_SMTP_PORT} (2525), {@code ECOMCRM_SMTP_USER} / {@code ECOMCRM_SMTP_PASSWORD} (none),
 * {@code ECOMCRM_SMTP_STARTTLS} (false), {@code ECOMCRM_MAIL_FROM} (no-reply@mail.ecomcrm.local),
 * {@code ECOMCRM_MAIL_DOMAIN} (mail.ecomcrm.local: Message-IDs and the unsubscribe mailto address).
 */
public record MailSettings(String host, int port, String user, String password, boolean startTls,
                           String fromAddress, String mailDomain) {
    public MailSettings {
        requireNonNull(host, "host is null");
        requireNonNull(fromAddress, "fromAddress is null");
        requireNonNull(mailDomain, "mailDomain is null");
    }

    public static MailSettings local(int port) {
        return new MailSettings("127.0.0.1", port, null, null, false, "no-reply@mail.ecomcrm.local",
                "mail.ecomcrm.local");
    }

    public static MailSettings fromEnv(Map<String, String> env) {
        return new MailSettings(
                env.getOrDefault("ECOMCRM_SMTP_HOST", "127.0.0.1"),
                Integer.parseInt(env.getOrDefault("ECOMCRM_SMTP_PORT", "2525")),
                env.get("ECOMCRM_SMTP_USER"),
                env.get("ECOMCRM_SMTP_PASSWORD"),
                Boolean.parseBoolean(env.getOrDefault("ECOMCRM_SMTP_STARTTLS", "false")),
                env.getOrDefault("ECOMCRM_MAIL_FROM", "no-reply@mail.ecomcrm.local"),
                env.getOrDefault("ECOMCRM_MAIL_DOMAIN", "mail.ecomcrm.local"));
    }

    @Override
    public String toString() {
        return "MailSettings[" + host + ":" + port + ", user=" + user + ", from=" + fromAddress + "]";
    }
}
