package com.ecomcrm.api.templates;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.email.mail.DkimKey;
import com.ecomcrm.email.mail.MailSendException;
import com.ecomcrm.email.mail.MailSender;
import com.ecomcrm.email.mail.OutgoingEmail;
import com.ecomcrm.email.mail.ShopSender;
import com.ecomcrm.email.render.RenderedEmail;
import com.ecomcrm.email.render.TemplateContent;
import com.ecomcrm.email.render.TemplateRenderException;
import com.ecomcrm.email.render.TemplateRenderer;
import com.ecomcrm.email.secrets.SecretCipher;
import com.ecomcrm.tracking.TrackingLinks;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static java.util.Objects.requireNonNull;

/**
 * Sends a template's newest version to the merchant at once, marked as a test: recorded in {@code sends} with
 * {@code is_test = true} and no flow (so no statistic, quota or frequency cap counts it), subject prefixed
 * {@code [Test] }, otherwise exactly as the send job sends: the same sender ({@link ShopSender}: the merchant's own
 * From address at the verified domain, DKIM-signed, else the app's with replies to the merchant), tracked links,
 * {@code List-Unsubscribe} and {@code List-Unsubscribe-Post}, the same SMTP settings ({@code ECOMCRM_SMTP_*}). Its
 * unsubscribe link works but changes nothing (the tracking routes see {@code is_test}).
 *
 * <p>The row is written SENDING with a lease before SMTP, like a claimed send, so a crash mid-send leaves it to the
 * send job's lease check (HELD), never to a silent resend.
 */
final class TestSender {
    static final String SUBJECT_PREFIX = "[Test] ";
    private static final String WORKER = "api-test-send";

    /**
     * Who the email is from, as the send job decides it ({@link ShopSender}), the postal address of the footer, and
     * the sealed DKIM key of the verified sender domain the From address is at, if it is.
     */
    record Sender(ShopSender.Sender from, String postalAddress, Optional<SealedDkimKey> dkim) {
        Sender {
            requireNonNull(from, "from is null");
            requireNonNull(postalAddress, "postalAddress is null");
            requireNonNull(dkim, "dkim is null");
        }
    }

    /** A sender domain's key as stored ({@code sender_domains.dkim_private_key}), opened only on the sending thread. */
    record SealedDkimKey(String domain, String selector, byte[] sealed) {
        SealedDkimKey {
            requireNonNull(domain, "domain is null");
            requireNonNull(selector, "selector is null");
            requireNonNull(sealed, "sealed is null");
        }
    }

    /** The test send went out: its ledger row and where it went. */
    record Sent(long sendId, String to) {
    }

    private final Vertx vertx;
    private final Pool postgres;
    private final TemplateRenderer renderer;
    private final MailSender mail;
    private final TrackingLinks links;
    private final SecretCipher cipher;

    TestSender(Vertx vertx, Pool postgres, TemplateRenderer renderer, MailSender mail, TrackingLinks links,
               SecretCipher cipher) {
        this.vertx = requireNonNull(vertx, "vertx is null");
        this.postgres = requireNonNull(postgres, "postgres is null");
        this.renderer = requireNonNull(renderer, "renderer is null");
        this.mail = requireNonNull(mail, "mail is null");
        this.links = requireNonNull(links, "links is null");
        this.cipher = requireNonNull(cipher, "cipher is null");
    }

    Future<Sent> send(ShopId shop, TemplateStore.TemplateView template, String to, Optional<Long> customerId,
                      Map<String, Object> model, Sender sender) {
        String idempotencyKey = "test:" + UUID.randomUUID();
        return postgres.preparedQuery("INSERT INTO sends (shop_domain, flow_id, customer_id, email, trigger_key, "
                        + "idempotency_key, status, due_at, claimed_by, claimed_until, attempts, template_id, "
                        + "template_version, is_test) VALUES ($1, NULL, $2, $3, 'test', $4, 'SENDING', now(), $5, "
                        + "now() + interval '10 minutes', 1, $6, $7, true) RETURNING id")
                .execute(Tuple.of(shop.domain(), customerId.orElse(null), to, idempotencyKey, WORKER, template.id(),
                        template.version()))
                .map(rows -> rows.iterator().next().getLong("id"))
                .compose(sendId -> vertx.executeBlocking(() -> deliver(shop, template, to, model, sender, sendId,
                                idempotencyKey), false)
                        .compose(messageId -> finish(sendId, "SENT", null, messageId).map(new Sent(sendId, to)))
                        .recover(failure -> finish(sendId, failure instanceof Undelivered u ? u.status : "FAILED",
                                failure instanceof Undelivered u ? u.reason : "test_send_error", null)
                                .compose(x -> Future.failedFuture(failure instanceof Undelivered u ? u.answer
                                        : failure))));
    }

    private String deliver(ShopId shop, TemplateStore.TemplateView template, String to, Map<String, Object> model,
                           Sender sender, long sendId, String idempotencyKey) throws Undelivered {
        Map<String, Object> data = new LinkedHashMap<>(model);
        String unsubscribe = links.unsubscribeUrl(shop, sendId);
        data.put("unsubscribe_url", unsubscribe);
        data.put("shop", Map.of("name", sender.from().name(), "domain", shop.domain(), "address",
                sender.postalAddress()));
        RenderedEmail rendered;
        try {
            rendered = renderer.render(shop, new TemplateContent(template.id() + ":" + template.version(),
                    template.subject(), template.bodyHtml(), null), data);
        }
        catch (TemplateRenderException e) {
            throw new Undelivered("FAILED", "template_error: " + e.problem(), new TemplateProblems(
                    java.util.List.of(e.problem())));
        }
        String messageId = mail.messageIdFor(idempotencyKey);
        OutgoingEmail email = new OutgoingEmail(sender.from().address(), sender.from().name(), to,
                SUBJECT_PREFIX + rendered.subject(), links.rewriteHtml(shop, sendId, rendered.html()),
                rendered.text(), messageId, unsubscribe, "mailto:unsubscribe@" + mail.settings().mailDomain()
                + "?subject=" + links.unsubscribeToken(shop, sendId), true, sender.from().replyTo().orElse(null));
        DkimKey dkim;
        try {
            dkim = sender.dkim().map(key -> new DkimKey(key.domain(), key.selector(),
                    DkimKey.unseal(key.sealed(), shop.domain(), key.domain(), cipher))).orElse(null);
        }
        catch (RuntimeException e) {
            // As the send job: never send unsigned from a verified domain (its DMARC policy could reject it).
            throw new Undelivered("FAILED", "dkim_key", new DomainException(ErrorCode.INTERNAL, "Cannot send the "
                    + "test email: the signing key of " + sender.from().domain() + " cannot be read"));
        }
        try {
            mail.send(email, dkim);
        }
        catch (MailSendException e) {
            String status = e.kind() == MailSendException.Kind.UNKNOWN ? "HELD" : "FAILED";
            throw new Undelivered(status, "smtp_" + e.kind().name().toLowerCase(java.util.Locale.ROOT) + ": "
                    + e.smtpCode(), new DomainException(ErrorCode.UNAVAILABLE, "Cannot send the test email: the "
                    + "mail server " + (e.smtpCode() > 0 ? "answered " + e.smtpCode() : "could not be reached")));
        }
        return messageId;
    }

    private Future<Void> finish(long sendId, String status, String reason, String messageId) {
        return postgres.preparedQuery("UPDATE sends SET status = $2, skip_reason = $3, message_id = $4, "
                        + "sent_at = CASE WHEN $2 = 'SENT' THEN now() END, claimed_until = NULL, updated_at = now() "
                        + "WHERE id = $1 AND claimed_by = $5 AND status = 'SENDING'")
                .execute(Tuple.of(sendId, status, reason, messageId, WORKER)).mapEmpty();
    }

    /** Why a test send did not go out: the ledger's status and reason, and what the merchant is told. */
    private static final class Undelivered extends Exception {
        private final String status;
        private final String reason;
        private final RuntimeException answer;

        Undelivered(String status, String reason, RuntimeException answer) {
            super(reason, null, false, false);
            this.status = status;
            this.reason = reason;
            this.answer = answer;
        }
    }
}
