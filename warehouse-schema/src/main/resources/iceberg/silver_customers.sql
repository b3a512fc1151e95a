-- silver.customers: one row per (shop_id, customer_id), the newest state seen (bulk import or webhook).
CREATE TABLE IF NOT EXISTS lakehouse.silver.customers (
    shop_id               STRING    NOT NULL COMMENT 'Shop domain (*.myshopify.com)',
    customer_id           BIGINT    NOT NULL COMMENT 'Shopify numeric customer id',
    email                 STRING             COMMENT 'Customer email address',
    first_name            STRING             COMMENT 'First name',
    last_name             STRING             COMMENT 'Last name',
    state                 STRING             COMMENT 'Account state (ENABLED, DISABLED, INVITED, DECLINED)',
    email_marketing_state STRING             COMMENT 'Email marketing consent state (SUBSCRIBED, NOT_SUBSCRIBED, ...)',
    created_at            TIMESTAMP          COMMENT 'When the customer was created in Shopify (UTC)',
    updated_at            TIMESTAMP          COMMENT 'Last update in Shopify (UTC); the newest wins on MERGE',
    deleted               BOOLEAN            COMMENT 'True once a customers/delete webhook was received',
    source_topic          STRING             COMMENT 'Landing topic that produced this row (bulk customers or a webhook topic)',
    landed_at             TIMESTAMP          COMMENT 'When the source record arrived in the landing zone (UTC)'
)
USING iceberg
PARTITIONED BY (shop_id)
COMMENT 'Customers per shop, newest updated_at wins'
TBLPROPERTIES (
    'format-version' = '2',
    'write.merge.mode' = 'copy-on-write',
    'write.update.mode' = 'copy-on-write',
    'write.delete.mode' = 'copy-on-write',
    'write.distribution-mode' = 'hash',
    'write.metadata.delete-after-commit.enabled' = 'true',
    'write.metadata.previous-versions-max' = '50'
)
