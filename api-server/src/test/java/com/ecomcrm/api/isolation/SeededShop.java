package com.ecomcrm.api.isolation;

import com.ecomcrm.domain.ShopId;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * One tenant of the attack suite and the ids of what it owns. Aggregates (segment, movement, KPI and email revenue)
 * carry the shop's own {@code revenueCents}, so a number can betray a leak as well as a text. Everything it owns that can hold text carries its
 * {@code marker}; its own customer {@code uniqueCustomerId} exists in no other shop, while {@link #SHARED_CUSTOMER}
 * exists in every shop (colliding ids are the realistic attack).
 */
record SeededShop(ShopId shop, String marker, long uniqueCustomerId, long revenueCents, long templateId,
                  String templateName, long flowId, long exportId, String insightId) {
    /** A customer id every shop has. */
    static final long SHARED_CUSTOMER = 1001;
    /** An insight id every shop has. */
    static final String SHARED_INSIGHT = "c0ffee00c0ffee00c0ff";

    SeededShop {
        requireNonNull(shop, "shop is null");
        requireNonNull(marker, "marker is null");
        requireNonNull(templateName, "templateName is null");
        requireNonNull(insightId, "insightId is null");
    }

    String customerEmail(long customer) {
        return "buyer" + customer + "-" + marker + "@example.com";
    }

    String firstName() {
        return "First" + marker;
    }

    /**
     * What in a response body proves it came from this shop's data. Ids are only the long unique one: short serial
     * ids (templates, flows) collide across shops by design and are checked by status instead.
     */
    List<String> evidence() {
        return List.of(shop.domain(), marker, Long.toString(uniqueCustomerId), insightId,
                Long.toString(revenueCents), revenue());
    }

    /** {@link #revenueCents} as the API writes money: a plain decimal with two places. */
    String revenue() {
        return String.format("%d.%02d", revenueCents / 100, revenueCents % 100);
    }
}
