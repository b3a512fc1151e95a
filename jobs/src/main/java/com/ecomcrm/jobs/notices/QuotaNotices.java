package com.ecomcrm.jobs.notices;

import static java.util.Objects.requireNonNull;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.email.mail.MailSendException;
import com.ecomcrm.email.mail.MailSender;
import com.ecomcrm.email.mail.OutgoingEmail;
import com.ecomcrm.jobs.SendingRules;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Tells the shop owner, once per shop and quota period, that the shop's sends are HELD for quota (the send job holds
 * them, {@link SendingRules}; nothing is dropped). Run by the send job after its drain, so a hold made in this run is
 * reported in this run.
 *
 * <p>The quota period is the calendar month in the shop's time zone, the one the send job counts the quota in. The
 * notice is claimed by inserting its {@code quota_notices} row (V13) in a transaction of its own, committed before any
 * SMTP traffic: of two workers only one inserts it, and a notice is never sent twice. The email goes through the same
 * {@link MailSender} as every send, from the app's address, to {@code shops.email} (the owner's contact address from
 * Shopify's shop details), without List-Unsubscribe: it is a transactional service notice. A connection failure
 * (nothing went out) removes the claim so the next run tries again; any other failure is recorded FAILED and, like a
 * send whose outcome is unknown, not retried. A shop with no owner address known yet, or uninstalled, is skipped
 * without a row.
 */
public final class QuotaNotices {
    private static final Logger LOG = LoggerFactory.getLogger(QuotaNotices.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final SendingRules rules;
    private final MailSender mail;
    private final Clock clock;
    private final Optional<String> appApiKey;

    /** {@code appApiKey}: {@code SHOPIFY_API_KEY}, which names the app in the merchant's admin (the upgrade link). */
    public QuotaNotices(DataSource dataSource, MailSender mail, Clock clock, Optional<String> appApiKey) {
        requireNonNull(dataSource, "dataSource is null");
        this.jdbc = new JdbcTemplate(dataSource);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        // The send job runs this inside its step transaction: the claim must be committed before the SMTP traffic.
        this.tx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.rules = new SendingRules(dataSource);
        this.mail = requireNonNull(mail, "mail is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.appApiKey = requireNonNull(appApiKey, "appApiKey is null");
    }

    /** Sends the notices that are due; returns how many emails went out. */
    public int sendDue() {
        Instant now = clock.instant();
        int sent = 0;
        for (String domain : jdbc.queryForList("SELECT DISTINCT s.shop_domain FROM sends s JOIN shops h "
                + "ON h.shop_domain = s.shop_domain WHERE s.status = 'HELD' AND s.skip_reason = 'quota' "
                + "AND h.uninstalled_at IS NULL ORDER BY s.shop_domain", String.class)) {
            if (notify(ShopId.of(domain), now)) {
                sent++;
            }
        }
        return sent;
    }

    private boolean notify(ShopId shop, Instant now) {
        SendingRules.ShopRules shopRules = rules.load(shop);
        Instant periodStart = SendingRules.startOfMonth(now, shopRules.zone());
        Instant periodEnd = SendingRules.startOfNextMonth(now, shopRules.zone());
        if (!jdbc.queryForList("SELECT 1 FROM quota_notices WHERE shop_domain = ? AND period_start = ?",
                Integer.class, shop.domain(), Timestamp.from(periodStart)).isEmpty()) {
            return false;
        }
        Map<String, Object> owner = jdbc.queryForList("SELECT email, name FROM shops WHERE shop_domain = ?",
                shop.domain()).get(0);
        String to = (String) owner.get("email");
        if (to == null || to.isBlank()) {
            LOG.info("Shop {} has sends held for quota but no owner address yet; it is told once one is known", shop);
            return false;
        }
        Map<String, Object> held = jdbc.queryForMap("SELECT count(*) AS n, min(updated_at) AS since FROM sends "
                + "WHERE shop_domain = ? AND status = 'HELD' AND skip_reason = 'quota'", shop.domain());
        long heldCount = ((Number) held.get("n")).longValue();
        if (heldCount == 0) {
            return false; // released meanwhile
        }
        Timestamp since = (Timestamp) held.get("since");
        String messageId = mail.messageIdFor("quota-notice|" + shop.domain() + "|" + periodStart);
        Integer claimed = tx.execute(status -> jdbc.update("INSERT INTO quota_notices (shop_domain, period_start, "
                + "period_end, plan, monthly_emails, held_count, held_since, status, message_id) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, 'SENDING', ?) ON CONFLICT DO NOTHING", shop.domain(),
                Timestamp.from(periodStart), Timestamp.from(periodEnd), shopRules.plan(),
                (int) Math.min(Integer.MAX_VALUE, shopRules.monthlyEmails()), (int) heldCount, since, messageId));
        if (claimed == null || claimed != 1) {
            return false; // another worker has it
        }
        String name = Optional.ofNullable((String) owner.get("name")).filter(s -> !s.isBlank())
                .orElse(shop.handle());
        QuotaNoticeEmail notice = new QuotaNoticeEmail(shop, name, heldCount, shopRules.monthlyEmails(), periodEnd,
                shopRules.zone(), QuotaNoticeEmail.upgradeUrl(shop, appApiKey));
        OutgoingEmail email = new OutgoingEmail(mail.settings().fromAddress(), "EcomCRM", to.strip(),
                notice.subject(), notice.html(), notice.text(), messageId, null, null, false);
        try {
            mail.send(email);
        }
        catch (MailSendException e) {
            if (e.kind() == MailSendException.Kind.TRANSIENT) {
                // Nothing was handed over: give the claim back so the next run tries again.
                tx.executeWithoutResult(status -> jdbc.update("DELETE FROM quota_notices WHERE shop_domain = ? "
                        + "AND period_start = ? AND status = 'SENDING'", shop.domain(), Timestamp.from(periodStart)));
                LOG.warn("Quota notice for {} not sent, will retry: {}", shop, e.getMessage());
            }
            else {
                record(shop, periodStart, "FAILED", e.kind() + ": " + e.getMessage());
                LOG.warn("Quota notice for {} failed ({}); not retried", shop, e.kind());
            }
            return false;
        }
        record(shop, periodStart, "SENT", null);
        LOG.info("Quota notice sent for {}: {} sends held", shop, heldCount);
        return true;
    }

    private void record(ShopId shop, Instant periodStart, String status, String error) {
        tx.executeWithoutResult(s -> jdbc.update("UPDATE quota_notices SET status = ?, error = ?, "
                + "sent_at = CASE WHEN ? = 'SENT' THEN ? ELSE sent_at END WHERE shop_domain = ? AND period_start = ?",
                status, error, status, Timestamp.from(clock.instant()), shop.domain(), Timestamp.from(periodStart)));
    }

    /** The notices recorded for a shop, newest first (for tests and operators): "status period_start held_count". */
    public List<String> recorded(ShopId shop) {
        return jdbc.queryForList("SELECT status || ' ' || to_char(period_start AT TIME ZONE 'UTC', "
                + "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') || ' ' || held_count FROM quota_notices WHERE shop_domain = ? "
                + "ORDER BY period_start DESC", String.class, shop.domain());
    }
}
