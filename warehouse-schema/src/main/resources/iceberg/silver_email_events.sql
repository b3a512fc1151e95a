-- silver.email_events: one row per (shop_id, event_id), every open, click, unsubscribe, bounce and complaint of a
-- non-test send (PostgreSQL email_events), copied by pipelines EmailLakehouseLoad (what changed since its last load,
-- or everything when silver was changed by another writer). Without the personal data
-- PostgreSQL keeps (ip, user agent, clicked URL).
CREATE TABLE IF NOT EXISTS lakehouse.silver.email_events (
    shop_id        STRING        NOT NULL COMMENT 'Shop domain (*.myshopify.com)',
    event_id       BIGINT        NOT NULL COMMENT 'PostgreSQL email_events.id',
    send_id        BIGINT        NOT NULL COMMENT 'The send the event belongs to (silver.email_sends.send_id)',
    kind           STRING        NOT NULL COMMENT 'open, click, unsubscribe, bounce or complaint',
    machine        BOOLEAN       NOT NULL COMMENT 'True for a mail privacy proxy or link scanner, not the recipient',
    machine_reason STRING                 COMMENT 'Which machine rule matched (MachineEventRule.Reason); null for a human',
    occurred_at    TIMESTAMP     NOT NULL COMMENT 'When the event happened (UTC)'
)
USING iceberg
PARTITIONED BY (shop_id)
COMMENT 'Email tracking events per shop (no ip, user agent or URL), copied from PostgreSQL each night'
TBLPROPERTIES (
    'format-version' = '2',
    'write.merge.mode' = 'copy-on-write',
    'write.update.mode' = 'copy-on-write',
    'write.delete.mode' = 'copy-on-write',
    'write.distribution-mode' = 'hash',
    'write.metadata.delete-after-commit.enabled' = 'true',
    'write.metadata.previous-versions-max' = '50'
)
