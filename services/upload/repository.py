"""SQL of the imports table, as the HTTP API reads and writes it."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from services.upload.file_intake import CheckedFile
from shared.events import CustomerRef, ImportStatus

INSERT_IMPORT = """
INSERT INTO imports (id, account_id, created_by, file_name, object_key, size_bytes, encoding,
                     delimiter, status, columns, problems, detection)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
RETURNING *
"""

GET_IMPORT = "SELECT * FROM imports WHERE id = $1 AND account_id = $2"

LIST_IMPORTS = """
SELECT * FROM imports
WHERE account_id = $1
  AND ($2::text IS NULL OR status = $2)
  AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4))
ORDER BY created_at DESC, id DESC
LIMIT $5
"""

CHOOSE_PLAN = """
UPDATE imports
SET plan_id = $3, subscription_start = $4, payment_method = $5, charges_acknowledged_at = now()
WHERE id = $1 AND account_id = $2 AND status = 'uploaded'
"""

# The customers of an import whose subscription failed, to subscribe again.
FAILED_SUBSCRIPTIONS = """
SELECT f.row_no, c.id AS customer_id
FROM import_row_failures f
JOIN imports i ON i.id = f.import_id AND i.account_id = $2
JOIN customers c ON c.source_import_id = f.import_id AND c.source_row_no = f.row_no
WHERE f.import_id = $1 AND f.kind = 'subscription_failed'
ORDER BY f.row_no
"""

MARK_PROCESSING = """
UPDATE imports SET status = 'processing', started_at = now(), started_by = $3
WHERE id = $1 AND account_id = $2 AND status = 'uploaded'
RETURNING *
"""


def file_values(file_name: str, file: CheckedFile) -> tuple[Any, ...]:
    """The columns of imports that describe its file, in INSERT_IMPORT's (and REPLACE_FILE's)
    order: name, object key, size, encoding, delimiter, status, columns, problems, detection."""
    check = file.check
    return (
        file_name,
        file.object_key,
        file.size_bytes,
        check.dialect.encoding if check.dialect else None,
        check.dialect.delimiter if check.dialect else None,
        file.status.value,
        {field.value: header for field, header in check.columns.items()},
        [problem.model_dump() for problem in check.problems],
        check.detection.model_dump() if check.detection else None,
    )


async def insert_import(
    connection: asyncpg.Connection,
    *,
    import_id: UUID,
    account_id: UUID,
    created_by: UUID,
    file_name: str,
    file: CheckedFile,
) -> asyncpg.Record:
    """Record a received file and the user who uploaded it."""
    record: asyncpg.Record = await connection.fetchrow(
        INSERT_IMPORT, import_id, account_id, created_by, *file_values(file_name, file)
    )
    return record


async def get_import(
    connection: asyncpg.Connection, *, import_id: UUID, account_id: UUID
) -> asyncpg.Record | None:
    """One import of the account, or None (also when it belongs to another account)."""
    record: asyncpg.Record | None = await connection.fetchrow(GET_IMPORT, import_id, account_id)
    return record


async def list_imports(
    connection: asyncpg.Connection,
    *,
    account_id: UUID,
    status: ImportStatus | None,
    before: tuple[datetime, UUID] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """The account's imports, newest first, after the keyset cursor `before`."""
    before_at, before_id = before if before else (None, None)
    status_value: Any = status.value if status else None
    records: list[asyncpg.Record] = await connection.fetch(
        LIST_IMPORTS, account_id, status_value, before_at, before_id, limit
    )
    return records


async def mark_processing(
    connection: asyncpg.Connection, *, import_id: UUID, account_id: UUID, started_by: UUID
) -> asyncpg.Record | None:
    """Move an uploaded import to processing, by a user; None if it was not in `uploaded`."""
    record: asyncpg.Record | None = await connection.fetchrow(
        MARK_PROCESSING, import_id, account_id, started_by
    )
    return record


async def choose_plan(
    connection: asyncpg.Connection,
    *,
    import_id: UUID,
    account_id: UUID,
    plan_id: UUID,
    start_date: date,
    payment_method: str,
) -> None:
    """Record the plan an uploaded import subscribes its customers to."""
    await connection.execute(
        CHOOSE_PLAN, import_id, account_id, plan_id, start_date, payment_method
    )


async def failed_subscriptions(
    connection: asyncpg.Connection, *, import_id: UUID, account_id: UUID
) -> list[CustomerRef]:
    """The customers of the import whose subscription failed."""
    records = await connection.fetch(FAILED_SUBSCRIPTIONS, import_id, account_id)
    return [CustomerRef(row_no=r["row_no"], customer_id=r["customer_id"]) for r in records]
