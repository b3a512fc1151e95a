-- silver.email_sends: one row per (shop_id, send_id), every non-test send of the email engine (PostgreSQL sends),
-- copied by pipelines EmailLakehouseLoad in the email_performance stage (what changed since its last load, or
-- everything when silver was changed by another writer). Ids only: the recipient's address
-- stays in PostgreSQL (personal data is never copied into the lakehouse).
CREATE TABLE IF NOT EXISTS lakehouse.silver.email_sends (
    shop_id          STRING        NOT NULL COMMENT 'Shop domain (*.myshopify.com)',
    send_id          BIGINT        NOT NULL COMMENT 'PostgreSQL sends.id',
    flow_id          BIGINT                 COMMENT 'PostgreSQL flows.id of the flow that scheduled the send',
    flow_kind        STRING                 COMMENT 'Flow kind (welcome, abandoned_checkout, win_back, ...)',
    template_id      BIGINT                 COMMENT 'PostgreSQL templates.id rendered; null until rendered',
    template_version INT                    COMMENT 'Template version rendered; null until rendered',
    customer_id      BIGINT                 COMMENT 'Shopify numeric customer id; null when the trigger had none',
    status           STRING                 COMMENT 'Send status (SCHEDULED, SENT, SKIPPED, FAILED, CANCELLED, HELD, ...)',
    sent_at          TIMESTAMP              COMMENT 'When the email was handed to the mail server (UTC); null if not sent',
    created_at       TIMESTAMP              COMMENT 'When the send was scheduled (UTC)',
    updated_at       TIMESTAMP              COMMENT 'Last change of the send row in PostgreSQL (UTC)'
)
USING iceberg
PARTITIONED BY (shop_id)
COMMENT 'Email sends per shop (no addresses), copied from PostgreSQL each night'
TBLPROPERTIES (
    'format-version' = '2',
    'write.merge.mode' = 'copy-on-write',
    'write.update.mode' = 'copy-on-write',
    'write.delete.mode' = 'copy-on-write',
    'write.distribution-mode' = 'hash',
    'write.metadata.delete-after-commit.enabled' = 'true',
    'write.metadata.previous-versions-max' = '50'
)
