-- gold.customer_rfm: RFM scores and segment per (shop_id, as_of_date, customer_id).
CREATE TABLE IF NOT EXISTS lakehouse.gold.customer_rfm (
    shop_id      STRING        NOT NULL COMMENT 'Shop domain (*.myshopify.com)',
    as_of_date   DATE          NOT NULL COMMENT 'Day the scores were computed for',
    customer_id  BIGINT        NOT NULL COMMENT 'Shopify numeric customer id',
    recency_days INT                    COMMENT 'Days since the last order; null for prospects',
    frequency    INT                    COMMENT 'Number of orders',
    monetary     DECIMAL(18,2)          COMMENT 'Total spend in the shop currency',
    r_score      INT                    COMMENT 'Recency quintile 1-5; 0 for prospects',
    f_score      INT                    COMMENT 'Frequency quintile 1-5; 0 for prospects',
    m_score      INT                    COMMENT 'Monetary quintile 1-5; 0 for prospects',
    segment      STRING                 COMMENT 'Segment key (Segment.key(), e.g. NEEDS_ATTENTION)'
)
USING iceberg
PARTITIONED BY (shop_id)
COMMENT 'RFM scores and segments per shop and day'
TBLPROPERTIES (
    'format-version' = '2',
    'write.merge.mode' = 'copy-on-write',
    'write.update.mode' = 'copy-on-write',
    'write.delete.mode' = 'copy-on-write',
    'write.distribution-mode' = 'hash',
    'write.metadata.delete-after-commit.enabled' = 'true',
    'write.metadata.previous-versions-max' = '50'
)
