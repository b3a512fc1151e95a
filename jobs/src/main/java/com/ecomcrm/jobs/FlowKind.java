package com.ecomcrm.jobs;

import java.util.Locale;

/** The flow library. Every flow starts switched off; the delays are the defaults a merchant can change. */
public enum FlowKind {
    /** A new customer subscribed to email marketing (customers/create). */
    WELCOME(10),
    /** A checkout not completed after the delay (checkouts/create|update); cancelled when an order arrives. */
    ABANDONED_CHECKOUT(4 * 60),
    /** Thanks after an order (orders/create + delay). */
    POST_PURCHASE_THANK_YOU(60),
    /** A review request some days after an order. */
    REVIEW_REQUEST(14 * 24 * 60),
    /** A customer moved into At risk / Almost lost / Dormant (nightly segments; not evaluated yet). */
    WIN_BACK(0),
    /** A customer moved into Champions (nightly segments; not evaluated yet). */
    VIP(0);

    private final int defaultDelayMinutes;

    FlowKind(int defaultDelayMinutes) {
        this.defaultDelayMinutes = defaultDelayMinutes;
    }

    public int defaultDelayMinutes() {
        return defaultDelayMinutes;
    }

    /** The value stored in {@code flows.kind}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static FlowKind fromKey(String key) {
        return valueOf(key.toUpperCase(Locale.ROOT));
    }
}
