-- Issue #5 items 6-8 and issue #8 item 5: the settings, test-send and sender-domain HTTP APIs of the api-server
-- (packages com.ecomcrm.api.settings, com.ecomcrm.api.templates). Forward-only: never edit this file once applied; add
-- V<n+1>__*.sql instead.

-- The merchant's settings beside the sending rules of V6 (one row per shop; no row = these defaults).
-- attribution_click_days / attribution_open_days: an order counts as caused by an email when it follows a human click
-- (resp. open) of it within this many days; read by the email-performance reports (issue #6).
-- from_name: the sender name of the shop's emails (NULL = the shop's name); reply_to: where replies go (NULL = none),
-- which is how a shop without a verified sender domain still gets its customers' replies.
ALTER TABLE shop_email_settings
    ADD COLUMN attribution_click_days integer NOT NULL DEFAULT 5 CHECK (attribution_click_days BETWEEN 1 AND 30),
    ADD COLUMN attribution_open_days  integer NOT NULL DEFAULT 5 CHECK (attribution_open_days BETWEEN 1 AND 30),
    ADD COLUMN from_name              text    NULL,
    ADD COLUMN reply_to               text    NULL;

-- The merchant's own address (Shopify's shop.email), where test sends go when no address is given. Another
-- migration may add it too (the install flow reads it from Shopify), hence IF NOT EXISTS.
ALTER TABLE shops ADD COLUMN IF NOT EXISTS email text NULL;

-- Sender domains set up through the API: the app generates the DKIM key pair itself.
-- dkim_private_key: the PKCS#8 private key (PEM), encrypted like the Shopify tokens (AES-256-GCM, TokenCipher, keys
-- ECOMCRM_TOKEN_KEYS) with the context 'dkim_key|<shop_domain>|<domain>'; such rows have dkim_key_ref = 'sealed:'
-- (the key is in this row, sealed) instead of a file: / env: reference. Never returned by any API.
-- dkim_public_key: base64 of the X.509 SubjectPublicKeyInfo, the p= of the DKIM TXT record.
-- checked_at / check_results: the last DNS verification and what each record looked like then
-- ([{"type","host","value","status"}], status FOUND | MISSING | MISMATCH).
ALTER TABLE sender_domains
    ADD COLUMN dkim_private_key bytea       NULL,
    ADD COLUMN dkim_public_key  text        NULL,
    ADD COLUMN checked_at       timestamptz NULL,
    ADD COLUMN check_results    jsonb       NOT NULL DEFAULT '[]'::jsonb,
    ADD COLUMN updated_at       timestamptz NOT NULL DEFAULT now();
