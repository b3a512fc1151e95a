package com.ecomcrm.api.shopify;

/**
 * The bulk queries of the initial import. Without grouping, every node of a nested connection comes back as its own
 * JSONL line carrying {@code __parentId}; the ingest joins them back.
 */
public final class BulkQueries {
    public static final String CUSTOMERS = "{ customers { edges { node { id email firstName lastName state createdAt "
            + "updatedAt emailMarketingConsent { marketingState marketingOptInLevel consentUpdatedAt } } } } }";

    /**
     * Orders with their line items (a connection: lines of their own) and their refunds. {@code Order.refunds} is a
     * list field, so each order's refunds come inline in its line, with their ids, times and amounts. A refund's
     * {@code refundLineItems} is a connection, and Shopify refuses a connection inside a list field in a bulk query
     * ("Queries that contain a connection field within a list field are not currently supported."), so which line
     * items a refund returned is not in the bulk file: {@link RefundLinesImport} fetches them after the bulk import
     * ({@code nodes(ids:)}, paged) and lands them as {@code refunds/create} bodies. The refunded money is here.
     */
    public static final String ORDERS = "{ orders { edges { node { id name createdAt processedAt updatedAt cancelledAt "
            + "displayFinancialStatus test currencyCode totalPriceSet { shopMoney { amount currencyCode } } "
            + "totalRefundedSet { shopMoney { amount currencyCode } } "
            + "refunds { id createdAt totalRefundedSet { shopMoney { amount currencyCode } } } "
            + "customer { id } lineItems { edges { node { id sku "
            + "title quantity product { id } variant { id } originalUnitPriceSet { shopMoney { amount currencyCode } } "
            + "} } } } } } }";

    /**
     * Checkouts left without an order. The GraphQL object has no checkout token field; the token that the
     * {@code checkouts/*} webhooks key checkouts by is the path segment of {@code abandonedCheckoutUrl}.
     */
    public static final String ABANDONED_CHECKOUTS = "{ abandonedCheckouts { edges { node { id abandonedCheckoutUrl "
            + "createdAt updatedAt completedAt totalPriceSet { shopMoney { amount currencyCode } } customer { id email } "
            + "} } } }";

    /**
     * The same bulk query restricted to the objects updated after {@code since}, with Shopify's search syntax on the
     * root connection: {@code { customers(query: "updated_at:>'2026-01-01T00:00:00Z'") { ... } } }.
     */
    public static String updatedAfter(String bulkQuery, java.time.Instant since) {
        java.util.regex.Matcher root = ROOT.matcher(bulkQuery);
        if (!root.find()) {
            throw new IllegalArgumentException("Cannot filter a bulk query without a root connection: " + bulkQuery);
        }
        String filter = "(query: \"updated_at:>'" + since.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + "'\")";
        return bulkQuery.substring(0, root.end(1)) + filter + bulkQuery.substring(root.end(1));
    }

    private static final java.util.regex.Pattern ROOT = java.util.regex.Pattern.compile("^\\{\\s*([A-Za-z]+)\\s*\\{");

    private BulkQueries() {
    }
}
