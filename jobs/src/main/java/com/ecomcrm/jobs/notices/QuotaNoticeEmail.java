package com.ecomcrm.jobs.notices;

import static java.util.Objects.requireNonNull;

import com.ecomcrm.domain.ShopId;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;

/**
 * What the shop owner is told when the shop's sends are held for quota: how many wait, the plan's monthly quota, the
 * day the quota resets (in the shop's time zone) and where to upgrade. The same words as the dashboard's banner, so
 * the merchant recognises them. Numbers and dates only: no customer data goes into this email.
 */
public record QuotaNoticeEmail(ShopId shop, String shopName, long heldCount, long monthlyEmails, Instant resetsAt,
                               ZoneId zone, String upgradeUrl) {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("MMMM d, uuuu", Locale.US);

    public QuotaNoticeEmail {
        requireNonNull(shop, "shop is null");
        requireNonNull(shopName, "shopName is null");
        requireNonNull(resetsAt, "resetsAt is null");
        requireNonNull(zone, "zone is null");
        requireNonNull(upgradeUrl, "upgradeUrl is null");
    }

    /**
     * Where the merchant upgrades: the app's Billing screen inside their Shopify admin. Shopify's admin maps
     * {@code /admin/apps/{api key}/<path>} to the app's URL plus that path; without the API key (a misconfigured
     * job) the admin's app list is the best we can point at.
     */
    public static String upgradeUrl(ShopId shop, Optional<String> apiKey) {
        return apiKey.filter(k -> !k.isBlank())
                .map(k -> "https://" + shop.domain() + "/admin/apps/" + k + "/app/billing")
                .orElse("https://" + shop.domain() + "/admin/apps");
    }

    /** The reset day as the merchant reads it, in the shop's time zone ("April 1, 2026"). */
    public String resetDay() {
        return DAY.format(LocalDate.ofInstant(resetsAt, zone));
    }

    public String subject() {
        return "Your emails are on hold: " + shopName + " has used this month's " + count(monthlyEmails) + " emails";
    }

    public String text() {
        return String.join("\n",
                "Hello,",
                "",
                headline(),
                "",
                "Nothing is lost: every waiting email stays queued. Choose a larger plan and they go out within minutes:",
                upgradeUrl,
                "",
                "Or do nothing: they go out on their own when your quota resets on " + resetDay() + ".",
                "",
                "You get this email once a month at most, the first time emails wait for " + shop.domain() + ".",
                "",
                "EcomCRM");
    }

    public String html() {
        return "<!doctype html><html><body style=\"font-family:sans-serif;line-height:1.5\">"
                + "<p>Hello,</p>"
                + "<p><strong>" + escape(headline()) + "</strong></p>"
                + "<p>Nothing is lost: every waiting email stays queued. Choose a larger plan and they go out within "
                + "minutes.</p>"
                + "<p><a href=\"" + escape(upgradeUrl) + "\">Upgrade your plan</a></p>"
                + "<p>Or do nothing: they go out on their own when your quota resets on " + escape(resetDay())
                + ".</p>"
                + "<p style=\"color:#666\">You get this email once a month at most, the first time emails wait for "
                + escape(shop.domain()) + ".</p>"
                + "<p>EcomCRM</p></body></html>";
    }

    /** The dashboard banner's sentence. */
    public String headline() {
        return count(heldCount) + (heldCount == 1 ? " email is" : " emails are") + " waiting: your plan's monthly "
                + "quota of " + count(monthlyEmails) + " is used up; upgrade or they go out when the quota resets on "
                + resetDay() + ".";
    }

    private static String count(long n) {
        return String.format(Locale.US, "%,d", n);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }
}
