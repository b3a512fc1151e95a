package com.ecomcrm.domain;

/**
 * The named RFM segments, with the names merchants already see in Shopify's own customer analytics (the
 * {@code CustomerRfmGroup} values of the Admin API). {@link RfmSegmentMap} decides which one a customer is in.
 */
public enum Segment {
    CHAMPIONS("Champions", "Very recent purchases, many orders, the most spend."),
    LOYAL("Loyal", "Recent purchases, many orders, the most spend."),
    ACTIVE("Active", "Recent purchases, some orders, moderate spend."),
    PROMISING("Promising", "Recent purchases, few orders, low spend."),
    NEW("New", "Very recent first purchases, few orders, low spend."),
    NEEDS_ATTENTION("Needs attention", "Purchases a while ago, some orders, moderate spend."),
    AT_RISK("At risk", "No recent purchases, but a strong history of orders and spend."),
    ALMOST_LOST("Almost lost", "No recent purchases, fewer orders, lower spend."),
    DORMANT("Dormant", "No recent orders, infrequent orders, low spend."),
    PREVIOUSLY_LOYAL("Previously loyal", "No recent purchases, but a very strong history of orders and spend."),
    PROSPECTS("Prospects", "Customers with no orders yet.");

    private final String displayName;
    private final String description;

    Segment(String displayName, String description) {
        this.displayName = displayName;
        this.description = description;
    }

    /** The name shown to merchants, as Shopify shows it. */
    public String displayName() {
        return displayName;
    }

    public String description() {
        return description;
    }

    /** The stable key stored in tables and sent by the API: Shopify's enum value, e.g. {@code NEEDS_ATTENTION}. */
    public String key() {
        return name();
    }

    public static Segment fromKey(String key) {
        try {
            return Segment.valueOf(key);
        }
        catch (IllegalArgumentException | NullPointerException e) {
            throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot read segment: unknown key '" + key + "'");
        }
    }
}
