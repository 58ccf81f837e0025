-- migrate:up
-- Who may do what: accounts, their users, roles (sets of permissions) and API tokens;
-- and who did what: the audit trail and the user who created / started each import.
--
-- imports, customers and plans keep their account_id without a foreign key to accounts:
-- rows written before accounts existed (and the workers' own tests) name accounts that
-- have no row here. Every query already filters by account, which is what isolates them.
CREATE TABLE accounts (
    id          uuid        PRIMARY KEY,
    name        text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- A role is a named set of permissions. Built-in roles (account_id NULL) are the same for
-- every account; an account adds its own custom roles.
CREATE TABLE roles (
    id           uuid        PRIMARY KEY,
    account_id   uuid        REFERENCES accounts (id),
    name         text        NOT NULL,
    permissions  text[]      NOT NULL CHECK (permissions <@ ARRAY[
        'imports:create', 'imports:view', 'customers:view', 'customers:create',
        'plans:manage', 'users:manage'
    ]::text[]),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX roles_builtin_name ON roles (lower(name)) WHERE account_id IS NULL;
CREATE UNIQUE INDEX roles_account_name ON roles (account_id, lower(name))
    WHERE account_id IS NOT NULL;

-- The reference product's roles: all but Observer may create imports; Observer only views them.
INSERT INTO roles (id, account_id, name, permissions) VALUES
    ('00000000-0000-4000-8000-00000000a001', NULL, 'Administrator', ARRAY[
        'imports:create', 'imports:view', 'customers:view', 'customers:create',
        'plans:manage', 'users:manage']),
    ('00000000-0000-4000-8000-00000000a002', NULL, 'Owner', ARRAY[
        'imports:create', 'imports:view', 'customers:view', 'customers:create',
        'plans:manage', 'users:manage']),
    ('00000000-0000-4000-8000-00000000a003', NULL, 'Manager', ARRAY[
        'imports:create', 'imports:view', 'customers:view', 'customers:create',
        'plans:manage']),
    ('00000000-0000-4000-8000-00000000a004', NULL, 'Support', ARRAY[
        'imports:create', 'imports:view', 'customers:view', 'customers:create']),
    ('00000000-0000-4000-8000-00000000a005', NULL, 'Observer', ARRAY['imports:view']);

CREATE TABLE users (
    id          uuid        PRIMARY KEY,
    account_id  uuid        NOT NULL REFERENCES accounts (id),
    name        text        NOT NULL,
    email       text        NOT NULL,
    role_id     uuid        NOT NULL REFERENCES roles (id),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_account_email ON users (account_id, lower(email));

-- A token is "<prefix>.<secret>": the prefix names it (list, revoke) without the secret,
-- only a hash of the secret is kept.
CREATE TABLE api_tokens (
    prefix       text        PRIMARY KEY,
    account_id   uuid        NOT NULL REFERENCES accounts (id),
    user_id      uuid        NOT NULL REFERENCES users (id),
    secret_hash  bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz
);
CREATE INDEX api_tokens_account ON api_tokens (account_id, created_at DESC);

CREATE TABLE audit_events (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  uuid        NOT NULL,
    user_id     uuid        NOT NULL REFERENCES users (id),
    action      text        NOT NULL,
    import_id   uuid,
    -- The customer, plan, product, user, role or token prefix the action was about, if any.
    subject     text,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_events_account_at ON audit_events (account_id, at DESC);
CREATE INDEX audit_events_import ON audit_events (import_id) WHERE import_id IS NOT NULL;

ALTER TABLE imports
    ADD COLUMN created_by uuid REFERENCES users (id),
    ADD COLUMN started_by uuid REFERENCES users (id);

-- migrate:down
ALTER TABLE imports DROP COLUMN started_by, DROP COLUMN created_by;
DROP TABLE audit_events;
DROP TABLE api_tokens;
DROP TABLE users;
DROP TABLE roles;
DROP TABLE accounts;
