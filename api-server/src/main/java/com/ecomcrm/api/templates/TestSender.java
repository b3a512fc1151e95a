package com.ecomcrm.api.templates;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.email.mail.MailSendException;
import com.ecomcrm.email.mail.MailSender;
import com.ecomcrm.email.mail.OutgoingEmail;
import com.ecomcrm.email.render.RenderedEmail;
import com.ecomcrm.email.render.TemplateContent;
import com.ecomcrm.email.render.TemplateRenderException;
import com.ecomcrm.email.render.TemplateRenderer;
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
 * {@code [Test] }, otherwise exactly as the send job sends: tracked links, {@code List-Unsubscribe} and
 * {@code List-Unsubscribe-Post}, the same SMTP settings ({@code ECOMCRM_SMTP_*}).
 *
 * <p>The row is written SENDING with a lease before SMTP, like a claimed send, so a crash mid-send leaves it to the
 * send job's lease check (HELD), never to a silent resend.
 */
final class TestSender {
    static final String SUBJECT_PREFIX = "[Test] ";
    private static final String WORKER = "api-test-send";

    /** Who the email is from: the shop's sender name and, when set, its reply-to address. */
    record Sender(String name, Optional<String> replyTo) {
        Sender {
            requireNonNull(name, "name is null");
            requireNonNull(replyTo, "replyTo is null");
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

    TestSender(Vertx vertx, Pool postgres, TemplateRenderer renderer, MailSender mail, TrackingLinks links) {
        this.vertx = requireNonNull(vertx, "vertx is null");
        this.postgres = requireNonNull(postgres, "postgres is null");
        this.renderer = requireNonNull(renderer, "renderer is null");
        this.mail = requireNonNull(mail, "mail is null");
        this.links = requireNonNull(links, "links is null");
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
        OutgoingEmail email = new OutgoingEmail(mail.settings().fromAddress(), sender.name(), to,
                SUBJECT_PREFIX + rendered.subject(), links.rewriteHtml(shop, sendId, rendered.html()),
                rendered.text(), messageId, unsubscribe, "mailto:unsubscribe@" + mail.settings().mailDomain()
                + "?subject=" + links.unsubscribeToken(shop, sendId), true, sender.replyTo().orElse(null));
        try {
            mail.send(email);
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
