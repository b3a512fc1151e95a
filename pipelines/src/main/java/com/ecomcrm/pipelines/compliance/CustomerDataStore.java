package com.ecomcrm.pipelines.compliance;

import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;

/**
 * One place customer data is held (PostgreSQL, the landing zone, the lakehouse, ClickHouse), as the compliance job
 * sees it: find everything about a customer, erase a customer, erase a shop. Counts are per table or kind of file, and
 * never name the customer, so they can go to the audit.
 */
interface CustomerDataStore {
    /** {@code postgres}, {@code landing}, {@code iceberg}, {@code clickhouse}. */
    String name();

    /** Adds the customer's order ids this store knows of, so other stores can find rows that name only the order. */
    default void discoverOrders(CustomerMatch match) {
    }

    /** Everything this store holds about the customer, by table or file. */
    ObjectNode export(CustomerMatch match);

    /** Erases the customer; idempotent (a rerun finds nothing and counts zeros). */
    Map<String, Long> eraseCustomer(CustomerMatch match);

    /** Erases every row and file of the shop; idempotent. */
    Map<String, Long> eraseShop(ShopId shop);
}
