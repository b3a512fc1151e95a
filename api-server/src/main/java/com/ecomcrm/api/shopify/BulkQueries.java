package com.ecomcrm.api.shopify;

/**
 * The bulk queries of the initial import. Without grouping, every node of a nested connection comes back as its own
 * JSONL line carrying {@code __parentId}; the ingest joins them back.
 */
public final class BulkQueries {
    public static final String CUSTOMERS = "{ customers { edges { node { id email firstName lastName state createdAt "
            + "updatedAt emailMarketingConsent { marketingState marketingOptInLevel consentUpdatedAt } } } } }";

    public static final String ORDERS = "{ orders { edges { node { id name createdAt processedAt updatedAt cancelledAt "
            + "displayFinancialStatus test currencyCode totalPriceSet { shopMoney { amount currencyCode } } "
            + "totalRefundedSet { shopMoney { amount currencyCode } } customer { id } lineItems { edges { node { id sku "
            + "title quantity product { id } variant { id } originalUnitPriceSet { shopMoney { amount currencyCode } } "
            + "} } } } } } }";

    private BulkQueries() {
    }
}
