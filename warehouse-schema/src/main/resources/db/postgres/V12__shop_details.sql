-- Issue #3: what the app knows of each shop, read from the Admin API's `shop` object at install and at every initial
-- import (api-server ShopDetailsSync): its name and currency for the dashboard, its contact email (the default
-- recipient of test sends; shops.email was added by V9) and its IANA time zone (shops.timezone, V1), which the send
-- job's quiet hours are counted in. Forward-only: never edit this file once applied; add V<n+1>__*.sql instead.
--
-- name:     the shop's name as the merchant set it in Shopify.
-- currency: the shop's currency (ISO 4217), what its money amounts are in.
ALTER TABLE shops
    ADD COLUMN IF NOT EXISTS name     text NULL,
    ADD COLUMN IF NOT EXISTS currency text NULL;
