-- Segment cards (issue #7, #10), docs/warehouse-contract.md. Must run on ClickHouse 18.16 and current releases. Same
-- file rules as V1: statements end with ';' at the end of a line, each can run twice.

-- Per segment of a publication, everything the Segments screen's cards show, computed once by the publisher from
-- the customers it publishes (customer_rfm with their customer_predictions), so GET /api/segments reads a handful
-- of rows instead of joining every customer's prediction per request. Only segments with customers have a row.
CREATE TABLE IF NOT EXISTS segment_overview (
    -- Shop domain (*.myshopify.com)
    shop_id             String,
    -- Publication the row belongs to (shop_publications)
    publish_id          UInt64,
    -- Logical date (UTC day) of the nightly run that wrote the publication
    as_of_date          Date,
    -- Segment key (Segment.key(), e.g. NEEDS_ATTENTION)
    segment             String,
    -- Customers in the segment (as segment_summary.customers)
    customers           UInt64,
    -- What the segment's customers spent, integer cents (as segment_summary.revenue_cents)
    revenue_cents       Int64,
    -- Customers of the segment with a 12-month CLV prediction (prediction_status PREDICTED, clv_12m_cents not NULL)
    predicted_customers UInt64,
    -- Sum of those customers' predicted 12-month CLV, integer cents: the card's average is this divided by
    -- predicted_customers, rounded half up to the cent by the reader (exact, no floating point)
    clv_12m_sum_cents   Int64
) ENGINE = MergeTree ORDER BY (shop_id, publish_id, segment);
