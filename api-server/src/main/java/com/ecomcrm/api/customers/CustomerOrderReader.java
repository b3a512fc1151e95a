package com.ecomcrm.api.customers;

import com.ecomcrm.api.analytics.Publication;
import com.ecomcrm.domain.ShopId;

import java.util.List;

/** Reads a customer's orders from the shop's publication. Blocking. */
public interface CustomerOrderReader {
    /** How many orders the customer has in the publication. */
    long count(ShopId shop, Publication publication, long customerId);

    /** One page of the customer's orders, newest first (ties by order id, newest first). */
    List<CustomerOrder> page(ShopId shop, Publication publication, long customerId, OrderPage page);

    /** {@link #count} in the current publication, which the query picks itself. */
    CurrentOrders currentCount(ShopId shop, long customerId);

    /** {@link #page} of the current publication, which the query picks itself. */
    CurrentOrders currentPage(ShopId shop, long customerId, OrderPage page);
}
