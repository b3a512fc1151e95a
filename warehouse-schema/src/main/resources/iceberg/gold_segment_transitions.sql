-- gold.segment_transitions: segment movement of a shop's customers between two gold.customer_rfm snapshots, one row
-- per (shop_id, to_date, from_segment, to_segment). from_segment NONE = not a customer at from_date yet; to_segment
-- NONE = gone by to_date (deleted in Shopify).
CREATE TABLE IF NOT EXISTS lakehouse.gold.segment_transitions (
    shop_id      STRING        NOT NULL COMMENT 'Shop domain (*.myshopify.com)',
    to_date      DATE          NOT NULL COMMENT 'Snapshot the customers moved to (the logical date of the run)',
    from_date    DATE          NOT NULL COMMENT 'Snapshot the customers moved from (previous snapshot of the shop by default)',
    from_segment STRING        NOT NULL COMMENT 'Segment key at from_date, or NONE',
    to_segment   STRING        NOT NULL COMMENT 'Segment key at to_date, or NONE',
    customers    BIGINT                 COMMENT 'Customers that made this move',
    revenue      DECIMAL(18,2)          COMMENT 'Their monetary value at to_date (0 for to_segment NONE)'
)
USING iceberg
PARTITIONED BY (shop_id)
COMMENT 'Segment movement between RFM snapshots per shop'
TBLPROPERTIES (
    'format-version' = '2',
    'write.merge.mode' = 'copy-on-write',
    'write.update.mode' = 'copy-on-write',
    'write.delete.mode' = 'copy-on-write',
    'write.distribution-mode' = 'hash',
    'write.metadata.delete-after-commit.enabled' = 'true',
    'write.metadata.previous-versions-max' = '50'
)
