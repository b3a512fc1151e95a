package com.ecomcrm.api.privacy;

import static java.util.Objects.requireNonNull;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /privacy}: the app's privacy policy, public (no session token: the App Store listing and merchants'
 * customers link to it), rendered once at start-up from {@link PrivacySettings}. What it says about the data is what
 * the code does: the tables and stores named here are the ones the compliance job erases, the deadlines the ones it
 * keeps. The page has no script, loads nothing, sets no cookie; its only style is inline and allowed by hash.
 */
public final class PrivacyPage {
    private static final Logger LOG = LoggerFactory.getLogger(PrivacyPage.class);
    static final String STYLE = "body{font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,sans-serif;"
            + "max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.55;color:#202223}"
            + "h1{font-size:1.75rem}h2{font-size:1.2rem;margin-top:2rem}table{border-collapse:collapse;width:100%}"
            + "th,td{text-align:left;vertical-align:top;border-bottom:1px solid #ddd;padding:.4rem}"
            + ".missing{background:#fff4e5;padding:0 .2rem}";

    private final String html;
    private final String contentSecurityPolicy;

    public PrivacyPage(PrivacySettings settings) {
        requireNonNull(settings, "settings is null");
        this.html = render(settings);
        this.contentSecurityPolicy = "default-src 'none'; style-src '" + sha256(STYLE) + "'; base-uri 'none'; "
                + "form-action 'none'; frame-ancestors 'none'";
        if (!settings.missing().isEmpty()) {
            LOG.warn("The privacy policy at /privacy shows placeholders: set {} before listing the app",
                    String.join(", ", settings.missing()));
        }
    }

    public Handler<RoutingContext> handler() {
        return ctx -> ctx.response()
                .putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Content-Security-Policy", contentSecurityPolicy)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("Cache-Control", "public, max-age=300")
                .end(html);
    }

    String html() {
        return html;
    }

    private static String render(PrivacySettings s) {
        String operator = or(s.companyName(), "ECOMCRM_COMPANY_NAME");
        String contact = s.contactEmail().map(e -> "<a href=\"mailto:" + escape(e) + "\">" + escape(e) + "</a>")
                .orElse(missing("ECOMCRM_CONTACT_EMAIL"));
        StringBuilder b = new StringBuilder(12_000);
        b.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>EcomCRM privacy policy</title><style>").append(STYLE).append("</style></head><body>")
                .append("<main><h1>EcomCRM privacy policy</h1>")
                .append("<p>EcomCRM is a Shopify app operated by ").append(operator)
                .append(s.companyAddress().map(a -> ", " + escape(a)).orElse(", " + missing("ECOMCRM_COMPANY_ADDRESS")))
                .append(". It gives a Shopify merchant customer segments, predictions and email flows for their own "
                        + "store. For the personal data of a store's customers, the merchant is the controller and "
                        + "EcomCRM processes it on the merchant's behalf and on their instructions only.</p>")
                .append("<p>Last updated: ").append(or(s.lastUpdated(), "ECOMCRM_PRIVACY_UPDATED")).append(".</p>");

        b.append("<h2>What data the app holds, and why</h2><table><thead><tr><th scope=\"col\">Data</th>"
                + "<th scope=\"col\">Why</th></tr></thead><tbody>");
        row(b, "The store: its myshopify.com domain, name, contact email, time zone, currency, the app plan and "
                        + "subscription status, and an encrypted access token for the Shopify Admin API.",
                "To run the app for the store, bill through Shopify, count quiet hours in the store's time zone and "
                        + "tell the store owner about the account (for example when the monthly email quota is used "
                        + "up).");
        row(b, "Customers: Shopify customer id, name, email address, email marketing consent, and the totals Shopify "
                        + "reports.",
                "Segments (recency, frequency, monetary value), predicted customer value, and sending email only to "
                        + "customers whose consent allows it.");
        row(b, "Orders: id, customer, dates, amounts, line items and refunded totals.",
                "The same analytics, and attributing orders to the emails that led to them.");
        row(b, "Abandoned checkouts: the checkout token, email address, customer, contents and recovery link.",
                "The abandoned-checkout flow, when the merchant turns it on.");
        row(b, "Email events: each email sent (recipient address, template, time, delivery outcome), opens and "
                        + "clicks with their time, user agent and IP address, unsubscribes and bounces.",
                "Delivering email, never emailing an address that unsubscribed or bounced, telling human opens from "
                        + "machine opens, and the email results the merchant sees.");
        b.append("</tbody></table>");
        b.append("<p>The data comes from Shopify (the Admin API and webhooks the merchant authorises at install) and "
                + "from the emails the app sends. It is used only to provide the app to that merchant. It is not "
                + "sold, not used for advertising, and never shown to another store. The only thing learned across "
                + "stores is the statistical starting point of the prediction model (a handful of averaged "
                + "parameters), which holds no customer data.</p>");

        b.append("<h2>Where it is kept</h2><p>In the operator's databases and file storage (PostgreSQL, the raw "
                        + "landing files, the analytics warehouse and ClickHouse), located in ")
                .append(or(s.dataLocation(), "ECOMCRM_DATA_LOCATION"))
                .append(". Shopify access tokens and email signing keys are encrypted at rest; all traffic with "
                        + "Shopify and with the dashboard uses HTTPS.</p>");

        b.append("<h2>How long it is kept</h2><ul>")
                .append("<li>While the app is installed, the data is kept up to date from Shopify.</li>")
                .append("<li>When a merchant uninstalls the app, sending stops at once and access tokens are no "
                        + "longer used. Shopify sends a <code>shop/redact</code> request 48 hours later; the app then "
                        + "erases every record of the store from every store of data, including the history of the "
                        + "analytics tables.</li>")
                .append("<li>When a customer asks the merchant to be forgotten, Shopify sends "
                        + "<code>customers/redact</code>; the app erases that customer and the listed orders "
                        + "everywhere, table history included, within 30 days (the daily compliance job).</li>")
                .append("<li>When a customer asks the merchant for their data, Shopify sends "
                        + "<code>customers/data_request</code>; the app prepares an export of everything it holds "
                        + "about that customer for the merchant, within 30 days.</li>")
                .append("<li>The record of each such request keeps no personal data: only the request, the store "
                        + "and when it was completed.</li></ul>");

        b.append("<h2>Sub-processors</h2>");
        if (s.subprocessors().isEmpty()) {
            b.append("<p>").append(missing("ECOMCRM_SUBPROCESSORS")).append("</p>");
        }
        else {
            b.append("<table><thead><tr><th scope=\"col\">Service</th><th scope=\"col\">Purpose</th>"
                    + "<th scope=\"col\">Location</th></tr></thead><tbody>");
            for (PrivacySettings.Subprocessor p : s.subprocessors()) {
                b.append("<tr><td>").append(escape(p.name())).append("</td><td>").append(escape(p.purpose()))
                        .append("</td><td>").append(escape(p.location())).append("</td></tr>");
            }
            b.append("</tbody></table>");
        }

        b.append("<h2>Cookies</h2><p>None. The dashboard inside the Shopify admin proves who is signed in with a "
                + "short-lived Shopify session token sent with each request, not with a cookie, and this page sets "
                + "none. Emails carry a tracking image and rewritten links that record opens and clicks as described "
                + "above; every marketing email has a one-click unsubscribe link.</p>");

        b.append("<h2>Your rights and contact</h2><p>Customers of a store: please contact the store first; it "
                        + "decides about your data and Shopify passes your request to the app. Merchants and anyone "
                        + "else can write to ").append(operator).append(" at ").append(contact)
                .append(" about this policy, access to or erasure of data, or a security concern.</p>");
        b.append("</main></body></html>");
        return b.toString();
    }

    private static void row(StringBuilder b, String data, String why) {
        b.append("<tr><td>").append(escape(data)).append("</td><td>").append(escape(why)).append("</td></tr>");
    }

    private static String or(Optional<String> value, String key) {
        return value.map(PrivacyPage::escape).orElse(missing(key));
    }

    /** What the operator has not configured, visible as such: never an invented name. */
    private static String missing(String key) {
        return "<span class=\"missing\">[not configured: " + key + "]</span>";
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }

    static String sha256(String text) {
        try {
            return "sha256-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
