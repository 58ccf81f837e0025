"""SQL of accounts, users, roles, API tokens and the audit trail."""

from uuid import UUID

import asyncpg

INSERT_ACCOUNT = "INSERT INTO accounts (id, name) VALUES ($1, $2)"

# A role of the account: built-in (the same for every account) or one of its own.
FIND_ROLE = """
SELECT * FROM roles
WHERE lower(name) = lower($2) AND (account_id IS NULL OR account_id = $1)
"""

LIST_ROLES = """
SELECT * FROM roles WHERE account_id IS NULL OR account_id = $1
ORDER BY account_id NULLS FIRST, created_at, name
"""

INSERT_ROLE = """
INSERT INTO roles (id, account_id, name, permissions) VALUES ($1, $2, $3, $4)
ON CONFLICT DO NOTHING
RETURNING *
"""

INSERT_USER = """
INSERT INTO users (id, account_id, name, email, role_id) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT DO NOTHING
RETURNING *
"""

GET_USER = "SELECT * FROM users WHERE id = $1 AND account_id = $2"

LIST_USERS = """
SELECT u.*, r.name AS role FROM users u JOIN roles r ON r.id = u.role_id
WHERE u.account_id = $1 ORDER BY u.created_at, u.id
"""

INSERT_TOKEN = """
INSERT INTO api_tokens (prefix, account_id, user_id, secret_hash) VALUES ($1, $2, $3, $4)
RETURNING prefix, user_id, created_at, revoked_at
"""

# What a presented token may do: its user's role, unless it was revoked.
TOKEN_HOLDER = """
SELECT t.account_id, t.user_id, t.secret_hash, r.permissions
FROM api_tokens t
JOIN users u ON u.id = t.user_id
JOIN roles r ON r.id = u.role_id
WHERE t.prefix = $1 AND t.revoked_at IS NULL
"""

LIST_TOKENS = """
SELECT prefix, user_id, created_at, revoked_at FROM api_tokens
WHERE account_id = $1 ORDER BY created_at DESC, prefix
"""

REVOKE_TOKEN = """
UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now())
WHERE prefix = $1 AND account_id = $2
RETURNING prefix, user_id, created_at, revoked_at
"""

INSERT_AUDIT_EVENT = """
INSERT INTO audit_events (account_id, user_id, action, import_id, subject)
VALUES ($1, $2, $3, $4, $5)
"""

LIST_AUDIT_EVENTS = """
SELECT user_id, action, import_id, subject, at FROM audit_events
WHERE account_id = $1 AND ($2::uuid IS NULL OR import_id = $2)
ORDER BY at DESC, id DESC
LIMIT $3
"""


async def insert_account(connection: asyncpg.Connection, *, account_id: UUID, name: str) -> None:
    """Record a new account."""
    await connection.execute(INSERT_ACCOUNT, account_id, name)


async def find_role(
    connection: asyncpg.Connection, *, account_id: UUID, name: str
) -> asyncpg.Record | None:
    """A built-in role or one of the account's, by name (any case)."""
    record: asyncpg.Record | None = await connection.fetchrow(FIND_ROLE, account_id, name)
    return record


async def list_roles(connection: asyncpg.Connection, *, account_id: UUID) -> list[asyncpg.Record]:
    """The built-in roles, then the account's own."""
    records: list[asyncpg.Record] = await connection.fetch(LIST_ROLES, account_id)
    return records


async def insert_role(
    connection: asyncpg.Connection,
    *,
    role_id: UUID,
    account_id: UUID,
    name: str,
    permissions: list[str],
) -> asyncpg.Record | None:
    """Add a custom role; None if the account already has one of that name."""
    record: asyncpg.Record | None = await connection.fetchrow(
        INSERT_ROLE, role_id, account_id, name, permissions
    )
    return record


async def insert_user(
    connection: asyncpg.Connection,
    *,
    user_id: UUID,
    account_id: UUID,
    name: str,
    email: str,
    role_id: UUID,
) -> asyncpg.Record | None:
    """Add a user; None if the account already has one with that e-mail."""
    record: asyncpg.Record | None = await connection.fetchrow(
        INSERT_USER, user_id, account_id, name, email, role_id
    )
    return record


async def get_user(
    connection: asyncpg.Connection, *, user_id: UUID, account_id: UUID
) -> asyncpg.Record | None:
    """One user of the account, or None (also when it belongs to another account)."""
    record: asyncpg.Record | None = await connection.fetchrow(GET_USER, user_id, account_id)
    return record


async def list_users(connection: asyncpg.Connection, *, account_id: UUID) -> list[asyncpg.Record]:
    """The account's users with their role's name."""
    records: list[asyncpg.Record] = await connection.fetch(LIST_USERS, account_id)
    return records


async def insert_token(
    connection: asyncpg.Connection,
    *,
    prefix: str,
    account_id: UUID,
    user_id: UUID,
    secret_hash: bytes,
) -> asyncpg.Record:
    """Record a token by its prefix and the hash of its secret."""
    record: asyncpg.Record = await connection.fetchrow(
        INSERT_TOKEN, prefix, account_id, user_id, secret_hash
    )
    return record


async def token_holder(connection: asyncpg.Connection, *, prefix: str) -> asyncpg.Record | None:
    """The account, user, secret hash and permissions of a token that is not revoked."""
    record: asyncpg.Record | None = await connection.fetchrow(TOKEN_HOLDER, prefix)
    return record


async def list_tokens(connection: asyncpg.Connection, *, account_id: UUID) -> list[asyncpg.Record]:
    """The account's tokens (never their secrets), newest first."""
    records: list[asyncpg.Record] = await connection.fetch(LIST_TOKENS, account_id)
    return records


async def revoke_token(
    connection: asyncpg.Connection, *, prefix: str, account_id: UUID
) -> asyncpg.Record | None:
    """Revoke a token of the account (again: no change); None if the account has no such token."""
    record: asyncpg.Record | None = await connection.fetchrow(REVOKE_TOKEN, prefix, account_id)
    return record


async def insert_audit_event(
    connection: asyncpg.Connection | asyncpg.Pool,
    *,
    account_id: UUID,
    user_id: UUID,
    action: str,
    import_id: UUID | None,
    subject: str | None,
) -> None:
    """Record that a user did something."""
    await connection.execute(INSERT_AUDIT_EVENT, account_id, user_id, action, import_id, subject)


async def list_audit_events(
    connection: asyncpg.Connection, *, account_id: UUID, import_id: UUID | None, limit: int
) -> list[asyncpg.Record]:
    """The account's audit trail, newest first, optionally of one import."""
    records: list[asyncpg.Record] = await connection.fetch(
        LIST_AUDIT_EVENTS, account_id, import_id, limit
    )
    return records
