-- Issue #8: the merchant is told when their sends are held for quota. One row per shop and quota period (the
-- calendar month in the shop's time zone that the send job counts the monthly quota in, SendingRules): the notice
-- email to the shop owner (shops.email) is claimed by inserting the row (committed before any SMTP traffic), so it is
-- sent at most once per shop and period, even with several send workers. Like the sends themselves, a notice whose
-- outcome is unknown (a crash mid-send) stays SENDING and is never retried: a missed notice is better than two.
-- The row holds no personal data (not the owner's address): shop/redact erases it with the shop's other rows.
-- Forward-only: never edit this file once applied; add V<n+1>__*.sql instead.
--
-- period_start: the first instant of the quota period (month start in the shop's time zone) the notice is about.
-- period_end:   when the quota resets (the held sends then go out on their own).
-- held_count:   sends HELD for quota when the notice was written (the email states it).
-- held_since:   when the oldest of those sends was held.
-- monthly_emails: the plan's quota the email quotes.
-- status:       SENDING (claimed, outcome not recorded), SENT, FAILED (refused by the SMTP server). A shop with no
--               owner address known yet gets no row, so it is told once Shopify's shop details give one.
-- message_id:   the Message-ID of the email (derived from shop and period: the same notice has the same id).
CREATE TABLE quota_notices (
    shop_domain    text        NOT NULL,
    period_start   timestamptz NOT NULL,
    period_end     timestamptz NOT NULL,
    plan           text        NOT NULL,
    monthly_emails integer     NOT NULL,
    held_count     integer     NOT NULL,
    held_since     timestamptz NOT NULL,
    status         text        NOT NULL CHECK (status IN ('SENDING', 'SENT', 'FAILED')),
    message_id     text        NULL,
    error          text        NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    sent_at        timestamptz NULL,
    PRIMARY KEY (shop_domain, period_start)
);
