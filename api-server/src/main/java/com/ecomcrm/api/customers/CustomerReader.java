package com.ecomcrm.api.customers;

import com.ecomcrm.api.analytics.Publication;
import com.ecomcrm.domain.ShopId;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Reads a shop's customers from its current publication. Blocking. Either the caller resolves the publication first
 * and passes it (the CSV export streams the one its count read), or a {@code current*} read picks it inside
 * its own query and says which one it read, so reads made side by side can be checked to agree
 * ({@link CurrentRead#agreesWith}) without a round trip for the publication before them.
 */
public interface CustomerReader {
    /** The shop's current publication; empty before its first nightly run. */
    Optional<Publication> publication(ShopId shop);

    /** How many customers of the publication match the query's filters. */
    long count(ShopId shop, Publication publication, CustomerQuery query);

    /** The query's page of matching customers, in its order (ties by customer id). */
    List<CustomerRow> page(ShopId shop, Publication publication, CustomerQuery query);

    /**
     * Every customer of the publication matching the query's filters, in its order (ties by customer id), at most
     * {@code limit}, handed to {@code rows} one at a time as ClickHouse sends them: the memory taken is one row
     * whatever the count. {@code rows} may block (a slow download) and may throw to stop the read.
     *
     * @return the number of rows handed over
     */
    long stream(ShopId shop, Publication publication, CustomerQuery query, long limit, Consumer<CustomerRow> rows);

    /** One customer of the publication; empty when the shop has no such customer in it. */
    Optional<CustomerRow> customer(ShopId shop, Publication publication, long customerId);

    /** The customer's segment and spend in every snapshot published up to the publication, oldest first. */
    List<RfmHistoryPoint> history(ShopId shop, Publication publication, long customerId);

    /** {@link #count} of the current publication, which the query picks itself (one round trip). */
    CurrentRead<Long> currentCount(ShopId shop, CustomerQuery query);

    /** {@link #page} of the current publication, which the query picks itself (one round trip). */
    CurrentRead<List<CustomerRow>> currentPage(ShopId shop, CustomerQuery query);

    /** {@link #customer} of the current publication, which the query picks itself (one round trip). */
    CurrentRead<Optional<CustomerRow>> currentCustomer(ShopId shop, long customerId);

    /** The current publication when the customer is in it; empty when it is not (or nothing is published). */
    Optional<Publication> currentPublicationOf(ShopId shop, long customerId);

    /** {@link #history} up to the current publication, which the query picks itself (one round trip). */
    CurrentHistory currentHistory(ShopId shop, long customerId);
}
