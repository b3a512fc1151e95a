-- silver.orders: one row per (shop_id, order_id), the newest state seen (bulk import or webhook).
CREATE TABLE IF NOT EXISTS lakehouse.silver.orders (
    shop_id          STRING        NOT NULL COMMENT 'Shop domain (*.myshopify.com)',
    order_id         BIGINT        NOT NULL COMMENT 'Shopify numeric order id',
    customer_id      BIGINT                 COMMENT 'Shopify numeric customer id; null for orders without a customer',
    name             STRING                 COMMENT 'Order name shown to the merchant, e.g. #1001',
    created_at       TIMESTAMP              COMMENT 'When the order was created (UTC)',
    processed_at     TIMESTAMP              COMMENT 'When the order was processed (UTC)',
    updated_at       TIMESTAMP              COMMENT 'Last update in Shopify (UTC); the newest wins on MERGE',
    cancelled_at     TIMESTAMP              COMMENT 'When the order was cancelled (UTC); null if not cancelled',
    financial_status STRING                 COMMENT 'Financial status (PAID, REFUNDED, PENDING, ...)',
    currency         STRING                 COMMENT 'Shop currency code (ISO 4217)',
    total_price      DECIMAL(18,2)          COMMENT 'Order total in the shop currency',
    total_refunded   DECIMAL(18,2)          COMMENT 'Amount refunded in the shop currency',
    test             BOOLEAN                COMMENT 'True for test orders',
    source_topic     STRING                 COMMENT 'Landing topic that produced this row (bulk orders or a webhook topic)',
    landed_at        TIMESTAMP              COMMENT 'When the source record arrived in the landing zone (UTC)'
)
USING iceberg
PARTITIONED BY (shop_id)
COMMENT 'Orders per shop, newest updated_at wins'
TBLPROPERTIES (
    'format-version' = '2',
    'write.merge.mode' = 'copy-on-write',
    'write.update.mode' = 'copy-on-write',
    'write.delete.mode' = 'copy-on-write',
    'write.distribution-mode' = 'hash',
    'write.metadata.delete-after-commit.enabled' = 'true',
    'write.metadata.previous-versions-max' = '50'
)
