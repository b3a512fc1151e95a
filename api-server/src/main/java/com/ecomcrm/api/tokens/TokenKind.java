package com.ecomcrm.api.tokens;

/** The two kinds of offline access token Shopify issues (shopify-platform.md 1.5). */
public enum TokenKind {
    /** Lives an hour and comes with a 90-day refresh token; required for public apps from 2027. */
    EXPIRING_OFFLINE,
    /** The legacy token that lives until uninstall. */
    OFFLINE
}
