package com.ecomcrm.jobs;

import static java.util.Objects.requireNonNull;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.email.mail.DkimKey;
import com.ecomcrm.email.mail.MailSendException;
import com.ecomcrm.email.mail.MailSender;
import com.ecomcrm.email.mail.OutgoingEmail;
import com.ecomcrm.email.mail.ShopSender;
import com.ecomcrm.tracking.TrackingLinks;
import com.ecomcrm.email.render.RenderedEmail;
import com.ecomcrm.email.render.TemplateRenderException;
import com.ecomcrm.email.render.TemplateRenderer;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Sends due emails. Several workers (threads or processes) may run at once: each claims a batch with
 * {@code UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED LIMIT n) RETURNING ...}, committed before any
 * SMTP traffic, so no two workers ever hold the same row.
 *
 * <p>Per claimed send: the shop must still have the app installed (else CANCELLED {@code shop_uninstalled}: a
 * reinstall starts afresh rather than delivering reminders that went stale meanwhile), the flow must still be on
 * (else CANCELLED {@code flow_disabled}), the address not suppressed
 * (SKIPPED {@code suppressed:<reason>}), the customer's consent SUBSCRIBED (SKIPPED {@code consent:<state>}); then
 * render, rewrite links, send, and mark SENT with the Message-ID.
 *
 * <p>Round trips: what must see a change made a moment ago (uninstall, flow switched off, suppression, consent, the
 * quota and cap counts) is read just before each send in one statement ({@link SendCheck}); what may be a batch old
 * (sending rules, sender identity, DKIM keys, template versions) is read once per batch. SENT marks are owed
 * ({@link SentMarks}) and written in the same round trip as the next send's check, or at the end of the batch: the
 * row stays SENDING under this worker's claim meanwhile, so a crash in between leaves it to be HELD, never resent.
 *
 * <p>Then the shop's sending rules ({@link SendingRules}; test sends are exempt): over the plan's monthly quota the
 * send is HELD ({@code quota}) until {@link SendingRules#releaseQuotaHolds} puts it back; a send the frequency cap
 * or the quiet hours do not allow now goes back to SCHEDULED at the first instant both allow, with
 * {@code defer_reason} ({@code frequency_cap}, {@code quiet_hours} or both) and {@code deferrals} + 1. Neither a
 * hold nor a deferral counts as an attempt. The From address is the merchant's own once its domain is the shop's
 * verified sender domain, else the app's in the shop's name with replies to the merchant ({@link ShopSender}); when
 * the From address is at a verified sender domain of the shop ({@code sender_domains}), the email is DKIM-signed
 * with its key.
 *
 * <p><b>Never duplicate beats never lose.</b> A worker that dies between the SMTP server accepting a message and
 * recording SENT leaves the row in SENDING. Such rows are NOT resent: once their lease ({@code claimed_until}) has
 * passed, {@link #holdExpiredLeases()} marks them HELD ({@code lease_expired_outcome_unknown}) for a person to
 * review (the message may or may not have gone out). Likewise an SMTP conversation that breaks mid-message is HELD.
 * Only failures that certainly sent nothing (cannot connect, 4xx) are retried, with exponential backoff; 5xx fails
 * the send, and a refused recipient is suppressed ({@code hard_bounce}).
 */
public final class SendWorker {
    private static final Logger LOG = LoggerFactory.getLogger(SendWorker.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final int MAX_ATTEMPTS = 5;
    private static final String OWN_SENDER_DOMAIN_PLANS = com.ecomcrm.domain.PlanFeature.OWN_SENDER_DOMAIN.plans()
            .stream().map(plan -> "'" + plan + "'").collect(java.util.stream.Collectors.joining(", "));

    /** A test hook: runs after the SMTP server accepted a message and before SENT is recorded. */
    @FunctionalInterface
    public interface AfterAccepted {
        void run(long sendId);
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final TemplateStore templates;
    private final TemplateRenderer renderer;
    private final MailSender mail;
    private final TrackingLinks links;
    private final String workerId;
    private final Duration lease;
    private final Clock clock;
    private final SendingRules rules;
    private final ContactsLimit contactsLimit;
    private final Map<String, String> env;
    private final Map<String, DkimKey> dkimKeys = new ConcurrentHashMap<>();
    private volatile AfterAccepted afterAccepted = id -> { };
    private volatile java.util.function.Consumer<List<Long>> beforeRecordingSent = ids -> { };

    public SendWorker(DataSource dataSource, TemplateStore templates, TemplateRenderer renderer, MailSender mail,
                      TrackingLinks links, String workerId, Duration lease) {
        this(dataSource, templates, renderer, mail, links, workerId, lease, Clock.systemUTC(), System.getenv());
    }

    /**
     * {@code clock} decides what is due and every sending-rule time (tests inject one); {@code env} resolves
     * {@code env:} DKIM key references and holds {@code ECOMCRM_TOKEN_KEYS}, which opens {@code sealed:} ones.
     */
    public SendWorker(DataSource dataSource, TemplateStore templates, TemplateRenderer renderer, MailSender mail,
                      TrackingLinks links, String workerId, Duration lease, Clock clock, Map<String, String> env) {
        this.clock = requireNonNull(clock, "clock is null");
        this.env = requireNonNull(env, "env is null");
        this.rules = new SendingRules(dataSource);
        this.contactsLimit = new ContactsLimit(dataSource);
        this.jdbc = new JdbcTemplate(requireNonNull(dataSource, "dataSource is null"));
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.tx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.templates = requireNonNull(templates, "templates is null");
        this.renderer = requireNonNull(renderer, "renderer is null");
        this.mail = requireNonNull(mail, "mail is null");
        this.links = requireNonNull(links, "links is null");
        this.workerId = requireNonNull(workerId, "workerId is null");
        this.lease = requireNonNull(lease, "lease is null");
    }

    public SendingRules rules() {
        return rules;
    }

    /** The quota release step (run by the send job before it drains): see {@link SendingRules#releaseQuotaHolds}. */
    public int releaseQuotaHolds() {
        // Committed on its own (also inside the send job's step transaction), before the drain claims.
        Integer released = tx.execute(status -> rules.releaseQuotaHolds(clock.instant()));
        return released == null ? 0 : released;
    }

    public void afterAccepted(AfterAccepted hook) {
        this.afterAccepted = requireNonNull(hook);
    }

    /**
     * A test hook: runs at the end of a batch before the SENT marks still owed (the sends it is given, accepted by
     * the SMTP server) are written; throwing from it plays a worker that dies between delivery and the mark.
     */
    public void beforeRecordingSent(java.util.function.Consumer<List<Long>> hook) {
        this.beforeRecordingSent = requireNonNull(hook);
    }

    /** A claimed send. */
    private record Claimed(long id, ShopId shop, Long flowId, Long customerId, String email, String idempotencyKey,
                           String mergeData, int attempts, boolean test) {
    }

    /** Sends until nothing is due; returns how many sends it claimed. */
    public int drain(int batchSize) {
        int total = 0;
        while (true) {
            int n = runOnce(batchSize);
            total += n;
            if (n == 0) {
                return total;
            }
        }
    }

    /** Claims up to {@code batchSize} due sends and processes them; returns how many it claimed. */
    public int runOnce(int batchSize) {
        List<Claimed> claimed = tx.execute(status -> jdbc.query(
                "UPDATE sends SET status = 'SENDING', claimed_by = ?, claimed_until = now() + ?::interval, "
                        + "attempts = attempts + 1, updated_at = now() WHERE id IN (SELECT id FROM sends "
                        + "WHERE status = 'SCHEDULED' AND due_at <= ? ORDER BY due_at "
                        + "FOR UPDATE SKIP LOCKED LIMIT ?) "
                        + "RETURNING id, shop_domain, flow_id, customer_id, email, idempotency_key, merge_data::text, "
                        + "attempts, is_test",
                (rs, i) -> {
                    long flow = rs.getLong(3);
                    Long flowId = rs.wasNull() ? null : flow;
                    long customer = rs.getLong(4);
                    Long customerId = rs.wasNull() ? null : customer;
                    return new Claimed(rs.getLong(1), ShopId.of(rs.getString(2)), flowId, customerId,
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getInt(8), rs.getBoolean(9));
                }, workerId, lease.toSeconds() + " seconds", Timestamp.from(clock.instant()), batchSize));
        if (claimed == null || claimed.isEmpty()) {
            return 0;
        }
        MailSender.Connection[] connection = new MailSender.Connection[1];
        Batch batch = new Batch();
        SentMarks marks = new SentMarks(workerId);
        RuntimeException failure = null;
        try {
            for (Claimed send : claimed) {
                try {
                    process(send, connection, batch, marks);
                }
                catch (MailSendException e) {
                    // Could not even connect: nothing went out.
                    retryOrFail(send, e.getMessage());
                }
                catch (RuntimeException e) {
                    LOG.error("Send {} failed unexpectedly; it stays SENDING and will be held for review", send.id, e);
                    failure = e;
                    throw e;
                }
            }
        }
        finally {
            if (connection[0] != null) {
                connection[0].close();
            }
            // The emails already accepted are marked even when the batch ends in a failure.
            try {
                recordSent(marks);
            }
            catch (RuntimeException e) {
                if (failure == null) {
                    throw e;
                }
                failure.addSuppressed(e);
            }
        }
        return claimed.size();
    }

    /**
     * Writes the SENT marks still owed at the end of a batch. If this fails (or never runs: the process died), the
     * rows stay SENDING and are held for review once their lease expires: never resent.
     */
    private void recordSent(SentMarks marks) {
        if (marks.isEmpty()) {
            return;
        }
        beforeRecordingSent.accept(marks.sendIds());
        jdbc.execute((org.springframework.jdbc.core.ConnectionCallback<Void>) c -> {
            marks.flush(c);
            return null;
        });
    }

    /**
     * What a batch reads once rather than once per send: the shops' sending rules, sender identity and DKIM keys,
     * the template versions, the parsed flow settings. The checks that must see a change made a moment ago (the flow
     * switched off, an unsubscribe, a suppression, an uninstall, quota and cap counts) are read per send
     * ({@link SendCheck}).
     */
    private final class Batch {
        private final Map<ShopId, SendingRules.ShopRules> rules = new HashMap<>();
        private final Map<ShopId, Map<String, Object>> identityRows = new HashMap<>();
        private final Map<String, Object> dkim = new HashMap<>(); // shop|host -> DkimKey, NO_KEY or the failure
        private final Map<String, Optional<TemplateStore.Version>> versions = new HashMap<>();
        private final Map<String, Map<String, Object>> settings = new HashMap<>();

        SendingRules.ShopRules rules(ShopId shop) {
            return rules.computeIfAbsent(shop, SendWorker.this.rules::load);
        }

        Map<String, Object> identityRow(ShopId shop) {
            return identityRows.computeIfAbsent(shop, SendWorker.this::identityRow);
        }

        Optional<TemplateStore.Version> latest(ShopId shop, long templateId) {
            return versions.computeIfAbsent(shop.domain() + "|" + templateId, k -> templates.latest(shop, templateId));
        }

        Map<String, Object> settings(String json) {
            return settings.computeIfAbsent(json == null ? "" : json, k -> parse(json));
        }

        DkimKey dkim(ShopId shop, String fromAddress) {
            Object found = dkim.computeIfAbsent(shop.domain() + "|" + fromAddress.toLowerCase(Locale.ROOT), k -> {
                try {
                    DkimKey key = dkimFor(shop, fromAddress);
                    return key == null ? NO_KEY : key;
                }
                catch (RuntimeException e) {
                    return e;
                }
            });
            if (found instanceof RuntimeException e) {
                throw e;
            }
            return found == NO_KEY ? null : (DkimKey) found;
        }
    }

    private static final Object NO_KEY = new Object();

    /** {@code connection} holds the batch's SMTP connection, opened only when a send gets that far. */
    private void process(Claimed send, MailSender.Connection[] connection, Batch batch, SentMarks marks)
            throws MailSendException {
        SendingRules.ShopRules shopRules = batch.rules(send.shop);
        Instant now = clock.instant();
        SendCheck.Window window = new SendCheck.Window(SendingRules.quotaMonth(now, shopRules.zone()),
                SendingRules.startOfMonth(now, shopRules.zone()), now.minus(shopRules.capWindow()),
                shopRules.capExemptFlows().toArray(String[]::new));
        SendCheck check = jdbc.execute((org.springframework.jdbc.core.ConnectionCallback<SendCheck>) c ->
                SendCheck.read(c, marks, send.shop, send.flowId, send.customerId, send.email, send.id, window));
        if (check.uninstalled()) {
            finish(send, "CANCELLED", "shop_uninstalled");
            return;
        }
        if (send.flowId == null || !check.flowFound() || !check.flowEnabled()) {
            finish(send, "CANCELLED", "flow_disabled");
            return;
        }
        if (check.suppression() != null) {
            finish(send, "SKIPPED", "suppressed:" + check.suppression());
            return;
        }
        String consent = check.consent();
        if (!"SUBSCRIBED".equals(consent)) {
            finish(send, "SKIPPED", "consent:" + (consent == null ? "unknown" : consent.toLowerCase()));
            return;
        }
        if (!send.test && contactsLimit.beyond(send.shop, send.customerId, send.email)) {
            // Over the plan's contacts limit: the newest contacts get no flow email until an upgrade (ContactsLimit).
            finish(send, "SKIPPED", "contacts_limit");
            return;
        }
        if (!send.test && !applyRules(send, check, shopRules, now)) {
            return;
        }
        Optional<TemplateStore.Version> version = check.templateId() == null ? Optional.empty()
                : batch.latest(send.shop, check.templateId());
        if (version.isEmpty()) {
            finish(send, "FAILED", "no_template");
            return;
        }
        Map<String, Object> settings = batch.settings(check.flowSettings());
        Map<String, Object> model = new LinkedHashMap<>(parse(send.mergeData));
        ShopEmailIdentity identity = identity(send.shop, settings, batch.identityRow(send.shop));
        ShopSender.Sender sender = identity.sender();
        String shopName = sender.name();
        model.put("shop", Map.of("name", shopName, "domain", send.shop.domain(), "address", identity.postalAddress()));
        String unsubscribe = links.unsubscribeUrl(send.shop, send.id);
        model.put("unsubscribe_url", unsubscribe);
        model.put("discount_code", String.valueOf(settings.getOrDefault("discount_code", "")));
        model.putIfAbsent("recommended_products", List.of());
        model.putIfAbsent("customer", Map.of("first_name", "", "last_name", "", "email", send.email));
        RenderedEmail rendered;
        try {
            rendered = renderer.render(send.shop, version.get().content(), model);
        }
        catch (TemplateRenderException e) {
            finish(send, "FAILED", "template_error: " + e.problem());
            return;
        }
        catch (IllegalArgumentException e) {
            finish(send, "FAILED", "merge_data: " + e.getMessage());
            return;
        }
        String messageId = mail.messageIdFor(send.idempotencyKey);
        String fromAddress = sender.address();
        DkimKey dkim;
        try {
            dkim = batch.dkim(send.shop, fromAddress);
        }
        catch (RuntimeException e) {
            // A verified domain whose key cannot be read: sending unsigned could be rejected by the domain's DMARC
            // policy and then suppress the recipient; retry (nothing went out) and let someone fix the key.
            LOG.error("Send {}: no usable DKIM key for {}: {}", send.id, fromAddress, e.getMessage());
            retryOrFail(send, "dkim_key: " + e.getMessage());
            return;
        }
        OutgoingEmail email = new OutgoingEmail(fromAddress, shopName,
                send.email, rendered.subject(), links.rewriteHtml(send.shop, send.id, rendered.html()),
                rendered.text(), messageId, unsubscribe,
                "mailto:unsubscribe@" + mail.settings().mailDomain() + "?subject="
                        + links.unsubscribeToken(send.shop, send.id), send.test, sender.replyTo().orElse(null));
        if (connection[0] == null) {
            connection[0] = mail.connect(); // a failure here sent nothing: retried by the caller
        }
        try {
            connection[0].send(email, dkim);
        }
        catch (MailSendException e) {
            switch (e.kind()) {
                case TRANSIENT -> retryOrFail(send, e.getMessage());
                case PERMANENT -> {
                    finish(send, "FAILED", "smtp_permanent: " + e.smtpCode());
                    if (e.recipientRefused()) {
                        jdbc.update("INSERT INTO suppressions (shop_domain, email, reason, source_send_id) "
                                + "VALUES (?, ?, 'hard_bounce', ?) ON CONFLICT DO NOTHING", send.shop.domain(),
                                send.email, send.id);
                    }
                }
                case UNKNOWN -> finish(send, "HELD", "smtp_outcome_unknown");
            }
            return;
        }
        afterAccepted.run(send.id);
        // Written with the next send's check or at the end of the batch; until then the row stays SENDING (ours).
        Instant sentAt = clock.instant();
        marks.add(new SentMarks.Mark(send.id, messageId, sentAt, version.get().templateId(),
                version.get().version(), SendingRules.quotaMonth(sentAt, shopRules.zone())));
    }

    /**
     * Quota, frequency cap, quiet hours. Returns true when the send may go now; otherwise it has been HELD or
     * deferred (and its claim released).
     */
    private boolean applyRules(Claimed send, SendCheck check, SendingRules.ShopRules r, Instant now) {
        if (check.monthlyUsage() >= r.monthlyEmails()) {
            jdbc.update("UPDATE sends SET status = 'HELD', skip_reason = 'quota', attempts = attempts - 1, "
                    + "claimed_until = NULL, updated_at = now() WHERE id = ? AND claimed_by = ? "
                    + "AND status = 'SENDING'", send.id, workerId);
            return false;
        }
        boolean capped = !r.capExempt(check.flowKind());
        // The recipient's sends in flight count as sent now, once: handed to capAllows as "racing" at each later
        // candidate instant, they moved with it and pushed the deferral one more window per round (8 windows).
        List<Instant> capTimes = new ArrayList<>(check.recentSent());
        for (long i = 0; i < check.racing(); i++) {
            capTimes.add(now);
        }
        Instant at = now;
        boolean byCap = false;
        boolean byQuiet = false;
        for (int i = 0; i < 8; i++) { // each step only moves later; two rounds settle it in practice
            Instant next = at;
            if (capped) {
                Instant allowed = SendingRules.capAllows(r, capTimes, 0, next);
                if (allowed.isAfter(next)) {
                    byCap = true;
                    next = allowed;
                }
            }
            if (r.quietHours()) {
                Optional<Instant> quiet = SendingRules.quietUntil(next, r.zone(), r.quietStart(), r.quietEnd());
                if (quiet.isPresent()) {
                    byQuiet = true;
                    next = quiet.get();
                }
            }
            if (next.equals(at)) {
                break;
            }
            at = next;
        }
        if (!at.isAfter(now)) {
            return true;
        }
        String reason = byCap && byQuiet ? "frequency_cap+quiet_hours" : byCap ? "frequency_cap" : "quiet_hours";
        jdbc.update("UPDATE sends SET status = 'SCHEDULED', due_at = ?, defer_reason = ?, deferrals = deferrals + 1, "
                + "attempts = attempts - 1, claimed_by = NULL, claimed_until = NULL, updated_at = now() "
                + "WHERE id = ? AND claimed_by = ? AND status = 'SENDING'",
                Timestamp.from(at), reason, send.id, workerId);
        return false;
    }

    /** Who the shop's emails are from ({@link ShopSender}) and the postal address of their footer. */
    private record ShopEmailIdentity(ShopSender.Sender sender, String postalAddress) {
    }

    /**
     * The sender of the shop's emails: the name is the flow's own, else the shop's sender name (PUT /api/settings),
     * else the shop's name, else its handle; the address is the merchant's own From address while its domain is the
     * shop's verified sender domain, else the app's, with replies to the merchant ({@link ShopSender#sender}). A flow's
     * own {@code from_address} (set by an operator) still wins, as before, and is signed if its domain is verified.
     */
    private ShopEmailIdentity identity(ShopId shop, Map<String, Object> flowSettings, Map<String, Object> row) {
        String name = Optional.ofNullable(flowSettings.get("from_name")).map(String::valueOf)
                .or(() -> text(row, "from_name")).or(() -> text(row, "shop_name")).orElse(shop.handle());
        ShopSender.Sender sender = new ShopSender(name, text(row, "from_address"), text(row, "verified_domain"),
                text(row, "reply_to"), text(row, "merchant_email")).sender(mail.settings().fromAddress());
        if (flowSettings.get("from_address") != null) {
            sender = new ShopSender.Sender(String.valueOf(flowSettings.get("from_address")), name,
                    text(row, "reply_to"));
        }
        return new ShopEmailIdentity(sender, text(row, "postal_address").orElse(""));
    }

    /** The shop's sender settings and verified sender domain, read once per batch. */
    private Map<String, Object> identityRow(ShopId shop) {
        return jdbc.queryForList("SELECT e.from_name, e.reply_to, e.from_address, e.postal_address, "
                + "s.name AS shop_name, s.email AS merchant_email, (SELECT d.domain FROM sender_domains d "
                + "WHERE d.shop_domain = ? AND d.verified_at IS NOT NULL AND d.dkim_key_ref IS NOT NULL "
                + "AND d.domain = lower(split_part(e.from_address, '@', 2)) "
                // Only on a plan with the own sender domain; else the app's address (PlanFeature, nothing deleted).
                + "AND s.plan IN (" + OWN_SENDER_DOMAIN_PLANS + ") LIMIT 1) AS verified_domain "
                + "FROM (SELECT 1) one LEFT JOIN shop_email_settings e ON e.shop_domain = ? "
                + "LEFT JOIN shops s ON s.shop_domain = ?", shop.domain(), shop.domain(), shop.domain()).get(0);
    }

    private static Optional<String> text(Map<String, Object> row, String column) {
        return Optional.ofNullable((String) row.get(column)).map(String::strip).filter(v -> !v.isEmpty());
    }

    /**
     * The DKIM key for mail from {@code fromAddress}: the shop's verified sender domain that the address is at (or
     * under), with a key reference; null when there is none (the email goes unsigned).
     */
    private DkimKey dkimFor(ShopId shop, String fromAddress) {
        int at = fromAddress.lastIndexOf('@');
        if (at < 0) {
            return null;
        }
        String host = fromAddress.substring(at + 1).strip().toLowerCase(Locale.ROOT);
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT domain, dkim_selector, dkim_key_ref, "
                + "dkim_private_key FROM sender_domains WHERE shop_domain = ? AND verified_at IS NOT NULL "
                + "AND dkim_key_ref IS NOT NULL "
                + "AND (? = domain OR ? LIKE '%.' || domain) ORDER BY length(domain) DESC LIMIT 1",
                shop.domain(), host, host);
        if (rows.isEmpty()) {
            return null;
        }
        String domain = (String) rows.get(0).get("domain");
        String selector = (String) rows.get(0).get("dkim_selector");
        String ref = (String) rows.get(0).get("dkim_key_ref");
        if (DkimKey.SEALED_REF.equals(ref)) {
            // Set up through the API (PUT /api/sender-domain): the key is in the row, sealed with ECOMCRM_TOKEN_KEYS.
            // The sealed bytes name the key in the cache: a regenerated key has another random nonce.
            byte[] sealed = (byte[]) rows.get(0).get("dkim_private_key");
            if (sealed == null) {
                throw new IllegalArgumentException("DKIM key of " + domain + " is not stored");
            }
            return dkimKeys.computeIfAbsent(shop.domain() + "|" + domain + "|" + selector + "|"
                            + java.util.HexFormat.of().formatHex(sealed, 0, Math.min(sealed.length, 48)),
                    k -> new DkimKey(domain, selector, DkimKey.unseal(sealed, shop.domain(), domain, env)));
        }
        return dkimKeys.computeIfAbsent(domain + "|" + selector + "|" + ref,
                k -> new DkimKey(domain, selector, DkimKey.load(ref, env)));
    }

    private void retryOrFail(Claimed send, String error) {
        if (send.attempts >= MAX_ATTEMPTS) {
            finish(send, "FAILED", "smtp_transient_exhausted");
            return;
        }
        long backoffSeconds = 60L << Math.min(send.attempts - 1, 10);
        jdbc.update("UPDATE sends SET status = 'SCHEDULED', due_at = now() + ?::interval, claimed_by = NULL, "
                + "claimed_until = NULL, last_error = ?, updated_at = now() "
                + "WHERE id = ? AND claimed_by = ? AND status = 'SENDING'",
                backoffSeconds + " seconds", error, send.id, workerId);
    }

    private void finish(Claimed send, String status, String reason) {
        jdbc.update("UPDATE sends SET status = ?, skip_reason = ?, claimed_until = NULL, updated_at = now() "
                + "WHERE id = ? AND claimed_by = ? AND status = 'SENDING'", status, reason, send.id, workerId);
    }

    /**
     * Marks HELD every send left in SENDING past its lease (its worker died or hung): its outcome is unknown, so it is
     * never resent automatically. Returns how many were held.
     */
    public int holdExpiredLeases() {
        int held = jdbc.update("UPDATE sends SET status = 'HELD', skip_reason = 'lease_expired_outcome_unknown', "
                + "updated_at = now() WHERE status = 'SENDING' AND claimed_until < now()");
        if (held > 0) {
            LOG.warn("{} sends were held for review: their worker lost its lease mid-send", held);
        }
        return held;
    }

    private static Map<String, Object> parse(String json) {
        try {
            return json == null ? Map.of() : JSON.readValue(json, new TypeReference<Map<String, Object>>() { });
        }
        catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
