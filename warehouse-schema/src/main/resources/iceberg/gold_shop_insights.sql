-- gold.shop_insights: one row per (shop_id, as_of_date, insight_key): the ranked findings of the night for the shop.
-- Written by pipelines InsightsJob; the (as_of_date) slice is replaced by one overwrite. insight_key is a hash of shop,
-- kind and subject (not named *_id: ids in the lakehouse are numbers), so the same finding keeps its key from night
-- to night (a dismissal sticks).
CREATE TABLE IF NOT EXISTS lakehouse.gold.shop_insights (
    shop_id      STRING        NOT NULL COMMENT 'Shop domain (*.myshopify.com)',
    as_of_date   DATE          NOT NULL COMMENT 'Night the findings are for',
    insight_key  STRING        NOT NULL COMMENT 'Stable id of the finding (the API calls it id): hash of shop, kind and subject',
    kind         STRING        NOT NULL COMMENT 'SEGMENT_CHANGE, REVENUE_AT_RISK, VALUABLE_CUSTOMERS_SLIPPING, FLOW_CLICK_RATE_FELL, BEST_TEMPLATE, WORST_TEMPLATE, FLOW_OFF',
    subject      STRING        NOT NULL COMMENT 'What the finding is about (a segment key, a flow kind, a template id)',
    severity     STRING        NOT NULL COMMENT 'HIGH, MEDIUM or LOW',
    rank         INT           NOT NULL COMMENT '1 = most important finding of the shop that night',
    title        STRING        NOT NULL COMMENT 'Deterministic template text: the headline',
    body         STRING        NOT NULL COMMENT 'Deterministic template text with the numbers behind the finding',
    numbers      STRING        NOT NULL COMMENT 'The numbers behind the finding as a JSON object',
    action_label STRING        NOT NULL COMMENT 'Recommended action',
    action_path  STRING        NOT NULL COMMENT 'Dashboard path where the merchant acts'
)
USING iceberg
PARTITIONED BY (shop_id)
COMMENT 'Ranked nightly insights per shop'
TBLPROPERTIES (
    'format-version' = '2',
    'write.merge.mode' = 'copy-on-write',
    'write.update.mode' = 'copy-on-write',
    'write.delete.mode' = 'copy-on-write',
    'write.distribution-mode' = 'hash',
    'write.metadata.delete-after-commit.enabled' = 'true',
    'write.metadata.previous-versions-max' = '50'
)
