"""SQL of the wizard's steps after the upload, and of the files' retention."""

from datetime import datetime
from uuid import UUID

import asyncpg

from services.upload.file_intake import CheckedFile
from services.upload.repository import file_values

# Only before the start: once started, the file being imported never changes under the workers.
REPLACE_FILE = """
UPDATE imports
SET file_name = $3, object_key = $4, size_bytes = $5, encoding = $6, delimiter = $7,
    status = $8, columns = $9, problems = $10, detection = $11
WHERE id = $1 AND account_id = $2 AND status IN ('uploaded', 'rejected')
RETURNING *
"""

# Imports whose files outlived the retention; a running import keeps its files until it ends.
EXPIRING_IMPORTS = """
SELECT id, account_id, object_key, error_file_key FROM imports
WHERE files_expired_at IS NULL AND created_at < $1::timestamptz - $2::text::interval
  AND status <> 'processing'
ORDER BY created_at
LIMIT $3
"""

MARK_FILES_EXPIRED = """
UPDATE imports SET files_expired_at = $2 WHERE id = $1 AND files_expired_at IS NULL
"""

# The per-row ledgers are only needed to build the error file and retry subscriptions, both
# gone with the files; the import's counts stay on its row. The batches' tracking keys stay:
# they are one row per batch and keep a very late redelivery from counting twice.
PRUNE_ROW_FAILURES = "DELETE FROM import_row_failures WHERE import_id = $1"
PRUNE_SUBSCRIPTION_OUTCOMES = "DELETE FROM import_subscription_outcomes WHERE import_id = $1"


async def replace_file(
    connection: asyncpg.Connection,
    *,
    import_id: UUID,
    account_id: UUID,
    file_name: str,
    file: CheckedFile,
) -> asyncpg.Record | None:
    """Give a not yet started import another file; None if it was started meanwhile."""
    record: asyncpg.Record | None = await connection.fetchrow(
        REPLACE_FILE, import_id, account_id, *file_values(file_name, file)
    )
    return record


async def expiring_imports(
    connection: asyncpg.Connection, *, now: datetime, retention: str, limit: int
) -> list[asyncpg.Record]:
    """Imports created more than `retention` (an SQL interval, e.g. '2 months') before now."""
    records: list[asyncpg.Record] = await connection.fetch(EXPIRING_IMPORTS, now, retention, limit)
    return records


async def expire_files(connection: asyncpg.Connection, *, import_id: UUID, at: datetime) -> None:
    """Record that an import's files are gone and drop its per-row ledgers, in one transaction."""
    async with connection.transaction():
        await connection.execute(MARK_FILES_EXPIRED, import_id, at)
        await connection.execute(PRUNE_ROW_FAILURES, import_id)
        await connection.execute(PRUNE_SUBSCRIPTION_OUTCOMES, import_id)
