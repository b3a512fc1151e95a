-- Issues #4 and #10: the nightly ingest reads only the landing files that arrived (or changed) since it last ingested.
-- One row per landing file whose rows are in the silver tables of one lakehouse. A row is written only after the
-- silver commits that hold the file's rows, so a crash in between leaves the file unrecorded and the next night reads
-- it again, which is harmless (the MERGE keeps the newest updated_at, a tie keeps the row already there).
-- Forward-only: never edit once applied.
--
-- lakehouse:   the identity of the silver tables the rows went into: the catalog and a digest of the tables' Iceberg
--              UUIDs. A lakehouse recreated, or a silver table added, has another identity, hence no rows here, and
--              its first ingest reads every landing file.
-- path:        the file, relative to the landing root (source=.../shop=.../date=.../name.jsonl).
-- size_bytes, modified_ms: the file as listed just before it was read. Webhook and tracking files of the current day
--              are appended to, and a compliance erasure rewrites a file without the customer's lines: either changes
--              them, and the file is read again, whole.
-- run_id:      the pipeline_runs row of the night that ingested it (null when run outside the nightly pipeline).
CREATE TABLE ingested_landing_files (
    lakehouse    text        NOT NULL,
    path         text        NOT NULL,
    size_bytes   bigint      NOT NULL,
    modified_ms  bigint      NOT NULL,
    run_id       bigint,
    ingested_at  timestamptz NOT NULL,
    PRIMARY KEY (lakehouse, path)
);
