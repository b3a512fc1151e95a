-- Issue #5: the shop's own From address at its verified sender domain, and the postal address of its emails' footer
-- (api-server PUT /api/settings, read by the send job and by test sends). Forward-only: never edit this file once
-- applied; add V<n+1>__*.sql instead.
--
-- from_address: the From address of the shop's emails (e.g. hello@brand.com), its domain the shop's verified
--   sender domain (sender_domains.verified_at) when it was set; NULL = the app's default sender. The send job uses it
--   only while that domain is still verified (and signs with its DKIM key, d= the domain); otherwise it falls back
--   to the app's default sender with the shop's name and Reply-To the merchant's address, as before verification.
-- postal_address: the shop's postal address, shown in the footer of the starter templates beside the unsubscribe
--   link (anti-spam laws ask for one); NULL = no address line. Merge tag shop.address.
ALTER TABLE shop_email_settings
    ADD COLUMN from_address   text NULL,
    ADD COLUMN postal_address text NULL;
