package com.ecomcrm.api.settings;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Settings of sender-domain verification, from the environment:
 * {@code ECOMCRM_DNS_RESOLVER} ({@code host:port}; default the system's resolver),
 * {@code ECOMCRM_SPF_INCLUDE} (the SPF include the merchant adds; default {@code _spf.<mail domain>}),
 * {@code ECOMCRM_RETURN_PATH_TARGET} (where the return-path CNAME points; default {@code bounces.<mail domain>}),
 * the mail domain being {@code ECOMCRM_MAIL_DOMAIN} as the send job reads it (default {@code mail.ecomcrm.local}).
 */
public record SenderDomainSettings(Optional<InetSocketAddress> resolver, Duration timeout, String spfInclude,
                                   String returnPathTarget, String dkimSelector) {
    public SenderDomainSettings {
        requireNonNull(resolver, "resolver is null");
        requireNonNull(timeout, "timeout is null");
        requireNonNull(spfInclude, "spfInclude is null");
        requireNonNull(returnPathTarget, "returnPathTarget is null");
        requireNonNull(dkimSelector, "dkimSelector is null");
    }

    public static SenderDomainSettings fromEnv(Map<String, String> env) {
        String mailDomain = env.getOrDefault("ECOMCRM_MAIL_DOMAIN", "mail.ecomcrm.local");
        return new SenderDomainSettings(resolver(env.get("ECOMCRM_DNS_RESOLVER")), Duration.ofSeconds(3),
                env.getOrDefault("ECOMCRM_SPF_INCLUDE", "_spf." + mailDomain),
                env.getOrDefault("ECOMCRM_RETURN_PATH_TARGET", "bounces." + mailDomain),
                "ecomcrm1");
    }

    static Optional<InetSocketAddress> resolver(String setting) {
        if (setting == null || setting.isBlank()) {
            return Optional.empty();
        }
        int colon = setting.lastIndexOf(':');
        try {
            if (colon <= 0) {
                throw new NumberFormatException();
            }
            int port = Integer.parseInt(setting.substring(colon + 1).strip());
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return Optional.of(new InetSocketAddress(setting.substring(0, colon).strip(), port));
        }
        catch (NumberFormatException e) {
            throw new IllegalArgumentException("Cannot use ECOMCRM_DNS_RESOLVER: it must be host:port, e.g. "
                    + "127.0.0.1:53");
        }
    }
}
