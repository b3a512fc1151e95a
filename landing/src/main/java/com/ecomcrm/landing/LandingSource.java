package com.ecomcrm.landing;

import java.util.Locale;

/** Where a landed record came from. The name is also the {@code source=} folder of the layout. */
public enum LandingSource {
    /** A webhook delivery, one envelope per delivery. */
    WEBHOOK,
    /** One line of a bulk operation's JSONL result, one envelope per line. */
    BULK,
    /**
     * An email open, click or unsubscribe seen by the API server's tracking routes (topics {@code email/open},
     * {@code email/click}, {@code email/unsubscribe}; body: module {@code tracking}'s {@code EmailEvent} JSON).
     */
    TRACKING,
    /**
     * Shopify data the app asked the Admin GraphQL API for outside a bulk operation, landed in the shape of the webhook
     * that would have carried it, so the ingest reads it as that webhook: the refund lines of refunds made before
     * install (topic {@code refunds/create}, body a REST refund), which a bulk query cannot return.
     */
    ADMIN_API;

    public String folderValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static LandingSource fromFolderValue(String value) {
        return LandingSource.valueOf(value.toUpperCase(Locale.ROOT));
    }
}
