"""Plan an accepted file into ranges, and validate each range: valid rows and outcomes onward."""

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from minio import Minio

from services.validator.planning import FilePlan, FileRange
from services.validator.row_validation import ImportRules, RangeValidation, RowBatch, read_header
from shared.csv_format import scan_records
from shared.events import (
    FileAccepted,
    FileRangeToValidate,
    FileValidated,
    RowOutcomes,
    RowsValidated,
    Stage,
    derived_event_id,
)
from shared.storage import stored_bytes, stored_records

# publish(event) -> a future resolved when the broker has the message.
Publish = Callable[[Any], Awaitable["asyncio.Future[Any]"]]


@dataclass(frozen=True)
class PlanPublishers:
    """Where the planner's events go: the ranges, then the file's totals."""

    file_range: Publish
    file_validated: Publish


@dataclass(frozen=True)
class ValidationPublishers:
    """Where a range's events go: valid rows for the writer, every row's outcome counted."""

    rows_validated: Publish
    row_outcomes: Publish


async def plan_file(
    event: FileAccepted, *, storage: Minio, bucket: str, range_bytes: int, publish: PlanPublishers
) -> FileValidated:
    """Scan the file once, publishing each range as soon as it is cut, then the file's totals.

    The scan only parses records (no rules), so the ranges reach the validator replicas long
    before the file is validated.
    """
    sent: list[asyncio.Future[Any]] = []
    with stored_bytes(storage, bucket, event.object_key) as binary:
        plan = FilePlan(
            scan_records(binary, event.dialect), event.dialect, ImportRules.of(event), range_bytes
        )
        ranges = plan.ranges()
        # Reading and parsing are blocking work: a worker thread keeps the event loop free.
        while (cut := await asyncio.to_thread(next, ranges, None)) is not None:
            sent.append(await publish.file_range(_range_event(event, plan, cut)))
    await asyncio.gather(*sent)
    finished = FileValidated(
        event_id=derived_event_id("file-validated", event.import_id),
        import_id=event.import_id,
        account_id=event.account_id,
        total_rows=plan.total_rows,
        columns=plan.header.columns if plan.header else {},
        problems=tuple(plan.problems),
    )
    await (await publish.file_validated(finished))
    return finished


def _range_event(event: FileAccepted, plan: FilePlan, cut: FileRange) -> FileRangeToValidate:
    return FileRangeToValidate(
        event_id=derived_event_id("file-range", event.import_id, cut.index),
        import_id=event.import_id,
        account_id=event.account_id,
        file=event,
        header=tuple(plan.header_cells),
        range_index=cut.index,
        start_byte=cut.start_byte,
        end_byte=cut.end_byte,
        first_row_no=cut.first_row_no,
    )


async def validate_range(
    event: FileRangeToValidate,
    *,
    storage: Minio,
    bucket: str,
    publish: ValidationPublishers,
    batch_size: int,
    max_in_flight: int,
) -> None:
    """Read the range once (a ranged read of the stored file) and publish every batch."""
    rules = ImportRules.of(event.file)
    header, _ = read_header(list(event.header), rules)
    in_flight: deque[asyncio.Future[Any]] = deque()
    with stored_records(
        storage,
        bucket,
        event.file.object_key,
        event.file.dialect,
        start_byte=event.start_byte,
        end_byte=event.end_byte,
        first_record_no=event.first_row_no,
    ) as records:
        batches = RangeValidation(records, header, rules, batch_size).batches()
        # Parsing and the rules are CPU work: a worker thread keeps the event loop (heartbeats,
        # broker I/O) responsive, one batch at a time so memory stays bounded.
        while (batch := await asyncio.to_thread(next, batches, None)) is not None:
            for message in _batch_events(event, batch):
                in_flight.append(await _publish_to(publish, message))
            while len(in_flight) > max_in_flight:
                await in_flight.popleft()
    # A file problem inside the range was found by the planner too: it is the file's to report.
    await asyncio.gather(*in_flight)


def _batch_events(event: FileRangeToValidate, batch: RowBatch) -> list[RowsValidated | RowOutcomes]:
    envelope = {"import_id": event.import_id, "account_id": event.account_id}
    messages: list[RowsValidated | RowOutcomes] = []
    if batch.valid:
        messages.append(
            RowsValidated.of_rows(
                batch.valid,
                event_id=derived_event_id("rows-validated", event.import_id, batch.first_row_no),
                first_row_no=batch.first_row_no,
                last_row_no=batch.last_row_no,
                **envelope,
            )
        )
    # Sent even when nothing was rejected: the aggregator counts validated rows from it.
    messages.append(
        RowOutcomes(
            event_id=derived_event_id(
                "row-outcomes", Stage.VALIDATION, event.import_id, batch.first_row_no
            ),
            stage=Stage.VALIDATION,
            first_row_no=batch.first_row_no,
            last_row_no=batch.last_row_no,
            rows_seen=batch.rows_seen,
            outcomes=tuple(batch.rejected),
            **envelope,
        )
    )
    return messages


async def _publish_to(
    publish: ValidationPublishers, message: RowsValidated | RowOutcomes
) -> "asyncio.Future[Any]":
    if isinstance(message, RowsValidated):
        return await publish.rows_validated(message)
    return await publish.row_outcomes(message)
