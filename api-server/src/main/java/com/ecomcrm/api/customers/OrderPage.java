package com.ecomcrm.api.customers;

/** Which page of a customer's orders to read: {@code page} from 1, {@code pageSize} orders a page. */
public record OrderPage(int page, int pageSize) {
    public OrderPage {
        if (page < 1 || pageSize < 1) {
            throw new IllegalArgumentException("Cannot page orders: page and pageSize must be positive");
        }
    }

    public long offset() {
        return (long) (page - 1) * pageSize;
    }
}
