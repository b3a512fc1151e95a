package com.ecomcrm.jobs;

import static java.util.Objects.requireNonNull;

import com.ecomcrm.domain.ShopId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The plan's contacts limit in the send job ({@code plan_limits.contacts}, V6).
 *
 * <p>A <b>contact</b> is a customer of the shop the flows can email: a {@code consent} row with an email address,
 * marketing state {@code SUBSCRIBED}, and the address not suppressed (unsubscribed, bounced, complained). This is how
 * Shopify's email-marketing apps usually bill ("subscribers" or "active profiles"): customers who never agreed to
 * marketing, unsubscribed or bounced cost the merchant nothing. {@code GET /api/billing} counts the same
 * ({@link #CONTACT}).
 *
 * <p>Over the limit nothing is deleted and every contact stays in the segments, the customer list and the analytics;
 * only the flows stop emailing the contacts beyond the limit. Which ones, deterministically: contacts are ranked by
 * Shopify customer id, which grows with the customer's creation, so the shop's longest-standing contacts are the
 * ones within the limit and the newest are beyond it; a contact keeps its place as others come and go below it only
 * by unsubscribing or being redacted. A flow send to a contact beyond the limit is SKIPPED {@code contacts_limit}
 * (a flow email is about a moment, a checkout or an order, which would be wrong weeks later after an upgrade, unlike
 * the quota hold that ends within the month). Upgrading lifts the limit for every send from then on. Test sends are
 * exempt.
 *
 * <p>Whether a shop is over its limit at all is counted once per {@link #RECHECK} per shop (a plan change or an
 * unsubscribe applies at most that much later); only a shop over it pays one indexed count per send.
 */
public final class ContactsLimit {
    /** The contact condition on {@code consent c}, for the count here and in the API's billing usage. */
    public static final String CONTACT = "c.marketing_state = 'SUBSCRIBED' AND c.email IS NOT NULL AND c.email <> '' "
            + "AND NOT EXISTS (SELECT 1 FROM suppressions x WHERE x.shop_domain = c.shop_domain AND x.email = c.email)";
    static final Duration RECHECK = Duration.ofSeconds(30);

    private record ShopCount(long limit, long contacts, long countedAt) {
    }

    private final JdbcTemplate jdbc;
    private final LongSupplier nanoTime;
    private final Map<ShopId, ShopCount> counts = new ConcurrentHashMap<>();

    public ContactsLimit(DataSource dataSource) {
        this(dataSource, System::nanoTime);
    }

    ContactsLimit(DataSource dataSource, LongSupplier nanoTime) {
        this.jdbc = new JdbcTemplate(requireNonNull(dataSource, "dataSource is null"));
        this.nanoTime = requireNonNull(nanoTime, "nanoTime is null");
    }

    /**
     * Whether the recipient of a flow send is a contact beyond the shop's limit. {@code customerId} may be null (the
     * send names only the address): the contact is then the lowest customer id with that address.
     */
    public boolean beyond(ShopId shop, Long customerId, String email) {
        ShopCount count = count(shop);
        if (count.contacts() <= count.limit()) {
            return false;
        }
        Long rankedBy = customerId != null ? customerId : jdbc.queryForObject("SELECT min(c.customer_id) FROM consent c "
                + "WHERE c.shop_domain = ? AND c.email = ? AND " + CONTACT, Long.class, shop.domain(), email);
        if (rankedBy == null) {
            return false; // not a contact: the consent check decides about it
        }
        Long before = jdbc.queryForObject("SELECT count(*) FROM (SELECT 1 FROM consent c WHERE c.shop_domain = ? "
                + "AND c.customer_id < ? AND " + CONTACT + " LIMIT ?) within", Long.class, shop.domain(), rankedBy,
                count.limit());
        return before != null && before >= count.limit();
    }

    /** Forgets the counts, so the next send counts afresh (tests; an operator's plan change). */
    public void forget() {
        counts.clear();
    }

    private ShopCount count(ShopId shop) {
        long now = nanoTime.getAsLong();
        ShopCount known = counts.get(shop);
        if (known != null && now - known.countedAt() < RECHECK.toNanos()) {
            return known;
        }
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT COALESCE(l.contacts, f.contacts, 0) AS contacts_limit, "
                + "(SELECT count(*) FROM consent c WHERE c.shop_domain = ? AND " + CONTACT + ") AS contacts "
                + "FROM (SELECT 1) one LEFT JOIN shops s ON s.shop_domain = ? "
                + "LEFT JOIN plan_limits l ON l.plan = s.plan LEFT JOIN plan_limits f ON f.plan = 'free'",
                shop.domain(), shop.domain());
        Map<String, Object> row = rows.get(0);
        ShopCount fresh = new ShopCount(((Number) row.get("contacts_limit")).longValue(),
                ((Number) row.get("contacts")).longValue(), now);
        counts.put(shop, fresh);
        return fresh;
    }
}
