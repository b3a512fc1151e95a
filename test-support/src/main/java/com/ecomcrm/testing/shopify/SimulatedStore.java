package com.ecomcrm.testing.shopify;

import com.ecomcrm.domain.ShopId;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * One generated shop: its customers (in id order, which is creation order) and its orders (in id order, which is
 * creation order). This is also the reference data tests compute expectations from (RFM, counts, revenue): nothing
 * here is derived from the application's code.
 */
public record SimulatedStore(ShopId shop, long seed, Instant historyStart, Instant historyEnd,
                             List<SimulatedCustomer> customers, List<SimulatedOrder> orders,
                             List<SimulatedCheckout> checkouts) {
    public SimulatedStore {
        requireNonNull(shop, "shop is null");
        requireNonNull(historyStart, "historyStart is null");
        requireNonNull(historyEnd, "historyEnd is null");
        customers = List.copyOf(customers);
        orders = List.copyOf(orders);
        checkouts = List.copyOf(checkouts);
    }

    /**
     * The part of the store changed after {@code time}: what a bulk query filtered by {@code updated_at:>'time'}
     * returns (each object type filtered on its own {@code updatedAt}).
     */
    public SimulatedStore updatedAfter(Instant time) {
        requireNonNull(time, "time is null");
        return new SimulatedStore(shop, seed, historyStart, historyEnd,
                customers.stream().filter(c -> c.updatedAt().isAfter(time)).toList(),
                orders.stream().filter(o -> o.updatedAt().isAfter(time)).toList(),
                checkouts.stream().filter(c -> c.updatedAt().isAfter(time)).toList());
    }

    /** The checkouts still abandoned at the end of the history: what {@code abandonedCheckouts} lists. */
    public List<SimulatedCheckout> abandonedCheckouts() {
        return checkouts.stream().filter(SimulatedCheckout::isAbandoned).toList();
    }

    /** Every order of each customer, oldest first; customers without orders (prospects) map to an empty list. */
    public Map<Long, List<SimulatedOrder>> ordersByCustomer() {
        Map<Long, List<SimulatedOrder>> byCustomer = new LinkedHashMap<>();
        for (SimulatedCustomer customer : customers) {
            byCustomer.put(customer.id(), new ArrayList<>());
        }
        for (SimulatedOrder order : orders) {
            byCustomer.get(order.customerId()).add(order);
        }
        byCustomer.replaceAll((id, list) -> Collections.unmodifiableList(list));
        return Collections.unmodifiableMap(byCustomer);
    }

    public int lineCount() {
        return orders.stream().mapToInt(o -> o.lines().size()).sum();
    }
}
