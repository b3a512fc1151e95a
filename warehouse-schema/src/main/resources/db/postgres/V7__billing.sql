-- Issue #8 item 2 (billing through Shopify's Billing API, "manual pricing"). Forward-only: never edit this file once
-- applied; add V<n+1>__*.sql instead.
--
-- Where plan facts live: limits (monthly_emails, contacts) stay in plan_limits (V6), read by the send job and by
-- GET /api/billing; prices, trial days and features live in code, com.ecomcrm.api.billing.Plans, because they are
-- what the app sends to Shopify in appSubscriptionCreate and change with releases, not with data. Plans' names must be
-- exactly plan_limits' rows (a test checks it). shops.plan (V1) stays the shop's effective plan: the send job reads it.

-- Every subscription the app created or heard about, one row per Shopify AppSubscription id (a gid). status is
-- Shopify's AppSubscriptionStatus. status_at is when the stored status was true at Shopify: the webhook payload's
-- updated_at (else X-Shopify-Triggered-At), or the time the app read it from currentAppInstallation; an update older
-- than status_at is ignored, so out-of-order webhooks cannot undo a newer state.
CREATE TABLE app_subscriptions (
    shop_domain        text        NOT NULL,
    subscription_id    text        NOT NULL,
    plan               text        NOT NULL,
    status             text        NOT NULL CHECK (status IN ('PENDING', 'ACTIVE', 'DECLINED', 'EXPIRED', 'FROZEN',
                                                                 'CANCELLED', 'ACCEPTED')),
    test               boolean     NOT NULL,
    trial_days         integer     NOT NULL DEFAULT 0 CHECK (trial_days >= 0),
    confirmation_url   text        NULL,
    activated_at       timestamptz NULL,
    trial_ends_at      timestamptz NULL,
    current_period_end timestamptz NULL,
    status_at          timestamptz NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_domain, subscription_id)
);

CREATE INDEX app_subscriptions_shop_status ON app_subscriptions (shop_domain, status);
