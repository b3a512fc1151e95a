-- Issue #3 (install and tokens): expiring offline tokens with their refresh tokens, the OAuth state nonces of the
-- authorization-code grant, and the progress of a running bulk sync.
-- Forward-only: never edit this file once applied; add V<n+1>__*.sql instead.

-- Tokens are stored only as AES-GCM ciphertext (api-server TokenCipher: key id prefix, so keys can rotate).
-- access_token_kind: EXPIRING_OFFLINE (expires_in / refresh_token, Shopify's default for public apps from 2026) or
-- OFFLINE (the legacy non-expiring token). token_version grows by one with every stored token pair, so two refreshes
-- racing each other cannot both win: the loser's conditional UPDATE matches no row and it re-reads the winner's pair.
ALTER TABLE shops ADD COLUMN access_token_kind text NULL
    CHECK (access_token_kind IN ('EXPIRING_OFFLINE', 'OFFLINE'));
ALTER TABLE shops ADD COLUMN access_token_expires_at timestamptz NULL;
ALTER TABLE shops ADD COLUMN refresh_token_ciphertext bytea NULL;
ALTER TABLE shops ADD COLUMN refresh_token_expires_at timestamptz NULL;
ALTER TABLE shops ADD COLUMN token_version bigint NOT NULL DEFAULT 0;
ALTER TABLE shops ADD COLUMN tokens_updated_at timestamptz NULL;
-- When the shop's webhook subscriptions last matched what the app needs (WebhookRegistrar), and for which
-- callback URL and API version: a change of either means the next reconciliation has work to do.
ALTER TABLE shops ADD COLUMN webhooks_reconciled_at timestamptz NULL;
ALTER TABLE shops ADD COLUMN webhooks_target text NULL;

-- One row per install redirect to Shopify's grant screen: the callback must bring the nonce back, once, in time.
-- Deleting the row is what makes a nonce single-use.
CREATE TABLE oauth_states (
    nonce       text        PRIMARY KEY,
    shop_domain text        NOT NULL,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL
);

CREATE INDEX oauth_states_expires_at ON oauth_states (expires_at);

-- Progress of a running bulk operation as Shopify reports it (objectCount / rootObjectCount while RUNNING), and the
-- number of root objects the shop held when the sync started (customersCount / ordersCount), for GET /api/sync.
ALTER TABLE bulk_syncs ADD COLUMN objects_so_far bigint NULL;
ALTER TABLE bulk_syncs ADD COLUMN root_objects_so_far bigint NULL;
ALTER TABLE bulk_syncs ADD COLUMN estimated_root_objects bigint NULL;
ALTER TABLE bulk_syncs ADD COLUMN progress_at timestamptz NULL;
