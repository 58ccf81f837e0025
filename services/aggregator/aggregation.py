"""Turn row outcomes into counts, and counts into the import's final status and error file."""

from collections import Counter
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from uuid import UUID

import asyncpg
from minio import Minio

from services.aggregator import repository
from services.aggregator.error_file import write_error_file
from shared import metrics
from shared.events import (
    FINAL_STATUSES,
    FileValidated,
    ImportFinished,
    ImportStatus,
    OutcomeKind,
    RowOutcome,
    RowOutcomes,
    Stage,
    derived_event_id,
)
from shared.file_problems import FileProblem
from shared.import_progress import decided_rows, progress
from shared.storage import error_file_key

PublishFinished = Callable[[ImportFinished], Awaitable[None]]


@dataclass(frozen=True)
class Recorded:
    """The import's row after counting a message, what was newly counted, and whether a final
    import must be redone."""

    record: asyncpg.Record | None
    counted: tuple[RowOutcome, ...] = ()
    reopened: bool = False
    # Rows of a write batch counted as created without an outcome each.
    created: int = 0


async def record_outcomes(event: RowOutcomes, *, pool: asyncpg.Pool) -> Recorded:
    """Count a batch of outcomes once; returns the import's row as it now stands."""
    async with pool.acquire() as connection:
        if event.stage is Stage.SUBSCRIPTION:
            async with connection.transaction():
                recorded = await _record_subscriptions(connection, event)
        else:
            recorded = await _record_batch(connection, event)
    # After the commit: a rolled-back (and so redelivered) batch is not counted twice.
    _observe(event.stage, recorded.counted)
    if recorded.created:
        metrics.ROWS.labels(event.stage.value, OutcomeKind.CREATED.value).inc(recorded.created)
    return recorded


async def _record_batch(connection: asyncpg.Connection, event: RowOutcomes) -> Recorded:
    """Validation and write outcomes count once per batch (its tracking key)."""
    failures = [o for o in event.outcomes if o.kind is not OutcomeKind.CREATED]
    validated = event.rows_seen if event.stage is Stage.VALIDATION else 0
    # A write batch lists the rows it skipped; every other row of it was created.
    created = event.rows_seen - len(failures) if event.stage is Stage.WRITE else 0
    record = await repository.count_batch(
        connection, event=event, validated=validated, created=created, failures=failures
    )
    if record is None:
        # Counted before (a redelivery): nothing new, the import as it stands.
        return Recorded(await repository.get_import(connection, import_id=event.import_id))
    return Recorded(record, counted=tuple(failures), created=created)


async def _record_subscriptions(connection: asyncpg.Connection, event: RowOutcomes) -> Recorded:
    """Subscription outcomes count once per row; a retry's success replaces a failure."""
    changed = await repository.record_subscription_outcomes(connection, event=event)
    recovered = {r["row_no"] for r in changed if r["was_failure"]}
    new_rows = {r["row_no"] for r in changed if not r["was_failure"]}
    failures = [
        o
        for o in event.outcomes
        if o.row_no in new_rows and o.kind is OutcomeKind.SUBSCRIPTION_FAILED
    ]
    if failures:
        await repository.insert_failures(connection, import_id=event.import_id, failures=failures)
    if recovered:
        await repository.forget_failures(
            connection, import_id=event.import_id, row_numbers=sorted(recovered)
        )
    record = await repository.add_subscription_counts(
        connection,
        import_id=event.import_id,
        subscribed=len(new_rows) - len(failures) + len(recovered),
        failed=len(failures) - len(recovered),
    )
    counted = tuple(o for o in event.outcomes if o.row_no in new_rows | recovered)
    return Recorded(record, counted=counted, reopened=bool(recovered))


def _observe(stage: Stage, counted: tuple[RowOutcome, ...]) -> None:
    for (kind, codes), rows in Counter(
        (o.kind.value, tuple(e.code for e in o.errors)) for o in counted
    ).items():
        metrics.ROWS.labels(stage.value, kind).inc(rows)
        for code in codes:
            metrics.ROW_ERRORS.labels(code).inc(rows)


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


def _track_progress(record: asyncpg.Record) -> None:
    """Share of rows decided, for imports in flight (the label goes when the import finishes)."""
    if record["status"] not in FINAL_STATUSES and record["total_rows"]:
        metrics.IMPORT_PROGRESS.labels(str(record["id"])).set(progress(record))


def final_status(record: asyncpg.Record) -> ImportStatus | None:
    """The final status once every row has exactly one outcome; None while rows are pending."""
    total = record["total_rows"]
    created = record["created_count"]
    if total is None or decided_rows(record) < total:
        return None
    subscription_failed = record["subscription_failed_count"]
    # With a plan, a created row is decided once its subscription is.
    if record["plan_id"] is not None and record["subscribed_count"] + subscription_failed < created:
        return None
    if created == 0:
        return ImportStatus.FAILED
    # A file that broke part-way was not imported whole, even if every row read was.
    if created == total and subscription_failed == 0 and not record["problems"]:
        return ImportStatus.IMPORTED
    return ImportStatus.PARTIALLY_IMPORTED


async def finish_if_complete(
    record: asyncpg.Record,
    *,
    pool: asyncpg.Pool,
    storage: Minio,
    bucket: str,
    publish: PublishFinished,
    again: bool = False,
) -> ImportStatus | None:
    """Write the error file, set the final status and announce it, once all rows are decided.

    `again` redoes a final import whose outcomes changed (subscriptions that succeeded on retry).
    """
    status = final_status(record)
    # `uploaded` too: a small file can be done before the start request flips the status.
    if status is None or (record["status"] in FINAL_STATUSES and not again):
        _track_progress(record)
        return None
    key = None
    failures = (
        record["failed_count"] + record["skipped_count"] + record["subscription_failed_count"]
    )
    if failures > 0:
        key = error_file_key(record["account_id"], record["id"])
        # Written before the status changes: a crash here leaves the import processing, and the
        # next delivery writes the same file again.
        await write_error_file(
            import_record=record, key=key, pool=pool, storage=storage, bucket=bucket
        )
    elif record["error_file_key"] is not None:
        storage.remove_object(bucket, record["error_file_key"])
    async with pool.acquire() as connection:
        finished = await repository.finish(
            connection,
            import_id=record["id"],
            status=status,
            error_file_key=key,
            again=record["status"] in FINAL_STATUSES,
        )
    if finished is None:
        return None  # another delivery finished it first
    metrics.IMPORTS_FINISHED.labels(status.value).inc()
    with suppress(KeyError):  # never tracked here: finished in one go, or on another replica
        metrics.IMPORT_PROGRESS.remove(str(record["id"]))
    await publish(
        ImportFinished(
            # A redone import reports a new fact: its id follows the subscription count.
            event_id=derived_event_id(
                "import-finished", record["id"], finished["subscribed_count"]
            ),
            import_id=record["id"],
            account_id=record["account_id"],
            status=status,
            total_rows=finished["total_rows"],
            created=finished["created_count"],
            failed=finished["failed_count"],
            skipped=finished["skipped_count"],
            subscribed=finished["subscribed_count"],
            subscription_failed=finished["subscription_failed_count"],
            error_file_key=key,
        )
    )
    return status


async def interrupt_import(
    import_id: UUID, *, pool: asyncpg.Pool, storage: Minio, bucket: str, publish: PublishFinished
) -> ImportStatus | None:
    """A message of the import failed every retry: end the import now, with a clear problem,
    instead of leaving it processing for ever. What was created stays, and the rows that failed
    before the interruption get their error file."""
    async with pool.acquire() as connection:
        current = await repository.get_import(connection, import_id=import_id)
    if current is None or current["status"] in FINAL_STATUSES:
        return None
    key = None
    if current["failed_count"] + current["skipped_count"] + current["subscription_failed_count"]:
        key = error_file_key(current["account_id"], import_id)
        # Written before the status changes, as for a finished import: a crash here leaves
        # the import processing, and the dead letter's redelivery writes it again.
        await write_error_file(
            import_record=current, key=key, pool=pool, storage=storage, bucket=bucket
        )
    async with pool.acquire() as connection:
        problem = FileProblem(
            code="import.interrupted", params={"decided": str(decided_rows(current))}
        )
        record = await repository.interrupt(
            connection, import_id=import_id, problem=problem, error_file_key=key
        )
    if record is None:
        return None  # ended meanwhile
    status = ImportStatus(record["status"])
    metrics.IMPORTS_FINISHED.labels(status.value).inc()
    await publish(
        ImportFinished(
            event_id=derived_event_id("import-finished", import_id, "interrupted"),
            import_id=import_id,
            account_id=record["account_id"],
            status=status,
            total_rows=record["total_rows"] or decided_rows(record),
            created=record["created_count"],
            failed=record["failed_count"],
            skipped=record["skipped_count"],
            subscribed=record["subscribed_count"],
            subscription_failed=record["subscription_failed_count"],
            error_file_key=key,
        )
    )
    return status
