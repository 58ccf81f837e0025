-- migrate:up
-- What an account asks of its customers: the fields that are required (beyond the full name,
-- always required) and its own custom registration fields; how an import's columns map to
-- them, and the mappings an account saved to reuse.

-- No row: only the full name is required (the billing product's default).
CREATE TABLE account_settings (
    account_id       uuid        PRIMARY KEY,
    required_fields  text[]      NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE custom_fields (
    account_id  uuid        NOT NULL,
    key         text        NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{0,39}$'),
    label       text        NOT NULL,
    type        text        NOT NULL
                CHECK (type IN ('text', 'number', 'date', 'boolean', 'one_of')),
    required    boolean     NOT NULL DEFAULT false,
    options     text[]      NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, key)
);

-- The values of a customer's custom fields, by key (text, number, ISO date text or boolean).
ALTER TABLE customers ADD COLUMN custom_fields jsonb NOT NULL DEFAULT '{}';

-- The user's choices for an import's columns ({"header": [...], "columns": {"0": "email"}}),
-- NULL when the automatic mapping is kept.
ALTER TABLE imports ADD COLUMN column_mapping jsonb;

-- A mapping saved by name: header (as written) -> field or custom key, applied by header.
CREATE TABLE saved_mappings (
    account_id  uuid        NOT NULL,
    name        text        NOT NULL,
    columns     jsonb       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, name)
);

-- Changing what the account requires and its custom fields is an account setting: the roles
-- that manage the account's catalogue (Administrator, Owner, Manager) get it.
ALTER TABLE roles DROP CONSTRAINT roles_permissions_check;
ALTER TABLE roles ADD CONSTRAINT roles_permissions_check CHECK (permissions <@ ARRAY[
    'imports:create', 'imports:view', 'customers:view', 'customers:create',
    'plans:manage', 'users:manage', 'settings:manage'
]::text[]);
UPDATE roles SET permissions = permissions || 'settings:manage'::text
WHERE account_id IS NULL AND name IN ('Administrator', 'Owner', 'Manager');

-- migrate:down
UPDATE roles SET permissions = array_remove(permissions, 'settings:manage');
ALTER TABLE roles DROP CONSTRAINT roles_permissions_check;
ALTER TABLE roles ADD CONSTRAINT roles_permissions_check CHECK (permissions <@ ARRAY[
    'imports:create', 'imports:view', 'customers:view', 'customers:create',
    'plans:manage', 'users:manage'
]::text[]);
DROP TABLE saved_mappings;
ALTER TABLE imports DROP COLUMN column_mapping;
ALTER TABLE customers DROP COLUMN custom_fields;
DROP TABLE custom_fields;
DROP TABLE account_settings;
