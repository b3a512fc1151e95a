package com.ecomcrm.api.customers;

import com.ecomcrm.api.analytics.Publication;
import com.ecomcrm.domain.ShopId;

import java.util.List;
import java.util.Optional;

/**
 * Reads a shop's customers from its current publication. Blocking. Every method takes the publication the caller
 * resolved first, so the count, the pages of one request and a customer's history all read the same publication.
 */
public interface CustomerReader {
    /** The shop's current publication; empty before its first nightly run. */
    Optional<Publication> publication(ShopId shop);

    /** How many customers of the publication match the query's filters. */
    long count(ShopId shop, Publication publication, CustomerQuery query);

    /** The query's page of matching customers, in its order (ties by customer id). */
    List<CustomerRow> page(ShopId shop, Publication publication, CustomerQuery query);

    /** One customer of the publication; empty when the shop has no such customer in it. */
    Optional<CustomerRow> customer(ShopId shop, Publication publication, long customerId);

    /** The customer's segment and spend in every snapshot published up to the publication, oldest first. */
    List<RfmHistoryPoint> history(ShopId shop, Publication publication, long customerId);
}
