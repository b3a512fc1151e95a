-- Nightly insights (issue #6, docs/warehouse-contract.md). Must run on ClickHouse 18.16 and current releases. Same
-- file rules as V1: statements end with ';' at the end of a line, each can run twice.

-- The ranked findings of the publication's night, per shop and publication. From gold.shop_insights. Whether the
-- merchant dismissed or did one lives in PostgreSQL (insight_states), keyed by the stable insight_id.
CREATE TABLE IF NOT EXISTS shop_insights (
    -- Shop domain (*.myshopify.com)
    shop_id      String,
    -- Publication the row belongs to (shop_publications)
    publish_id   UInt64,
    -- Night the findings are for
    as_of_date   Date,
    -- Stable id: hash of shop, kind and subject
    insight_id   String,
    -- SEGMENT_CHANGE, REVENUE_AT_RISK, VALUABLE_CUSTOMERS_SLIPPING, FLOW_CLICK_RATE_FELL, BEST_TEMPLATE, ...
    kind         String,
    -- What the finding is about (a segment key, a flow kind, a template id)
    subject      String,
    -- HIGH, MEDIUM or LOW
    severity     String,
    -- 1 = most important finding of the night
    rank         UInt32,
    -- Headline (deterministic template text)
    title        String,
    -- Explanation with the numbers behind it (deterministic template text)
    body         String,
    -- The numbers behind the finding, a JSON object
    numbers      String,
    -- Recommended action
    action_label String,
    -- Dashboard path where the merchant acts
    action_path  String
) ENGINE = MergeTree ORDER BY (shop_id, publish_id, rank);
