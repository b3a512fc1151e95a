-- Issue #6, item 1: open / click / unsubscribe tracking on the API server (package com.ecomcrm.api.tracking, rule in
-- module tracking, MachineEventRule). email_events (V4) gets what the tracking routes see of each request.
-- Forward-only: never edit this file once applied; add V<n+1>__*.sql instead.
--
-- event_id:       the id of the landed line (landing source=tracking, delivery_id); replaying landed lines into this
--                 table therefore records nothing twice. Every replay of one send's unsubscribe shares one id
--                 ('unsubscribe-<send id>'). NULL only for rows written by other producers (bounces, complaints).
-- method:         GET / HEAD / POST as received.
-- user_agent:     the User-Agent header, cut to 512 characters.
-- ip:             the client address as the server saw it (the proxy's when a privacy proxy fetched). Personal data:
--                 erased with the customer (customers/redact) and the shop (shop/redact).
-- machine:        a mail privacy proxy or link scanner, not the recipient; machine_reason says which rule matched
--                 (MachineEventRule.Reason, lower case). Machine events are kept and reported separately.
ALTER TABLE email_events
    ADD COLUMN event_id       text        NULL,
    ADD COLUMN method         text        NULL,
    ADD COLUMN user_agent     text        NULL,
    ADD COLUMN ip             inet        NULL,
    ADD COLUMN machine        boolean     NOT NULL DEFAULT false,
    ADD COLUMN machine_reason text        NULL,
    ADD COLUMN recorded_at    timestamptz NOT NULL DEFAULT now(),
    ADD CONSTRAINT email_events_machine_reason CHECK (machine = (machine_reason IS NOT NULL));

CREATE UNIQUE INDEX email_events_shop_event ON email_events (shop_domain, event_id);
-- One unsubscribe per send, however often the link is posted.
CREATE UNIQUE INDEX email_events_one_unsubscribe ON email_events (shop_domain, send_id) WHERE kind = 'unsubscribe';
-- The scanner-burst rule looks up the clicks of one send in the last second.
CREATE INDEX email_events_shop_send_kind_time ON email_events (shop_domain, send_id, kind, occurred_at);

-- Human and machine events side by side, per send and kind: the separate report the machine flag exists for.
CREATE VIEW email_event_counts AS
SELECT shop_domain,
       send_id,
       kind,
       count(*) FILTER (WHERE NOT machine)         AS human_events,
       count(*) FILTER (WHERE machine)             AS machine_events,
       min(occurred_at) FILTER (WHERE NOT machine) AS first_human_at,
       min(occurred_at)                            AS first_at
FROM email_events
GROUP BY shop_domain, send_id, kind;
