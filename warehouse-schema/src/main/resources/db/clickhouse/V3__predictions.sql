-- Predictive metrics (docs/warehouse-contract.md). Must run on ClickHouse 18.16 and current releases. Same file
-- rules as V1: statements end with ';' at the end of a line, each can run twice.

-- BG/NBD + Gamma-Gamma predictions of every customer of a shop, per publication. Prospects (no counted order yet)
-- have prediction_status NO_ORDERS and NULL in every prediction column. Money in integer cents.
CREATE TABLE IF NOT EXISTS customer_predictions (
    shop_id              String,
    publish_id           UInt64,
    as_of_date           Date,
    customer_id          UInt64,
    prediction_status    String,
    expected_orders_30d  Nullable(Float64),
    expected_orders_90d  Nullable(Float64),
    expected_orders_365d Nullable(Float64),
    probability_alive    Nullable(Float64),
    expected_order_value_cents Nullable(Int64),
    clv_12m_cents        Nullable(Int64),
    clv_low_cents        Nullable(Int64),
    clv_high_cents       Nullable(Int64),
    churn_risk           Nullable(String),
    next_order_date      Nullable(Date)
) ENGINE = MergeTree ORDER BY (shop_id, publish_id, customer_id);

-- The shop's fitted model parameters, fit status (OWN, BLENDED, POOLED) and diagnostics, per publication.
CREATE TABLE IF NOT EXISTS shop_model_fits (
    shop_id              String,
    publish_id           UInt64,
    as_of_date           Date,
    status               String,
    buyers               UInt64,
    repeat_buyers        UInt64,
    history_days         UInt32,
    r                    Float64,
    alpha                Float64,
    a                    Float64,
    b                    Float64,
    bgnbd_log_likelihood Float64,
    p                    Float64,
    q                    Float64,
    v                    Float64,
    gg_log_likelihood    Float64,
    converged            UInt8,
    se_log_r             Float64,
    se_log_alpha         Float64,
    se_log_a             Float64,
    se_log_b             Float64,
    se_log_p             Float64,
    se_log_q             Float64,
    se_log_v             Float64
) ENGINE = MergeTree ORDER BY (shop_id, publish_id);
