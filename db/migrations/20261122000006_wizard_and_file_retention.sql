-- migrate:up
-- The wizard: what the pre-check saw of the format (confidence and the alternatives), and the
-- files' retention: originals and error files are removed after two months, the import stays.
ALTER TABLE imports
    ADD COLUMN detection        jsonb,
    ADD COLUMN files_expired_at timestamptz;

-- The retention sweep: imports whose files are still kept, oldest first.
CREATE INDEX imports_files_kept ON imports (created_at) WHERE files_expired_at IS NULL;

-- migrate:down
DROP INDEX imports_files_kept;
ALTER TABLE imports DROP COLUMN files_expired_at, DROP COLUMN detection;
