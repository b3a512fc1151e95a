package com.ecomcrm.domain;

/**
 * Error categories shared by every boundary. The API maps each to one HTTP status in one place; jobs log the code.
 */
public enum ErrorCode {
    /** A shop domain that is not a {@code *.myshopify.com} host. */
    INVALID_SHOP,
    /** A request or record field that is missing, malformed or out of range. */
    INVALID_INPUT,
    /** A session token, HMAC or other credential that did not verify. */
    UNAUTHENTICATED,
    /** Something asked for does not exist for this shop. */
    NOT_FOUND,
    /** A feature the shop's current plan does not include: the message names the feature and the plan that has it. */
    PLAN_REQUIRED,
    /** A dependency (database, ClickHouse, Shopify) failed or timed out. */
    UNAVAILABLE,
    /** A bug: an invariant that should hold did not. */
    INTERNAL
}
