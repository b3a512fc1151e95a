-- Serving tables read by the API (docs/warehouse-contract.md). Must run on ClickHouse 18.16 and current releases.
-- File format (ClickHouseMigrator): statements end with ';' at the end of a line; whole-line '--' comments are
-- removed before sending. Each statement is idempotent (IF NOT EXISTS), so a version that failed half-way can be
-- re-run. Every table is ordered by shop_id first.

-- One row per completed publication of a shop; written last, so readers never see a half-written publish_id.
CREATE TABLE IF NOT EXISTS shop_publications (
    shop_id      String,
    publish_id   UInt64,
    as_of_date   Date,
    published_at DateTime,
    customers    UInt64
) ENGINE = ReplacingMergeTree ORDER BY (shop_id, publish_id);

-- RFM scores and segment of every customer of a shop, per publication. recency_days = -1 for prospects.
CREATE TABLE IF NOT EXISTS customer_rfm (
    shop_id        String,
    publish_id     UInt64,
    as_of_date     Date,
    customer_id    UInt64,
    recency_days   Int32,
    frequency      UInt32,
    monetary_cents Int64,
    r_score        UInt8,
    f_score        UInt8,
    m_score        UInt8,
    segment        String
) ENGINE = MergeTree ORDER BY (shop_id, publish_id, customer_id);

-- Customers and revenue per segment (Segment.key()), per publication.
CREATE TABLE IF NOT EXISTS segment_summary (
    shop_id       String,
    publish_id    UInt64,
    as_of_date    Date,
    segment       String,
    customers     UInt64,
    revenue_cents Int64
) ENGINE = MergeTree ORDER BY (shop_id, publish_id, segment);
