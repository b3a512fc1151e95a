-- Segment movement and daily shop KPIs (docs/warehouse-contract.md). Must run on ClickHouse 18.16 and current
-- releases. Same file rules as V1: statements end with ';' at the end of a line, each can run twice.

-- Segment movement of the publication's date from the previous snapshot, per publication (like segment_summary).
-- from_segment NONE: not a customer at from_date yet; to_segment NONE: gone by to_date.
CREATE TABLE IF NOT EXISTS segment_transitions (
    shop_id       String,
    publish_id    UInt64,
    from_date     Date,
    to_date       Date,
    from_segment  String,
    to_segment    String,
    customers     UInt64,
    revenue_cents Int64
) ENGINE = MergeTree ORDER BY (shop_id, publish_id, from_segment, to_segment);

-- Daily KPIs of the shop over its whole history up to the publication's date, per publication.
CREATE TABLE IF NOT EXISTS shop_daily_kpis (
    shop_id                   String,
    publish_id                UInt64,
    kpi_date                  Date,
    orders                    UInt64,
    revenue_cents             Int64,
    aov_cents                 Int64,
    new_customer_orders       UInt64,
    returning_customer_orders UInt64,
    buyers                    UInt64,
    customers                 UInt64,
    repeat_customers          UInt64,
    repeat_rate               Float64
) ENGINE = MergeTree ORDER BY (shop_id, publish_id, kpi_date);

-- Every published RFM snapshot, kept across publications so any two dates can be compared: one slice per
-- (shop_id, as_of_date, publish_id). Valid slice of a date: the largest publish_id listed for it in
-- segment_history_dates that is <= the shop's current publication (so a half-written publish is never read).
CREATE TABLE IF NOT EXISTS customer_segment_history (
    shop_id        String,
    as_of_date     Date,
    publish_id     UInt64,
    customer_id    UInt64,
    segment        String,
    monetary_cents Int64
) ENGINE = MergeTree ORDER BY (shop_id, as_of_date, publish_id, customer_id);

-- The slices of customer_segment_history: one row per (shop_id, as_of_date, publish_id), written after the slice.
CREATE TABLE IF NOT EXISTS segment_history_dates (
    shop_id    String,
    as_of_date Date,
    publish_id UInt64,
    customers  UInt64
) ENGINE = MergeTree ORDER BY (shop_id, as_of_date, publish_id);
