package com.ecomcrm.api.templates;

import com.ecomcrm.api.flows.CustomerEmails;
import com.ecomcrm.api.flows.FlowHandlers;
import com.ecomcrm.api.flows.FlowStore;
import com.ecomcrm.api.settings.DnsLookup;
import com.ecomcrm.api.settings.SenderDomainHandlers;
import com.ecomcrm.api.settings.SenderDomainSettings;
import com.ecomcrm.api.settings.SenderDomainStore;
import com.ecomcrm.api.settings.SettingsHandlers;
import com.ecomcrm.api.settings.SettingsStore;
import com.ecomcrm.email.secrets.SecretCipher;
import com.ecomcrm.email.mail.MailSender;
import com.ecomcrm.email.mail.MailSettings;
import com.ecomcrm.tracking.TrackingLinks;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * The email engine's HTTP routes (flows, templates and test sends, settings and the sender domain), built from the
 * environment the send job reads too: {@code ECOMCRM_SMTP_*}, {@code ECOMCRM_MAIL_FROM}, {@code ECOMCRM_MAIL_DOMAIN}
 * (see {@link MailSettings#fromEnv}), {@code ECOMCRM_DNS_RESOLVER} and friends ({@link SenderDomainSettings}), and
 * {@code ECOMCRM_TEST_SENDS_PER_MINUTE} (default 10).
 */
public record EmailApi(FlowHandlers flows, TemplateHandlers templates, SettingsHandlers settings) {
    public EmailApi {
        requireNonNull(flows, "flows is null");
        requireNonNull(templates, "templates is null");
        requireNonNull(settings, "settings is null");
    }

    public static EmailApi create(Vertx vertx, Pool postgres, SecretCipher cipher, TrackingLinks links,
                                  Map<String, String> env, Clock clock) {
        int perMinute = Integer.parseInt(env.getOrDefault("ECOMCRM_TEST_SENDS_PER_MINUTE", "10").strip());
        SenderDomainSettings domains = SenderDomainSettings.fromEnv(env);
        SenderDomainStore senderDomains = new SenderDomainStore(postgres);
        return new EmailApi(
                new FlowHandlers(new FlowStore(postgres), new CustomerEmails(postgres)),
                new TemplateHandlers(vertx, postgres, new MailSender(MailSettings.fromEnv(env)), links,
                        new TestSendLimit(perMinute, Duration.ofMinutes(1), clock), cipher),
                new SettingsHandlers(new SettingsStore(postgres), senderDomains, new SenderDomainHandlers(vertx,
                        senderDomains, cipher, new DnsLookup(domains.resolver(), domains.timeout()), domains, clock)));
    }
}
