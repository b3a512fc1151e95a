-- gold.email_performance: one row per (shop_id, send_date, flow_id, template_id): the sends of that UTC day and what
-- came of them up to the run's logical date (a cohort of sends, so every rate of a row is about the same emails).
-- Written by pipelines EmailPerformanceJob; attribution is last touch (EmailAttribution). Re-running a date replaces
-- the days up to it.
CREATE TABLE IF NOT EXISTS lakehouse.gold.email_performance (
    shop_id        STRING        NOT NULL COMMENT 'Shop domain (*.myshopify.com)',
    send_date      DATE          NOT NULL COMMENT 'UTC day the emails were sent',
    flow_id        BIGINT        NOT NULL COMMENT 'PostgreSQL flows.id',
    flow_kind      STRING                 COMMENT 'Flow kind (welcome, abandoned_checkout, win_back, ...)',
    template_id    BIGINT        NOT NULL COMMENT 'PostgreSQL templates.id; 0 when the send recorded none',
    sent           BIGINT                 COMMENT 'Emails sent (status SENT, test sends excluded)',
    delivered      BIGINT                 COMMENT 'Sent emails without a bounce',
    bounced        BIGINT                 COMMENT 'Sent emails with at least one bounce',
    unique_opens   BIGINT                 COMMENT 'Sent emails opened or clicked at least once by a human',
    machine_opens  BIGINT                 COMMENT 'Sent emails opened at least once by a machine (privacy proxy, scanner); apart from unique_opens',
    unique_clicks  BIGINT                 COMMENT 'Sent emails clicked at least once by a human',
    unsubscribes   BIGINT                 COMMENT 'Sent emails whose unsubscribe link was used',
    orders         BIGINT                 COMMENT 'Counted orders attributed to these emails (last touch)',
    revenue        DECIMAL(18,2)          COMMENT 'Net revenue (total minus refunds) of the attributed orders',
    open_rate      DECIMAL(9,4)           COMMENT 'unique_opens / delivered, half-up to 4 decimals; 0 without deliveries',
    click_rate     DECIMAL(9,4)           COMMENT 'unique_clicks / delivered, half-up to 4 decimals; 0 without deliveries'
)
USING iceberg
PARTITIONED BY (shop_id)
COMMENT 'Email performance per shop, flow, template and send day, with last-touch attributed orders'
TBLPROPERTIES (
    'format-version' = '2',
    'write.merge.mode' = 'copy-on-write',
    'write.update.mode' = 'copy-on-write',
    'write.delete.mode' = 'copy-on-write',
    'write.distribution-mode' = 'hash',
    'write.metadata.delete-after-commit.enabled' = 'true',
    'write.metadata.previous-versions-max' = '50'
)
