-- gold.customer_predictions: BG/NBD + Gamma-Gamma predictions per (shop_id, as_of_date, customer_id), every customer
-- of the shop (the customers of gold.customer_rfm). Written by pipelines PredictionsJob; the (as_of_date) slice is
-- replaced by one overwrite (GoldSlice). Prospects (no counted order) have prediction_status NO_ORDERS and null
-- predictions.
CREATE TABLE IF NOT EXISTS lakehouse.gold.customer_predictions (
    shop_id              STRING        NOT NULL COMMENT 'Shop domain (*.myshopify.com)',
    as_of_date           DATE          NOT NULL COMMENT 'Day the predictions are for (purchases up to the end of it)',
    customer_id          BIGINT        NOT NULL COMMENT 'Shopify numeric customer id',
    prediction_status    STRING        NOT NULL COMMENT 'PREDICTED, or NO_ORDERS for a prospect (all predictions null)',
    repeat_purchases     INT                    COMMENT 'x: purchase days after the first (same-day orders are one)',
    recency_weeks        DOUBLE                 COMMENT 't_x: weeks from the first to the last purchase day',
    age_weeks            DOUBLE                 COMMENT 'T: weeks from the first purchase day to the as-of date',
    mean_repeat_value    DECIMAL(18,2)          COMMENT 'm_x: mean net value of the repeat purchase days; 0 when x = 0',
    expected_orders_30d  DOUBLE                 COMMENT 'BG/NBD expected purchase days in the next 30 days',
    expected_orders_90d  DOUBLE                 COMMENT 'BG/NBD expected purchase days in the next 90 days',
    expected_orders_365d DOUBLE                 COMMENT 'BG/NBD expected purchase days in the next 365 days',
    probability_alive    DOUBLE                 COMMENT 'BG/NBD probability the customer is still active',
    expected_order_value DECIMAL(18,2)          COMMENT 'Gamma-Gamma expected net value of a future purchase day',
    clv_12m              DECIMAL(18,2)          COMMENT 'Predicted net value of the next 52 weeks (undiscounted)',
    clv_12m_low          DECIMAL(18,2)          COMMENT 'Lower end of the 95% parameter-uncertainty interval of clv_12m',
    clv_12m_high         DECIMAL(18,2)          COMMENT 'Upper end of the 95% parameter-uncertainty interval of clv_12m',
    churn_risk           STRING                 COMMENT 'LOW (P(alive) >= 0.7), MEDIUM (>= 0.3) or HIGH',
    next_order_date      DATE                   COMMENT 'Day one more purchase is expected by; null beyond five years'
)
USING iceberg
PARTITIONED BY (shop_id)
COMMENT 'Predicted orders, value, churn risk and next order per customer, shop and day'
TBLPROPERTIES (
    'format-version' = '2',
    'write.merge.mode' = 'copy-on-write',
    'write.update.mode' = 'copy-on-write',
    'write.delete.mode' = 'copy-on-write',
    'write.distribution-mode' = 'hash',
    'write.metadata.delete-after-commit.enabled' = 'true',
    'write.metadata.previous-versions-max' = '50'
)
