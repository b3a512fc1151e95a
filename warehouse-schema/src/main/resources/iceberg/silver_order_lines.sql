-- silver.order_lines: one row per (shop_id, order_id, line_id).
CREATE TABLE IF NOT EXISTS lakehouse.silver.order_lines (
    shop_id    STRING        NOT NULL COMMENT 'Shop domain (*.myshopify.com)',
    order_id   BIGINT        NOT NULL COMMENT 'Shopify numeric order id',
    line_id    BIGINT        NOT NULL COMMENT 'Shopify numeric line item id',
    product_id BIGINT                 COMMENT 'Shopify numeric product id; null if the product was deleted',
    variant_id BIGINT                 COMMENT 'Shopify numeric variant id; null if the variant was deleted',
    sku        STRING                 COMMENT 'Variant SKU',
    title      STRING                 COMMENT 'Line item title',
    quantity   INT                    COMMENT 'Quantity ordered',
    unit_price DECIMAL(18,2)          COMMENT 'Price of one unit in the shop currency',
    updated_at TIMESTAMP              COMMENT 'updated_at of the order this line came with (UTC); the newest wins on MERGE'
)
USING iceberg
PARTITIONED BY (shop_id)
COMMENT 'Order line items per shop'
TBLPROPERTIES (
    'format-version' = '2',
    'write.merge.mode' = 'copy-on-write',
    'write.update.mode' = 'copy-on-write',
    'write.delete.mode' = 'copy-on-write',
    'write.distribution-mode' = 'hash',
    'write.metadata.delete-after-commit.enabled' = 'true',
    'write.metadata.previous-versions-max' = '50'
)
