package com.ecomcrm.pipelines.compliance;

import com.ecomcrm.domain.ShopId;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * How one customer is recognised in every store: by Shopify id, by email (rows that carry only the email: a
 * suppression, a checkout of a guest, a test send), and by the ids of the customer's orders (order lines and refunds
 * name only the order). The order ids grow as stores reveal them (the lakehouse's orders, the landed order lines).
 */
public final class CustomerMatch {
    private final ShopId shop;
    private final Optional<Long> customerId;
    private final Optional<String> email;
    private final Set<Long> orderIds;

    public CustomerMatch(ShopId shop, Optional<Long> customerId, Optional<String> email, List<Long> orderIds) {
        this.shop = requireNonNull(shop, "shop is null");
        this.customerId = requireNonNull(customerId, "customerId is null");
        this.email = requireNonNull(email, "email is null");
        this.orderIds = new LinkedHashSet<>(requireNonNull(orderIds, "orderIds is null"));
        if (customerId.isEmpty() && email.isEmpty()) {
            throw new IllegalArgumentException("Cannot match a customer with neither an id nor an email");
        }
    }

    public static CustomerMatch of(ComplianceRequest request) {
        return new CustomerMatch(request.shop(), request.customerId(), request.email(), request.orderIds());
    }

    public ShopId shop() {
        return shop;
    }

    public Optional<Long> customerId() {
        return customerId;
    }

    /** Lower case. */
    public Optional<String> email() {
        return email;
    }

    public Set<Long> orderIds() {
        return Set.copyOf(orderIds);
    }

    public void addOrders(Iterable<Long> ids) {
        ids.forEach(orderIds::add);
    }

    public boolean isOrder(long orderId) {
        return orderIds.contains(orderId);
    }

    public boolean isCustomer(long id) {
        return customerId.isPresent() && customerId.get() == id;
    }

    public boolean isEmail(String text) {
        return email.isPresent() && text != null && email.get().equalsIgnoreCase(text.strip());
    }
}
