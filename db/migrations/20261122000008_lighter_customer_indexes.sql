-- migrate:up
-- Every index of customers is paid on every imported row (the bench: about 40 % of
-- PostgreSQL's work per row). Three of them cost more than they give:
-- * The e-mail and external-code keys compared by collation (strcoll per comparison), although
--   the rules store them normalised: byte order is as unique and much cheaper. In
--   text_pattern_ops the same unique index also serves the e-mail prefix search, so the
--   separate prefix index goes.
-- * (source_import_id, source_row_no) was unique for the writer's idempotency, which the
--   primary key already gives: an imported customer's id is derived from (import, row)
--   (shared.events.customer_id_for). A unique index is an extra probe per row under
--   ON CONFLICT; a plain one still finds a row's customer.
CREATE UNIQUE INDEX customers_account_email_key
    ON customers (account_id, email text_pattern_ops) WHERE email IS NOT NULL;
DROP INDEX customers_account_email;
DROP INDEX customers_account_email_prefix;

CREATE UNIQUE INDEX customers_account_external_code_key
    ON customers (account_id, external_code text_pattern_ops) WHERE external_code IS NOT NULL;
DROP INDEX customers_account_external_code;

CREATE INDEX customers_source_row_lookup
    ON customers (source_import_id, source_row_no) WHERE source_import_id IS NOT NULL;
DROP INDEX customers_source_row;

-- migrate:down
CREATE UNIQUE INDEX customers_source_row
    ON customers (source_import_id, source_row_no) WHERE source_import_id IS NOT NULL;
DROP INDEX customers_source_row_lookup;
CREATE UNIQUE INDEX customers_account_external_code
    ON customers (account_id, external_code) WHERE external_code IS NOT NULL;
DROP INDEX customers_account_external_code_key;
CREATE INDEX customers_account_email_prefix
    ON customers (account_id, email text_pattern_ops) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX customers_account_email
    ON customers (account_id, email) WHERE email IS NOT NULL;
DROP INDEX customers_account_email_key;
