-- migrate:up
-- One row per import: what was uploaded, how it is written, where it stands.
CREATE TABLE imports (
    id              uuid PRIMARY KEY,
    account_id      uuid        NOT NULL,
    file_name       text        NOT NULL,
    object_key      text        NOT NULL,
    size_bytes      bigint      NOT NULL,
    encoding        text,
    delimiter       text,
    locale          text        NOT NULL DEFAULT 'pt-BR',
    status          text        NOT NULL,
    -- Field -> the user's header text, and the file-level problems (empty when usable).
    columns         jsonb       NOT NULL DEFAULT '{}',
    problems        jsonb       NOT NULL DEFAULT '[]',
    total_rows      integer,
    rows_validated  integer     NOT NULL DEFAULT 0,
    created_count   integer     NOT NULL DEFAULT 0,
    failed_count    integer     NOT NULL DEFAULT 0,
    skipped_count   integer     NOT NULL DEFAULT 0,
    error_file_key  text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    finished_at     timestamptz
);

-- The import list: one account's imports, newest first, paginated by (created_at, id).
CREATE INDEX imports_account_newest ON imports (account_id, created_at DESC, id DESC);

-- Tracking keys: a batch of outcomes counts once however often it is delivered.
CREATE TABLE import_outcome_batches (
    import_id     uuid    NOT NULL REFERENCES imports (id),
    stage         text    NOT NULL,
    first_row_no  integer NOT NULL,
    PRIMARY KEY (import_id, stage, first_row_no)
);

-- The rows not imported and why: the error file is built from these.
CREATE TABLE import_row_failures (
    import_id  uuid    NOT NULL REFERENCES imports (id),
    row_no     integer NOT NULL,
    kind       text    NOT NULL,
    errors     jsonb   NOT NULL,
    PRIMARY KEY (import_id, row_no)
);

-- migrate:down
DROP TABLE import_row_failures;
DROP TABLE import_outcome_batches;
DROP TABLE imports;
