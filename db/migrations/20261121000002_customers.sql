-- migrate:up
CREATE TABLE customers (
    id               uuid PRIMARY KEY,
    account_id       uuid        NOT NULL,
    full_name        text        NOT NULL,
    -- Stored lower-cased by the rules: uniqueness per account ignores case.
    email            text,
    document         text,
    document_kind    text,
    phone_type       text,
    phone_ddi        text,
    phone_ddd        text,
    phone_number     text,
    phone_extension  text,
    postal_code      text,
    street           text,
    street_number    text,
    complement       text,
    district         text,
    city             text,
    state            text,
    notes            text,
    external_code    text,
    -- The import row a customer came from: the idempotency key of the writer.
    source_import_id uuid,
    source_row_no    integer,
    created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX customers_account_email
    ON customers (account_id, email) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX customers_account_external_code
    ON customers (account_id, external_code) WHERE external_code IS NOT NULL;
CREATE UNIQUE INDEX customers_source_row
    ON customers (source_import_id, source_row_no) WHERE source_import_id IS NOT NULL;

-- migrate:down
DROP TABLE customers;
