-- silver.refund_lines: one row per (shop_id, refund_id, line_item_id): which order lines a refund returned, and for
-- how much. Keyed by the refunded line item (a refund lists each line item once; GraphQL may not give the refund
-- line its own id). Loaded with silver.refunds, from the same payloads.
CREATE TABLE IF NOT EXISTS lakehouse.silver.refund_lines (
    shop_id        STRING        NOT NULL COMMENT 'Shop domain (*.myshopify.com)',
    refund_id      BIGINT        NOT NULL COMMENT 'Shopify numeric refund id',
    line_item_id   BIGINT        NOT NULL COMMENT 'Shopify numeric id of the refunded order line (silver.order_lines line_id)',
    order_id       BIGINT        NOT NULL COMMENT 'Shopify numeric order id',
    refund_line_id BIGINT                 COMMENT 'Shopify numeric refund line item id; null when the payload has none',
    quantity       INT                    COMMENT 'Quantity refunded',
    subtotal       DECIMAL(18,2)          COMMENT 'Refunded amount of the line before tax, in the shop currency',
    updated_at     TIMESTAMP              COMMENT 'updated_at of the refund row this line came with (UTC); the newest wins on MERGE'
)
USING iceberg
PARTITIONED BY (shop_id)
COMMENT 'Refunded order lines per shop'
TBLPROPERTIES (
    'format-version' = '2',
    'write.merge.mode' = 'copy-on-write',
    'write.update.mode' = 'copy-on-write',
    'write.delete.mode' = 'copy-on-write',
    'write.distribution-mode' = 'hash',
    'write.metadata.delete-after-commit.enabled' = 'true',
    'write.metadata.previous-versions-max' = '50'
)
