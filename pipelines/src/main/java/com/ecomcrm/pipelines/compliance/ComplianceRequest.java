package com.ecomcrm.pipelines.compliance;

import com.ecomcrm.domain.ShopId;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A PENDING compliance request as the job processes it: what to do ({@link #topic}) and whose data it is about.
 *
 * @param email personal data: held only for the run, never logged or written to the audit
 */
public record ComplianceRequest(long id, ShopId shop, String topic, Optional<String> shopifyRequestId,
                                Optional<Long> customerId, Optional<String> email, Optional<String> phone,
                                List<Long> orderIds, Instant receivedAt, Instant dueAt, int attempts) {
    public static final String DATA_REQUEST = "customers/data_request";
    public static final String CUSTOMER_REDACT = "customers/redact";
    public static final String SHOP_REDACT = "shop/redact";

    public ComplianceRequest {
        requireNonNull(shop, "shop is null");
        requireNonNull(topic, "topic is null");
        requireNonNull(shopifyRequestId, "shopifyRequestId is null");
        requireNonNull(customerId, "customerId is null");
        email = requireNonNull(email, "email is null").map(e -> e.strip().toLowerCase(Locale.ROOT));
        requireNonNull(phone, "phone is null");
        orderIds = List.copyOf(requireNonNull(orderIds, "orderIds is null"));
        requireNonNull(receivedAt, "receivedAt is null");
        requireNonNull(dueAt, "dueAt is null");
        if (!List.of(DATA_REQUEST, CUSTOMER_REDACT, SHOP_REDACT).contains(topic)) {
            throw new IllegalArgumentException("Cannot process compliance topic " + topic);
        }
    }

    public boolean isShopRedact() {
        return SHOP_REDACT.equals(topic);
    }

    /** For log lines and the audit: the request and shop, never the customer. */
    public String describe() {
        return topic + " request " + id + " of " + shop.domain();
    }
}
