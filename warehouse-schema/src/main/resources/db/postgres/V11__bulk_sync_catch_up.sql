-- Issue #3, item 5: incremental catch-up after downtime. Besides the initial import, bulk_syncs now records catch-up
-- runs: a bulk query of the objects updated since a watermark, started when the API comes back after being down.
-- Forward-only: never edit this file once applied; add V<n+1>__*.sql instead.
--
-- kind:          'initial' (the install's full import, what GET /api/sync reports) or 'catch_up'.
-- updated_since: for a catch-up, the watermark it asked Shopify for (updated_at:>'...'): the start of the previous
--                completed run of the same object type, minus an hour of overlap. NULL for an initial import.
ALTER TABLE bulk_syncs
    ADD COLUMN kind          text        NOT NULL DEFAULT 'initial' CHECK (kind IN ('initial', 'catch_up')),
    ADD COLUMN updated_since timestamptz NULL;

CREATE INDEX bulk_syncs_shop_kind_type ON bulk_syncs (shop_domain, kind, object_type, started_at DESC);
