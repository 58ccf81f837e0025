"""SQL of what an account asks of its customers: required fields, custom fields, saved mappings."""

from typing import Any
from uuid import UUID

import asyncpg

from shared.rules.custom_fields import CustomFieldDefinition

GET_REQUIRED_FIELDS = "SELECT required_fields FROM account_settings WHERE account_id = $1"

SET_REQUIRED_FIELDS = """
INSERT INTO account_settings (account_id, required_fields) VALUES ($1, $2)
ON CONFLICT (account_id)
DO UPDATE SET required_fields = EXCLUDED.required_fields, updated_at = now()
"""

LIST_CUSTOM_FIELDS = """
SELECT key, label, type, required, options FROM custom_fields
WHERE account_id = $1
ORDER BY created_at, key
"""

# A key already taken leaves the row out: the caller answers 409.
INSERT_CUSTOM_FIELD = """
INSERT INTO custom_fields (account_id, key, label, type, required, options)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT DO NOTHING
RETURNING key
"""

UPDATE_CUSTOM_FIELD = """
UPDATE custom_fields SET label = $3, type = $4, required = $5, options = $6
WHERE account_id = $1 AND key = $2
RETURNING key
"""

DELETE_CUSTOM_FIELD = "DELETE FROM custom_fields WHERE account_id = $1 AND key = $2 RETURNING key"

LIST_SAVED_MAPPINGS = """
SELECT name, columns, updated_at FROM saved_mappings WHERE account_id = $1 ORDER BY name
"""

GET_SAVED_MAPPING = "SELECT columns FROM saved_mappings WHERE account_id = $1 AND name = $2"

SAVE_MAPPING = """
INSERT INTO saved_mappings (account_id, name, columns) VALUES ($1, $2, $3)
ON CONFLICT (account_id, name) DO UPDATE SET columns = EXCLUDED.columns, updated_at = now()
RETURNING name, columns, updated_at
"""

# Only before the start: the mapping the file-accepted event carries must be the last one.
SET_IMPORT_MAPPING = """
UPDATE imports SET column_mapping = $3
WHERE id = $1 AND account_id = $2 AND status = 'uploaded'
"""

DELETE_SAVED_MAPPING = """
DELETE FROM saved_mappings WHERE account_id = $1 AND name = $2 RETURNING name
"""


async def required_fields(connection: asyncpg.Connection, *, account_id: UUID) -> list[str] | None:
    """The account's required fields as stored; None when it never chose them."""
    value: list[str] | None = await connection.fetchval(GET_REQUIRED_FIELDS, account_id)
    return value


async def set_required_fields(
    connection: asyncpg.Connection, *, account_id: UUID, fields: list[str]
) -> None:
    """Replace the account's required fields."""
    await connection.execute(SET_REQUIRED_FIELDS, account_id, fields)


async def custom_fields(
    connection: asyncpg.Connection, *, account_id: UUID
) -> list[CustomFieldDefinition]:
    """The account's custom fields, oldest first (the order forms show them in)."""
    records = await connection.fetch(LIST_CUSTOM_FIELDS, account_id)
    return [
        CustomFieldDefinition(
            key=r["key"],
            label=r["label"],
            type=r["type"],
            required=r["required"],
            options=tuple(r["options"]),
        )
        for r in records
    ]


def _row(definition: CustomFieldDefinition) -> tuple[Any, ...]:
    return (
        definition.key,
        definition.label,
        definition.type.value,
        definition.required,
        list(definition.options),
    )


async def insert_custom_field(
    connection: asyncpg.Connection, *, account_id: UUID, definition: CustomFieldDefinition
) -> bool:
    """Add a custom field; False when the account already has one with that key."""
    key = await connection.fetchval(INSERT_CUSTOM_FIELD, account_id, *_row(definition))
    return key is not None


async def update_custom_field(
    connection: asyncpg.Connection, *, account_id: UUID, definition: CustomFieldDefinition
) -> bool:
    """Replace a custom field's definition (by key); False when there is none."""
    key = await connection.fetchval(UPDATE_CUSTOM_FIELD, account_id, *_row(definition))
    return key is not None


async def delete_custom_field(
    connection: asyncpg.Connection, *, account_id: UUID, key: str
) -> bool:
    """Remove a custom field's definition; False when there is none."""
    return await connection.fetchval(DELETE_CUSTOM_FIELD, account_id, key) is not None


async def saved_mappings(
    connection: asyncpg.Connection, *, account_id: UUID
) -> list[asyncpg.Record]:
    """The account's saved mappings, by name."""
    records: list[asyncpg.Record] = await connection.fetch(LIST_SAVED_MAPPINGS, account_id)
    return records


async def saved_mapping(
    connection: asyncpg.Connection, *, account_id: UUID, name: str
) -> list[dict[str, Any]] | None:
    """The columns of a saved mapping ([{"header", "target"}]), or None."""
    columns: list[dict[str, Any]] | None = await connection.fetchval(
        GET_SAVED_MAPPING, account_id, name
    )
    return columns


async def save_mapping(
    connection: asyncpg.Connection, *, account_id: UUID, name: str, columns: list[dict[str, Any]]
) -> asyncpg.Record:
    """Save (or replace) a mapping under a name."""
    record: asyncpg.Record = await connection.fetchrow(SAVE_MAPPING, account_id, name, columns)
    return record


async def set_import_mapping(
    connection: asyncpg.Connection, *, import_id: UUID, account_id: UUID, choices: dict[str, Any]
) -> None:
    """Keep the user's column choices on an import that has not started."""
    await connection.execute(SET_IMPORT_MAPPING, import_id, account_id, choices)


async def delete_saved_mapping(
    connection: asyncpg.Connection, *, account_id: UUID, name: str
) -> bool:
    """Forget a saved mapping; False when there is none."""
    return await connection.fetchval(DELETE_SAVED_MAPPING, account_id, name) is not None
