-- Issues #4 and #6: the nightly load of sends and tracking events into the lakehouse reads only what changed since
-- its last load (EmailLakehouseLoad), not every send and event each night. Forward-only: never edit once applied.
--
-- One row per silver table (silver.email_sends, silver.email_events) of one lakehouse, written after the table's
-- MERGE committed:
-- lakehouse_table: the catalog and table the rows went into (ecomcrm.silver.email_sends).
-- table_uuid:      the Iceberg table's UUID: a table dropped and created again is another table, read whole.
-- snapshot_id:     the table's snapshot right after the load. The next load reads only changes if every snapshot
--                  since then only rewrote files (compaction: operation 'replace'); a DELETE by the compliance job, a
--                  rollback or any other writer makes it read every row again and drop what PostgreSQL no longer has.
-- read_from:       PostgreSQL's clock when the load's read started. The next load reads the rows updated (sends) or
--                  recorded (events) since then, minus a margin for transactions still open at that moment.
-- run_id:          the pipeline_runs row of the night (null when run outside the nightly pipeline).
CREATE TABLE email_lakehouse_loads (
    lakehouse_table text        PRIMARY KEY,
    table_uuid      text        NOT NULL,
    snapshot_id     bigint      NOT NULL,
    read_from       timestamptz NOT NULL,
    run_id          bigint,
    loaded_at       timestamptz NOT NULL
);

-- The events recorded since a moment, without reading the whole table: rows are appended in recording order, so a
-- block range index (a few pages for millions of rows, next to nothing per insert on the tracking path) skips all
-- but the newest pages.
CREATE INDEX email_events_recorded_brin ON email_events USING brin (recorded_at);
