-- Orders timeline (issue #7, docs/warehouse-contract.md). Must run on ClickHouse 18.16 and current releases. Same
-- file rules as V1: statements end with ';' at the end of a line, each can run twice.

-- Every order of a customer the shop had by the publication's date, newest state from silver.orders (and its line
-- count from silver.order_lines), per publication like customer_rfm: the Customer screen's orders timeline. Includes
-- cancelled and refunded orders (shown as such); test orders and orders without a customer are left out.
CREATE TABLE IF NOT EXISTS customer_orders (
    -- Shop domain (*.myshopify.com)
    shop_id          String,
    -- Publication the row belongs to (shop_publications)
    publish_id       UInt64,
    -- Shopify numeric customer id
    customer_id      UInt64,
    -- Shopify numeric order id
    order_id         UInt64,
    -- Order name shown to the merchant, e.g. #1001 (empty when Shopify sent none)
    order_name       String,
    -- When the order was processed (UTC; created_at when Shopify sent no processed_at)
    processed_at     DateTime,
    -- Shopify financial status (PAID, PARTIALLY_REFUNDED, REFUNDED, PENDING, ...; empty when unknown)
    financial_status String,
    -- Order total in the shop currency, integer cents
    total_cents      Int64,
    -- Amount refunded in the shop currency, integer cents (0 when nothing was refunded)
    refunded_cents   Int64,
    -- total_cents - refunded_cents, integer cents
    net_cents        Int64,
    -- Number of line items of the order
    line_count       UInt32,
    -- 1 when the order was cancelled, else 0
    cancelled        UInt8
) ENGINE = MergeTree ORDER BY (shop_id, publish_id, customer_id, processed_at, order_id);
