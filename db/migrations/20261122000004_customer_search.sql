-- migrate:up
-- Customer search (name, e-mail, document, external code) and the active/inactive status,
-- fast on an account with millions of customers.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- unaccent() is only STABLE (its dictionary could change), so it cannot appear in an index;
-- this wrapper promises the dictionary will not change. The SQL-standard body binds the
-- function and the dictionary when the migration runs: no search_path surprise later.
CREATE FUNCTION fold_for_search(value text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN lower(unaccent('unaccent'::regdictionary, value));

-- Name: a substring anywhere, ignoring case and accents ("jose" finds "José da Silva").
CREATE INDEX customers_name_trgm
    ON customers USING gin (fold_for_search(full_name) gin_trgm_ops);
-- E-mail and document: a prefix (LIKE 'x%') or the exact value, per account.
CREATE INDEX customers_account_email_prefix
    ON customers (account_id, email text_pattern_ops) WHERE email IS NOT NULL;
CREATE INDEX customers_account_document_prefix
    ON customers (account_id, document text_pattern_ops) WHERE document IS NOT NULL;
-- (account_id, external_code) is already indexed by customers_account_external_code.
-- The customer list: one account's customers, newest first, paginated by (created_at, id).
CREATE INDEX customers_account_newest ON customers (account_id, created_at DESC, id DESC);
-- Active: a subscription whose start date has arrived.
CREATE INDEX subscriptions_customer_start ON subscriptions (customer_id, start_date);

-- migrate:down
DROP INDEX subscriptions_customer_start;
DROP INDEX customers_account_newest;
DROP INDEX customers_account_document_prefix;
DROP INDEX customers_account_email_prefix;
DROP INDEX customers_name_trgm;
DROP FUNCTION fold_for_search(text);
DROP EXTENSION IF EXISTS unaccent;
DROP EXTENSION IF EXISTS pg_trgm;
