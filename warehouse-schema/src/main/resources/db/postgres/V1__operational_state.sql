-- Operational state of EcomCRM in PostgreSQL: installed shops, what landed from Shopify, and pipeline runs.
-- Forward-only: never edit an applied migration; add V<n+1>__*.sql instead (Flyway refuses changed checksums).

-- One row per shop that ever installed the app. shop_domain is the *.myshopify.com domain (ShopId).
CREATE TABLE shops (
    shop_domain             text        PRIMARY KEY,
    installed_at            timestamptz,
    uninstalled_at          timestamptz NULL,
    access_token_ciphertext bytea       NULL,
    scopes                  text,
    plan                    text        NOT NULL DEFAULT 'free',
    timezone                text,
    created_at              timestamptz DEFAULT now(),
    updated_at              timestamptz DEFAULT now()
);

-- Every accepted webhook delivery, keyed by Shopify's X-Shopify-Webhook-Id: a redelivery is recognised and skipped.
CREATE TABLE webhook_receipts (
    shop_domain  text,
    webhook_id   text,
    topic        text        NOT NULL,
    triggered_at timestamptz,
    received_at  timestamptz NOT NULL,
    landed_file  text        NOT NULL,
    PRIMARY KEY (shop_domain, webhook_id)
);

-- Bulk operations (customers, orders) started against a shop and what their JSONL produced in the landing zone.
CREATE TABLE bulk_syncs (
    id                bigserial PRIMARY KEY,
    shop_domain       text,
    bulk_operation_id text,
    object_type       text,
    status            text,
    started_at        timestamptz,
    finished_at       timestamptz,
    lines_landed      bigint,
    lines_rejected    bigint,
    landed_file       text,
    error             text,
    UNIQUE (shop_domain, bulk_operation_id)
);

-- Input that could not be landed or read, with the reason, so nothing is dropped silently.
CREATE TABLE landing_rejects (
    id          bigserial PRIMARY KEY,
    shop_domain text,
    source      text,
    topic       text,
    line_number bigint NULL,
    field       text   NULL,
    reason      text   NOT NULL,
    recorded_at timestamptz DEFAULT now()
);

CREATE INDEX landing_rejects_shop_recorded ON landing_rejects (shop_domain, recorded_at);

-- One row per nightly pipeline run (ingest, RFM, publish); detail holds per-step counts and errors.
CREATE TABLE pipeline_runs (
    id          bigserial PRIMARY KEY,
    as_of_date  date,
    started_at  timestamptz,
    finished_at timestamptz,
    status      text,
    detail      jsonb
);
