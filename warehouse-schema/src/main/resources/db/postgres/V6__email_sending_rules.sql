-- Issue #5 (email engine), the sending rules of module `jobs`: plan quotas, per-shop frequency cap and quiet hours,
-- DKIM sender domains, the send ledger's deferrals, and the watermark of the segment-transition flows.
-- Forward-only: never edit this file once applied; add V<n+1>__*.sql instead. Every shop table keys on shop_domain.

-- What each plan allows (shops.plan names one of these; an unknown plan counts as 'free'). monthly_emails: SENT
-- non-test emails per calendar month in the shop's time zone; contacts: customers the shop may keep (enforced
-- elsewhere). A global reference table, not shop data.
CREATE TABLE plan_limits (
    plan           text    PRIMARY KEY,
    monthly_emails integer NOT NULL CHECK (monthly_emails >= 0),
    contacts       integer NOT NULL CHECK (contacts >= 0)
);

INSERT INTO plan_limits (plan, monthly_emails, contacts) VALUES
    ('free',       500,    250),
    ('starter',  10000,   2500),
    ('growth',   50000,  10000),
    ('pro',     250000,  50000);

-- A shop's sending rules. No row = the defaults below. frequency_cap_count marketing emails at most per recipient per
-- rolling frequency_cap_hours, across flows (0 = no cap); flows in cap_exempt_flows neither count nor are capped.
-- Quiet hours [quiet_start, quiet_end) in the shop's local time (shops.timezone, UTC when unset), overnight when
-- start > end; start = end means none.
CREATE TABLE shop_email_settings (
    shop_domain         text        PRIMARY KEY,
    frequency_cap_count integer     NOT NULL DEFAULT 1 CHECK (frequency_cap_count >= 0),
    frequency_cap_hours integer     NOT NULL DEFAULT 24 CHECK (frequency_cap_hours > 0),
    cap_exempt_flows    text[]      NOT NULL DEFAULT '{post_purchase_thank_you}',
    quiet_hours_enabled boolean     NOT NULL DEFAULT true,
    quiet_start         time        NOT NULL DEFAULT '21:00',
    quiet_end           time        NOT NULL DEFAULT '08:00',
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- The shop's own sender domains. Emails whose From address is at a verified domain (or a subdomain of it) are DKIM
-- signed with d=domain, s=dkim_selector. dkim_key_ref says where the PKCS#8 PEM private key is: 'file:<path>' or
-- 'env:<VARIABLE>' (the key itself is never stored here).
CREATE TABLE sender_domains (
    shop_domain   text        NOT NULL,
    domain        text        NOT NULL CHECK (domain = lower(domain)),
    dkim_selector text        NOT NULL,
    dkim_key_ref  text        NULL,
    verified_at   timestamptz NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_domain, domain)
);

-- A SCHEDULED send moved later by a sending rule: why (frequency_cap, quiet_hours, both joined by '+') and how often.
ALTER TABLE sends ADD COLUMN defer_reason text NULL;
ALTER TABLE sends ADD COLUMN deferrals integer NOT NULL DEFAULT 0;

-- The frequency cap (per recipient) and the monthly quota (per shop) count SENT rows by sent_at.
CREATE INDEX sends_shop_email_sent ON sends (shop_domain, email, sent_at) WHERE status = 'SENT';
CREATE INDEX sends_shop_sent ON sends (shop_domain, sent_at) WHERE status = 'SENT';
-- The quota release step reads each shop's sends HELD for quota, oldest first.
CREATE INDEX sends_held_quota ON sends (shop_domain, due_at) WHERE status = 'HELD' AND skip_reason = 'quota';

-- The last published segment date whose transitions the win-back / VIP evaluation has handled, per shop.
CREATE TABLE segment_watermarks (
    shop_domain text        NOT NULL,
    consumer    text        NOT NULL,
    as_of_date  date        NOT NULL,
    publish_id  bigint      NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_domain, consumer)
);
