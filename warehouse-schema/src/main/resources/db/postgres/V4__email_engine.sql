-- Issue #5 (email engine): flows, templates with versions, the send ledger, suppressions, consent, the landing-log
-- watermarks of the trigger evaluation, and Spring Batch's job repository. Module `jobs` reads and writes these.
-- Forward-only: never edit this file once applied; add V<n+1>__*.sql instead.
--
-- Every table of ours carries shop_domain (the *.myshopify.com domain, ShopId) first in its keys and indexes. Two
-- indexes are deliberately global: the send queue (sends_due, sends_lease) is claimed across all shops by the send
-- workers. Spring Batch's BATCH_* tables are the framework's own and know nothing of shops.

-- Merchant-authored templates. A template's content lives in immutable versions; the newest version is the one sent.
CREATE TABLE templates (
    id          bigserial   PRIMARY KEY,
    shop_domain text        NOT NULL,
    name        text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (shop_domain, id),
    UNIQUE (shop_domain, name)
);

-- The key includes shop_domain, and the foreign key too: a version can only belong to a template of its own shop.
CREATE TABLE template_versions (
    shop_domain text        NOT NULL,
    template_id bigint      NOT NULL,
    version     integer     NOT NULL CHECK (version > 0),
    subject     text        NOT NULL,
    body_html   text        NOT NULL,
    body_text   text        NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_domain, template_id, version),
    FOREIGN KEY (shop_domain, template_id) REFERENCES templates (shop_domain, id) ON DELETE CASCADE
);

-- One row per shop and flow kind, off until the merchant switches it on. delay_minutes counts from the trigger
-- (customer created, checkout created, order created). conditions: trigger filters (e.g. {"min_total_price": "50"});
-- settings: content settings (e.g. {"discount_code": "WELCOME10"}). The template must be one of the shop's own.
CREATE TABLE flows (
    id            bigserial   PRIMARY KEY,
    shop_domain   text        NOT NULL,
    kind          text        NOT NULL CHECK (kind IN ('welcome', 'abandoned_checkout', 'post_purchase_thank_you',
                                                       'review_request', 'win_back', 'vip')),
    enabled       boolean     NOT NULL DEFAULT false,
    delay_minutes integer     NOT NULL DEFAULT 0 CHECK (delay_minutes >= 0),
    conditions    jsonb       NOT NULL DEFAULT '{}'::jsonb,
    settings      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    template_id   bigint      NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (shop_domain, kind),
    UNIQUE (shop_domain, id),
    FOREIGN KEY (shop_domain, template_id) REFERENCES templates (shop_domain, id)
);

-- The send ledger: one row per (shop, flow, customer, trigger), enforced by idempotency_key, so evaluating the same
-- events twice schedules nothing new. Life cycle: SCHEDULED -> SENDING (claimed by one worker until claimed_until)
-- -> SENT | SKIPPED (consent, suppression; skip_reason says why) | FAILED (permanent error) | CANCELLED (flow switched
-- off, order placed) | HELD (outcome unknown: a worker lost its lease between claiming and recording the result; the
-- email may or may not have gone out, so it is never resent automatically and waits for review).
CREATE TABLE sends (
    id               bigserial   PRIMARY KEY,
    shop_domain      text        NOT NULL,
    flow_id          bigint      NULL,       -- NULL only for a test send (is_test) of a template
    customer_id      bigint      NULL,
    email            text        NOT NULL,
    trigger_key      text        NOT NULL,
    idempotency_key  text        NOT NULL,
    status           text        NOT NULL DEFAULT 'SCHEDULED'
                     CHECK (status IN ('SCHEDULED', 'SENDING', 'SENT', 'SKIPPED', 'FAILED', 'CANCELLED', 'HELD')),
    due_at           timestamptz NOT NULL,
    claimed_by       text        NULL,
    claimed_until    timestamptz NULL,
    attempts         integer     NOT NULL DEFAULT 0,
    skip_reason      text        NULL,
    last_error       text        NULL,
    merge_data       jsonb       NOT NULL DEFAULT '{}'::jsonb,
    template_id      bigint      NULL,
    template_version integer     NULL,
    message_id       text        NULL,
    is_test          boolean     NOT NULL DEFAULT false,
    sent_at          timestamptz NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (shop_domain, idempotency_key),
    FOREIGN KEY (shop_domain, flow_id) REFERENCES flows (shop_domain, id)
);

CREATE INDEX sends_shop_flow_status ON sends (shop_domain, flow_id, status);
CREATE INDEX sends_shop_customer ON sends (shop_domain, customer_id);
CREATE INDEX sends_shop_trigger ON sends (shop_domain, trigger_key);
-- The global work queues of the send workers (see the header).
CREATE INDEX sends_due ON sends (due_at) WHERE status = 'SCHEDULED';
CREATE INDEX sends_lease ON sends (claimed_until) WHERE status = 'SENDING';

-- Addresses that must never receive marketing email from the shop again.
CREATE TABLE suppressions (
    shop_domain    text        NOT NULL,
    email          text        NOT NULL,
    reason         text        NOT NULL CHECK (reason IN ('unsubscribed', 'hard_bounce', 'complaint', 'manual')),
    source_send_id bigint      NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_domain, email)
);

-- Email marketing consent as Shopify last reported it (email_marketing_consent.state, upper-cased); updated_at is the
-- customer's updated_at at Shopify, so an older event never overwrites a newer state.
CREATE TABLE consent (
    shop_domain     text        NOT NULL,
    customer_id     bigint      NOT NULL,
    email           text        NULL,
    marketing_state text        NOT NULL CHECK (marketing_state IN ('SUBSCRIBED', 'NOT_SUBSCRIBED', 'UNSUBSCRIBED',
                                                                    'PENDING', 'REDACTED', 'INVALID')),
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (shop_domain, customer_id)
);

CREATE INDEX consent_shop_email ON consent (shop_domain, email);

-- Opens, clicks and unsubscribes recorded from the signed tracking URLs, per send.
CREATE TABLE email_events (
    id          bigserial   PRIMARY KEY,
    shop_domain text        NOT NULL,
    send_id     bigint      NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('open', 'click', 'unsubscribe', 'bounce', 'complaint')),
    url         text        NULL,
    occurred_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX email_events_shop_send ON email_events (shop_domain, send_id);

-- How far each consumer has read each append-only landing file (bytes, always at a line boundary).
CREATE TABLE event_watermarks (
    shop_domain text        NOT NULL,
    consumer    text        NOT NULL,
    file        text        NOT NULL,
    byte_offset bigint      NOT NULL CHECK (byte_offset >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_domain, consumer, file)
);

-- Spring Batch 5.2's job repository, copied unchanged from spring-batch-core 5.2.6
-- (org/springframework/batch/core/schema-postgresql.sql, the official DDL).

CREATE TABLE BATCH_JOB_INSTANCE  (
	JOB_INSTANCE_ID BIGINT  NOT NULL PRIMARY KEY ,
	VERSION BIGINT ,
	JOB_NAME VARCHAR(100) NOT NULL,
	JOB_KEY VARCHAR(32) NOT NULL,
	constraint JOB_INST_UN unique (JOB_NAME, JOB_KEY)
) ;

CREATE TABLE BATCH_JOB_EXECUTION  (
	JOB_EXECUTION_ID BIGINT  NOT NULL PRIMARY KEY ,
	VERSION BIGINT  ,
	JOB_INSTANCE_ID BIGINT NOT NULL,
	CREATE_TIME TIMESTAMP NOT NULL,
	START_TIME TIMESTAMP DEFAULT NULL ,
	END_TIME TIMESTAMP DEFAULT NULL ,
	STATUS VARCHAR(10) ,
	EXIT_CODE VARCHAR(2500) ,
	EXIT_MESSAGE VARCHAR(2500) ,
	LAST_UPDATED TIMESTAMP,
	constraint JOB_INST_EXEC_FK foreign key (JOB_INSTANCE_ID)
	references BATCH_JOB_INSTANCE(JOB_INSTANCE_ID)
) ;

CREATE TABLE BATCH_JOB_EXECUTION_PARAMS  (
	JOB_EXECUTION_ID BIGINT NOT NULL ,
	PARAMETER_NAME VARCHAR(100) NOT NULL ,
	PARAMETER_TYPE VARCHAR(100) NOT NULL ,
	PARAMETER_VALUE VARCHAR(2500) ,
	IDENTIFYING CHAR(1) NOT NULL ,
	constraint JOB_EXEC_PARAMS_FK foreign key (JOB_EXECUTION_ID)
	references BATCH_JOB_EXECUTION(JOB_EXECUTION_ID)
) ;

CREATE TABLE BATCH_STEP_EXECUTION  (
	STEP_EXECUTION_ID BIGINT  NOT NULL PRIMARY KEY ,
	VERSION BIGINT NOT NULL,
	STEP_NAME VARCHAR(100) NOT NULL,
	JOB_EXECUTION_ID BIGINT NOT NULL,
	CREATE_TIME TIMESTAMP NOT NULL,
	START_TIME TIMESTAMP DEFAULT NULL ,
	END_TIME TIMESTAMP DEFAULT NULL ,
	STATUS VARCHAR(10) ,
	COMMIT_COUNT BIGINT ,
	READ_COUNT BIGINT ,
	FILTER_COUNT BIGINT ,
	WRITE_COUNT BIGINT ,
	READ_SKIP_COUNT BIGINT ,
	WRITE_SKIP_COUNT BIGINT ,
	PROCESS_SKIP_COUNT BIGINT ,
	ROLLBACK_COUNT BIGINT ,
	EXIT_CODE VARCHAR(2500) ,
	EXIT_MESSAGE VARCHAR(2500) ,
	LAST_UPDATED TIMESTAMP,
	constraint JOB_EXEC_STEP_FK foreign key (JOB_EXECUTION_ID)
	references BATCH_JOB_EXECUTION(JOB_EXECUTION_ID)
) ;

CREATE TABLE BATCH_STEP_EXECUTION_CONTEXT  (
	STEP_EXECUTION_ID BIGINT NOT NULL PRIMARY KEY,
	SHORT_CONTEXT VARCHAR(2500) NOT NULL,
	SERIALIZED_CONTEXT TEXT ,
	constraint STEP_EXEC_CTX_FK foreign key (STEP_EXECUTION_ID)
	references BATCH_STEP_EXECUTION(STEP_EXECUTION_ID)
) ;

CREATE TABLE BATCH_JOB_EXECUTION_CONTEXT  (
	JOB_EXECUTION_ID BIGINT NOT NULL PRIMARY KEY,
	SHORT_CONTEXT VARCHAR(2500) NOT NULL,
	SERIALIZED_CONTEXT TEXT ,
	constraint JOB_EXEC_CTX_FK foreign key (JOB_EXECUTION_ID)
	references BATCH_JOB_EXECUTION(JOB_EXECUTION_ID)
) ;

CREATE SEQUENCE BATCH_STEP_EXECUTION_SEQ MAXVALUE 9223372036854775807 NO CYCLE;
CREATE SEQUENCE BATCH_JOB_EXECUTION_SEQ MAXVALUE 9223372036854775807 NO CYCLE;
CREATE SEQUENCE BATCH_JOB_SEQ MAXVALUE 9223372036854775807 NO CYCLE;
