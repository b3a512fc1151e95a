-- silver.refunds: one row per (shop_id, refund_id), the newest state seen. Loaded from refunds/create webhooks and
-- from the refunds inside order payloads (webhook orders/*, and bulk orders when the query asks for them). No note,
-- staff member or other personal data: amounts, dates and ids only. The order's total_refunded in silver.orders is
-- the sum of its refunds' amounts, so net revenue (total_price - total_refunded) equals total_price - sum(amount).
CREATE TABLE IF NOT EXISTS lakehouse.silver.refunds (
    shop_id      STRING        NOT NULL COMMENT 'Shop domain (*.myshopify.com)',
    refund_id    BIGINT        NOT NULL COMMENT 'Shopify numeric refund id',
    order_id     BIGINT        NOT NULL COMMENT 'Shopify numeric id of the refunded order',
    customer_id  BIGINT                 COMMENT 'Customer of the order (from the order payload, or filled from silver.orders by the ingest); null while the order is unknown or has no customer',
    created_at   TIMESTAMP              COMMENT 'When the refund was created (UTC)',
    processed_at TIMESTAMP              COMMENT 'When the refund was processed (UTC); null in bulk (GraphQL has no such field)',
    amount       DECIMAL(18,2)          COMMENT 'Money refunded: the successful refund transactions (REST) or totalRefundedSet.shopMoney (bulk)',
    currency     STRING                 COMMENT 'Currency code of amount: the order currency, or the transactions currency for refunds/create',
    updated_at   TIMESTAMP              COMMENT 'Ordering of versions (UTC): updated_at of the order it came with, or created_at for refunds/create; the newest wins on MERGE',
    source_topic STRING                 COMMENT 'Landing topic that produced this row (refunds/create, an orders/* webhook or bulk orders)',
    landed_at    TIMESTAMP              COMMENT 'When the source record arrived in the landing zone (UTC)'
)
USING iceberg
PARTITIONED BY (shop_id)
COMMENT 'Refunds per shop, newest version wins'
TBLPROPERTIES (
    'format-version' = '2',
    'write.merge.mode' = 'copy-on-write',
    'write.update.mode' = 'copy-on-write',
    'write.delete.mode' = 'copy-on-write',
    'write.distribution-mode' = 'hash',
    'write.metadata.delete-after-commit.enabled' = 'true',
    'write.metadata.previous-versions-max' = '50'
)
