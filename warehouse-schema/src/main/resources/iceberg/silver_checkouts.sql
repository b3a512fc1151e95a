-- silver.checkouts: one row per (shop_id, checkout_token), from checkouts/* webhooks.
CREATE TABLE IF NOT EXISTS lakehouse.silver.checkouts (
    shop_id        STRING        NOT NULL COMMENT 'Shop domain (*.myshopify.com)',
    checkout_token STRING        NOT NULL COMMENT 'Shopify checkout token',
    customer_id    BIGINT                 COMMENT 'Shopify numeric customer id; null for guest checkouts',
    email          STRING                 COMMENT 'Email entered at checkout',
    created_at     TIMESTAMP              COMMENT 'When the checkout was created (UTC)',
    updated_at     TIMESTAMP              COMMENT 'Last update in Shopify (UTC); the newest wins on MERGE',
    completed_at   TIMESTAMP              COMMENT 'When the checkout became an order (UTC); null while abandoned',
    total_price    DECIMAL(18,2)          COMMENT 'Checkout total in the shop currency',
    currency       STRING                 COMMENT 'Currency code (ISO 4217)'
)
USING iceberg
PARTITIONED BY (shop_id)
COMMENT 'Checkouts per shop, newest updated_at wins'
TBLPROPERTIES (
    'format-version' = '2',
    'write.merge.mode' = 'copy-on-write',
    'write.update.mode' = 'copy-on-write',
    'write.delete.mode' = 'copy-on-write',
    'write.distribution-mode' = 'hash',
    'write.metadata.delete-after-commit.enabled' = 'true',
    'write.metadata.previous-versions-max' = '50'
)
