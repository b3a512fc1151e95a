-- Shopify's mandatory compliance webhooks (customers/data_request, customers/redact, shop/redact): each delivery is
-- recorded here by the webhook intake and processed by the pipelines' ComplianceJob within Shopify's 30 days.

-- One row per compliance delivery (idempotent per webhook id). Holds no email or phone: those live in
-- compliance_request_subjects until the request completes, so nothing personal outlives the redaction.
CREATE TABLE compliance_requests (
    id                 bigserial   PRIMARY KEY,
    shop_domain        text        NOT NULL,
    webhook_id         text        NOT NULL,                 -- X-Shopify-Webhook-Id of the delivery
    topic              text        NOT NULL CHECK (topic IN ('customers/data_request', 'customers/redact',
                                                             'shop/redact')),
    shopify_request_id text        NULL,                     -- data_request.id of a customers/data_request
    customer_id        bigint      NULL,                     -- Shopify's numeric customer id; null for shop/redact
    order_ids          bigint[]    NOT NULL DEFAULT '{}',    -- orders_requested / orders_to_redact
    received_at        timestamptz NOT NULL,
    due_at             timestamptz NOT NULL,                 -- received_at + 30 days, Shopify's deadline
    status             text        NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DONE', 'FAILED')),
    attempts           integer     NOT NULL DEFAULT 0,
    last_error         text        NULL,                     -- why the last attempt failed (no personal data)
    completed_at       timestamptz NULL,
    counts             jsonb       NOT NULL DEFAULT '{}'::jsonb, -- rows/lines/files per store, written when DONE
    UNIQUE (shop_domain, webhook_id)
);

CREATE INDEX compliance_requests_pending ON compliance_requests (due_at) WHERE status = 'PENDING';

-- What the processor needs to find rows that carry only the email (suppressions, sends, checkouts): deleted in the
-- same transaction that marks its request DONE.
CREATE TABLE compliance_request_subjects (
    request_id bigint PRIMARY KEY REFERENCES compliance_requests (id) ON DELETE CASCADE,
    email      text   NULL,
    phone      text   NULL
);

-- What was done when, with no personal data: kept after the request completes, and after shop/redact.
CREATE TABLE compliance_audit (
    id          bigserial   PRIMARY KEY,
    request_id  bigint      NOT NULL,
    shop_domain text        NOT NULL,
    topic       text        NOT NULL,
    event       text        NOT NULL CHECK (event IN ('RECEIVED', 'ATTEMPT_FAILED', 'DONE')),
    counts      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    seconds     numeric     NULL,
    detail      text        NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX compliance_audit_request ON compliance_audit (request_id);

-- The exports produced for customers/data_request, for the merchant to download (GET /api/compliance/exports).
CREATE TABLE compliance_exports (
    id          bigserial   PRIMARY KEY,
    shop_domain text        NOT NULL,
    request_id  bigint      NOT NULL UNIQUE REFERENCES compliance_requests (id),
    customer_id bigint      NULL,
    file_name   text        NOT NULL,                        -- under the shop's export folder
    bytes       bigint      NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX compliance_exports_shop ON compliance_exports (shop_domain, id);
