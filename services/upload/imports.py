"""Receiving a file and starting its import: plain functions that take their dependencies."""

from collections.abc import AsyncIterator, Awaitable, Callable
from uuid import UUID, uuid4

import asyncpg
from minio import Minio

from services.upload import repository
from services.upload.file_intake import receive_file
from services.upload.precheck import precheck
from shared.csv_format import CsvDialect
from shared.events import FileAccepted, ImportStatus, derived_event_id
from shared.rules.validate import DEFAULT_REQUIRED
from shared.storage import original_file_key

PublishFileAccepted = Callable[[FileAccepted], Awaitable[None]]


class ImportNotStartableError(Exception):
    """The import was rejected by the pre-check: a corrected file must be uploaded."""


async def create_import(
    chunks: AsyncIterator[bytes],
    *,
    account_id: UUID,
    file_name: str,
    pool: asyncpg.Pool,
    storage: Minio,
    bucket: str,
    max_bytes: int,
) -> asyncpg.Record:
    """Store the uploaded file, pre-check it and record the import (uploaded or rejected)."""
    import_id = uuid4()
    key = original_file_key(account_id, import_id)
    received = await receive_file(
        chunks, storage=storage, bucket=bucket, key=key, max_bytes=max_bytes
    )
    check = precheck(
        received.sample, whole_file=received.sample_is_whole_file, required=DEFAULT_REQUIRED
    )
    async with pool.acquire() as connection:
        return await repository.insert_import(
            connection,
            import_id=import_id,
            account_id=account_id,
            file_name=file_name,
            object_key=key,
            size_bytes=received.size_bytes,
            dialect=check.dialect,
            status=ImportStatus.REJECTED if check.problems else ImportStatus.UPLOADED,
            columns={field.value: header for field, header in check.columns.items()},
            problems=list(check.problems),
        )


async def start_import(
    *, import_id: UUID, account_id: UUID, pool: asyncpg.Pool, publish: PublishFileAccepted
) -> asyncpg.Record | None:
    """Publish *file accepted* for an uploaded import; starting again changes nothing."""
    async with pool.acquire() as connection:
        record = await repository.get_import(connection, import_id=import_id, account_id=account_id)
        if record is None:
            return None
        if record["status"] == ImportStatus.REJECTED:
            raise ImportNotStartableError
        if record["status"] != ImportStatus.UPLOADED:
            return record
        # Published before the status changes: if the update is lost, a second start publishes
        # the same event (same event_id) again, and every consumer is idempotent.
        await publish(
            FileAccepted(
                event_id=derived_event_id("file-accepted", import_id),
                import_id=import_id,
                account_id=account_id,
                object_key=record["object_key"],
                file_name=record["file_name"],
                size_bytes=record["size_bytes"],
                dialect=CsvDialect(encoding=record["encoding"], delimiter=record["delimiter"]),
                required_fields=tuple(sorted(DEFAULT_REQUIRED)),
                locale=record["locale"],
            )
        )
        updated = await repository.mark_processing(
            connection, import_id=import_id, account_id=account_id
        )
        return updated or await repository.get_import(
            connection, import_id=import_id, account_id=account_id
        )
