-- Issue #3: refund lines of refunds made before install. The initial import's bulk orders file carries each order's
-- refunds inline (ids, times, amounts) but not their refund lines: Shopify refuses a connection (refundLineItems)
-- inside a list field (Order.refunds) in a bulk query. After the bulk import the app asks the Admin GraphQL API for
-- them (nodes(ids:) on Refund, paged), lands each refund as a refunds/create-shaped record (landing source
-- admin_api) and records here which refunds are done, so a restart resumes with the rest and never fetches a recorded
-- refund again. The step itself is a bulk_syncs row (object_type 'refund_lines', no bulk operation), which GET /api/sync
-- reports. Forward-only: never edit once applied.
--
-- outcome: 'landed' (its refund lines are in the landing zone), 'not_found' (Shopify answered null: deleted, or not
--          this shop's), 'order_mismatch' (Shopify's refund belongs to another order than the bulk file said; not
--          landed, logged).
-- lines_landed: refund line items landed for it (0 unless landed).
CREATE TABLE refund_line_fetches (
    shop_domain  text        NOT NULL,
    refund_id    bigint      NOT NULL,
    order_id     bigint      NOT NULL,
    sync_id      bigint      NOT NULL,
    outcome      text        NOT NULL CHECK (outcome IN ('landed', 'not_found', 'order_mismatch')),
    lines_landed integer     NOT NULL,
    fetched_at   timestamptz NOT NULL,
    PRIMARY KEY (shop_domain, refund_id)
);

CREATE INDEX refund_line_fetches_sync ON refund_line_fetches (sync_id);
