"""Turn row outcomes into counts, and counts into the import's final status and error file."""

from collections.abc import Awaitable, Callable

import asyncpg
from minio import Minio

from services.aggregator import repository
from services.aggregator.error_file import write_error_file
from shared.events import (
    FINAL_STATUSES,
    FileValidated,
    ImportFinished,
    ImportStatus,
    OutcomeKind,
    RowOutcomes,
    Stage,
    derived_event_id,
)
from shared.storage import error_file_key

PublishFinished = Callable[[ImportFinished], Awaitable[None]]


async def record_outcomes(event: RowOutcomes, *, pool: asyncpg.Pool) -> asyncpg.Record | None:
    """Count a batch of outcomes once; returns the import's row as it now stands."""
    failures = [outcome for outcome in event.outcomes if outcome.kind is not OutcomeKind.CREATED]
    validated = event.rows_seen if event.stage is Stage.VALIDATION else 0
    async with pool.acquire() as connection, connection.transaction():
        if not await repository.claim_batch(connection, event=event):
            return await repository.get_import(connection, import_id=event.import_id)
        if failures:
            await repository.insert_failures(
                connection, import_id=event.import_id, failures=failures
            )
        return await repository.add_counts(connection, event=event, validated=validated)


async def record_file_validated(
    event: FileValidated, *, pool: asyncpg.Pool
) -> asyncpg.Record | None:
    """Record the file's row count (and problems); returns the import's row as it now stands."""
    async with pool.acquire() as connection:
        updated = await repository.record_total(
            connection,
            import_id=event.import_id,
            total_rows=event.total_rows,
            columns={field.value: header for field, header in event.columns.items()},
            problems=list(event.problems),
        )
        return updated or await repository.get_import(connection, import_id=event.import_id)


def final_status(record: asyncpg.Record) -> ImportStatus | None:
    """The final status once every row has exactly one outcome; None while rows are pending."""
    total = record["total_rows"]
    created = record["created_count"]
    decided = created + record["failed_count"] + record["skipped_count"]
    if total is None or decided < total:
        return None
    if created == 0:
        return ImportStatus.FAILED
    # A file that broke part-way was not imported whole, even if every row read was.
    if created == total and not record["problems"]:
        return ImportStatus.IMPORTED
    return ImportStatus.PARTIALLY_IMPORTED


async def finish_if_complete(
    record: asyncpg.Record,
    *,
    pool: asyncpg.Pool,
    storage: Minio,
    bucket: str,
    publish: PublishFinished,
) -> ImportStatus | None:
    """Write the error file, set the final status and announce it, once all rows are decided."""
    status = final_status(record)
    # `uploaded` too: a small file can be done before the start request flips the status.
    if status is None or record["status"] in FINAL_STATUSES:
        return None
    key = None
    if record["failed_count"] + record["skipped_count"] > 0:
        key = error_file_key(record["account_id"], record["id"])
        # Written before the status changes: a crash here leaves the import processing, and the
        # next delivery writes the same file again.
        await write_error_file(
            import_record=record, key=key, pool=pool, storage=storage, bucket=bucket
        )
    async with pool.acquire() as connection:
        finished = await repository.finish(
            connection, import_id=record["id"], status=status, error_file_key=key
        )
    if finished is None:
        return None  # another delivery finished it first
    await publish(
        ImportFinished(
            event_id=derived_event_id("import-finished", record["id"]),
            import_id=record["id"],
            account_id=record["account_id"],
            status=status,
            total_rows=finished["total_rows"],
            created=finished["created_count"],
            failed=finished["failed_count"],
            skipped=finished["skipped_count"],
            error_file_key=key,
        )
    )
    return status
