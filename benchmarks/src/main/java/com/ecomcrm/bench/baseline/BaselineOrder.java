package com.ecomcrm.bench.baseline;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.testing.shopify.SimulatedOrder;
import com.ecomcrm.testing.shopify.SimulatedStore;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * One order as the PostgreSQL RFM baseline stores it: what a typical app keeps from Shopify's order to compute RFM.
 * {@code cancelledAt} is null unless the order was cancelled.
 */
public record BaselineOrder(ShopId shop, long customerId, long orderId, Instant processedAt, BigDecimal totalPrice,
                            BigDecimal totalRefunded, boolean test, Instant cancelledAt) {
    public BaselineOrder {
        requireNonNull(shop, "shop is null");
        requireNonNull(processedAt, "processedAt is null");
        requireNonNull(totalPrice, "totalPrice is null");
        requireNonNull(totalRefunded, "totalRefunded is null");
    }

    /** Every order of the store, as generated (the same orders the benchmark imports). */
    public static List<BaselineOrder> of(SimulatedStore store) {
        return store.orders().stream().map(o -> of(store.shop(), o)).toList();
    }

    static BaselineOrder of(ShopId shop, SimulatedOrder order) {
        return new BaselineOrder(shop, order.customerId(), order.id(), order.processedAt(), order.totalPrice(),
                order.totalRefunded(), order.test(), order.cancelledAt());
    }
}
