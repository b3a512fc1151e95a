-- Issue #5 / #10 (sends at 300/s): the plan quota's monthly count per shop, kept as a counter instead of counted.
-- Before, every non-test send's check counted the shop's SENT rows of the month (SendCheck): the cost grew with the
-- shop's monthly volume. The send job now adds to this counter in the same statement (one transaction) that marks
-- its sends SENT (SentMarks), so the count is exact under concurrent workers and never lost across a crash: a send is
-- counted exactly when its row becomes SENT. Test sends are never counted. Forward-only: never edit once applied.
CREATE TABLE shop_monthly_sends (
    shop_domain text        NOT NULL,
    -- The first day of the calendar month in the shop's time zone (shops.timezone, UTC when unset or unknown) at
    -- the moment the send went out (its sent_at).
    month       date        NOT NULL,
    -- Non-test sends SENT in that month.
    sent        bigint      NOT NULL DEFAULT 0 CHECK (sent >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_domain, month)
);

-- The months already sent, from the ledger. The zone as the send job reads it: an IANA name PostgreSQL knows, a
-- fixed offset '+HH:MM' / '-HH:MM' (as an interval: ISO sign, not the POSIX one a text offset would get), else UTC.
INSERT INTO shop_monthly_sends (shop_domain, month, sent)
SELECT s.shop_domain,
       date_trunc('month', CASE
           WHEN z.timezone ~ '^[+-][0-9]{2}:[0-9]{2}$' THEN s.sent_at AT TIME ZONE z.timezone::interval
           WHEN z.timezone IN (SELECT name FROM pg_timezone_names) THEN s.sent_at AT TIME ZONE z.timezone
           ELSE s.sent_at AT TIME ZONE 'UTC' END)::date,
       count(*)
FROM sends s
LEFT JOIN LATERAL (SELECT btrim(sh.timezone) AS timezone FROM shops sh WHERE sh.shop_domain = s.shop_domain) z ON true
WHERE s.status = 'SENT' AND NOT s.is_test AND s.sent_at IS NOT NULL
GROUP BY 1, 2;

-- The other half of the quota check: the shop's non-test sends other workers are sending right now with a smaller id.
-- Only rows in flight are in this index (at most workers x batch size), so the count never visits the shop's history.
CREATE INDEX sends_shop_sending ON sends (shop_domain, id) WHERE status = 'SENDING' AND NOT is_test;

-- Also in the quota check: sends held this month because they may or may not have gone out (the SMTP conversation
-- broke, or the worker died between delivery and its SENT mark) use quota too. Rare rows, so a small index.
CREATE INDEX sends_shop_held_unknown ON sends (shop_domain, updated_at)
    WHERE status = 'HELD' AND skip_reason IN ('lease_expired_outcome_unknown', 'smtp_outcome_unknown');
