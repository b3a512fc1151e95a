-- The Customer screen's RFM history by customer (issues #7, #10), docs/warehouse-contract.md. Must run on ClickHouse
-- 18.16 and current releases. Same file rules as V1: statements end with ';' at the end of a line, each can run twice.

-- The rows of customer_segment_history sorted by customer instead of by date, so one customer's history is read from
-- a few granules instead of every date's slice of the shop (customer_segment_history is sorted by shop_id,
-- as_of_date, ...: a customer's rows are spread over one granule per published date). Filled by
-- customer_segment_timeline_feed from every insert into customer_segment_history, so the two never differ in slices;
-- readers pick the valid slice of each date exactly as for customer_segment_history (segment_history_dates).
-- Erasure and the publisher's removal of a date's replaced slice mutate it like customer_segment_history.
CREATE TABLE IF NOT EXISTS customer_segment_timeline (
    -- Shop domain (*.myshopify.com)
    shop_id        String,
    -- Shopify numeric customer id
    customer_id    UInt64,
    -- Logical date (UTC day) of the snapshot (as customer_segment_history.as_of_date)
    as_of_date     Date,
    -- Publication that wrote the slice (as customer_segment_history.publish_id; see segment_history_dates)
    publish_id     UInt64,
    -- Segment key (Segment.key(), e.g. CHAMPIONS) of the customer in the snapshot
    segment        String,
    -- What the customer had spent by the snapshot's date, integer cents of the shop currency
    monetary_cents Int64
) ENGINE = MergeTree ORDER BY (shop_id, customer_id, as_of_date, publish_id);

-- Copies every block inserted into customer_segment_history into customer_segment_timeline as it is inserted (the
-- publisher, test seeders and any backfill write only customer_segment_history).
CREATE MATERIALIZED VIEW IF NOT EXISTS customer_segment_timeline_feed TO customer_segment_timeline AS
SELECT shop_id, customer_id, as_of_date, publish_id, segment, monetary_cents FROM customer_segment_history;

-- The slices published before this migration (after the view exists, so a slice published meanwhile is copied by the
-- view and skipped here; a slice already copied by a first run of this file is skipped by a second).
INSERT INTO customer_segment_timeline (shop_id, customer_id, as_of_date, publish_id, segment, monetary_cents)
SELECT shop_id, customer_id, as_of_date, publish_id, segment, monetary_cents FROM customer_segment_history
WHERE (shop_id, as_of_date, publish_id) NOT IN (
    SELECT shop_id, as_of_date, publish_id FROM customer_segment_timeline GROUP BY shop_id, as_of_date, publish_id);
