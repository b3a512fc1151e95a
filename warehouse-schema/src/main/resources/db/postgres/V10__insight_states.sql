-- Issue #6, item 4: what the merchant did with a nightly insight (api-server com.ecomcrm.api.insights). The
-- insights themselves are published to ClickHouse each night (shop_insights); their ids are stable across nights
-- (a hash of shop, kind and subject), so a state recorded here sticks to the same finding on later nights.
-- Forward-only: never edit this file once applied; add V<n+1>__*.sql instead.
--
-- state: DISMISSED (the merchant does not want to see it) or DONE (the merchant acted on it). No row: NEW.
CREATE TABLE insight_states (
    shop_domain text        NOT NULL,
    insight_id  text        NOT NULL,
    state       text        NOT NULL CHECK (state IN ('DISMISSED', 'DONE')),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_domain, insight_id)
);
