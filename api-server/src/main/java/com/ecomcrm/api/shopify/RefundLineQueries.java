package com.ecomcrm.api.shopify;

/**
 * The Admin GraphQL queries that fetch the refund lines of refunds the bulk orders file named (a bulk query cannot:
 * a refund's {@code refundLineItems} is a connection inside the list field {@code Order.refunds}).
 *
 * <p>Cost, by Shopify's rules (objects 1, a connection 2 plus {@code first} times one node, one node per id in
 * {@code nodes}): one refund is 1 (refund) + 1 (order) + 2 + 10 x 4 (lines: line, line item, money bag, money) +
 * 2 + 5 x 3 (transactions: transaction, money bag, money) = 61 points, so {@link #REFUNDS_PER_QUERY} refunds ask for
 * 610, under the 1,000-point ceiling of one query and under a standard bucket; the actual cost of a refund with one
 * line and one transaction is 15. A refund with more than {@link #LINES_PER_REFUND} lines is paged with
 * {@link #MORE_LINES} ({@code first: 100} after the cursor: 2 + 100 x 4 + 1 = 403 points).
 */
public final class RefundLineQueries {
    /** Refunds asked in one {@code nodes(ids:)} query. */
    public static final int REFUNDS_PER_QUERY = 10;
    /** Refund lines asked with each refund; more are paged. */
    public static final int LINES_PER_REFUND = 10;
    /** Refund lines asked per further page of one refund. */
    public static final int LINES_PER_PAGE = 100;

    private static final String LINE = "nodes { id quantity restockType lineItem { id } "
            + "subtotalSet { shopMoney { amount currencyCode } } }";

    public static final String REFUNDS = "query refundLines($ids: [ID!]!) { nodes(ids: $ids) { ... on Refund { "
            + "id createdAt note order { id } "
            + "refundLineItems(first: " + LINES_PER_REFUND + ") { pageInfo { hasNextPage endCursor } " + LINE + " } "
            + "transactions(first: 5) { nodes { id kind status gateway createdAt processedAt "
            + "amountSet { shopMoney { amount currencyCode } } } } } } }";

    public static final String MORE_LINES = "query moreRefundLines($id: ID!, $after: String) { node(id: $id) { "
            + "... on Refund { id refundLineItems(first: " + LINES_PER_PAGE + ", after: $after) { "
            + "pageInfo { hasNextPage endCursor } " + LINE + " } } } }";

    private RefundLineQueries() {
    }
}
