-- Email performance (issue #6, docs/warehouse-contract.md). Must run on ClickHouse 18.16 and current releases. Same
-- file rules as V1: statements end with ';' at the end of a line, each can run twice.

-- Per shop, flow, template and send day: the sends of that day and what came of them, per publication (like
-- shop_daily_kpis). From gold.email_performance; rates are recomputed by readers from the counts.
CREATE TABLE IF NOT EXISTS email_performance (
    -- Shop domain (*.myshopify.com)
    shop_id       String,
    -- Publication the row belongs to (shop_publications)
    publish_id    UInt64,
    -- UTC day the emails were sent
    send_date     Date,
    -- PostgreSQL flows.id
    flow_id       UInt64,
    -- Flow kind (welcome, abandoned_checkout, win_back, ...)
    flow_kind     String,
    -- PostgreSQL templates.id; 0 when the send recorded none
    template_id   UInt64,
    -- Emails sent (test sends excluded)
    sent          UInt64,
    -- Sent emails without a bounce
    delivered     UInt64,
    -- Sent emails with at least one bounce
    bounced       UInt64,
    -- Sent emails opened or clicked at least once by a human (a click proves an open when images were blocked)
    unique_opens  UInt64,
    -- Sent emails opened at least once by a machine (privacy proxy, scanner), apart from unique_opens
    machine_opens UInt64,
    -- Sent emails clicked at least once by a human
    unique_clicks UInt64,
    -- Sent emails whose unsubscribe link was used
    unsubscribes  UInt64,
    -- Orders attributed to these emails (last touch, each order once)
    orders        UInt64,
    -- Net revenue (refunds deducted) of the attributed orders, in cents
    revenue_cents Int64
) ENGINE = MergeTree ORDER BY (shop_id, publish_id, send_date, flow_id, template_id);
