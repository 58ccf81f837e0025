"""Validate one accepted file and fan its rows out: valid rows to the writer, outcomes onward."""

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from minio import Minio

from services.validator.row_validation import FileValidation, RowBatch
from shared.events import (
    FileAccepted,
    FileValidated,
    RowOutcomes,
    RowsValidated,
    Stage,
    derived_event_id,
)
from shared.storage import stored_records

# publish(event) -> a future resolved when the broker has the message.
Publish = Callable[[Any], Awaitable["asyncio.Future[Any]"]]


@dataclass(frozen=True)
class ValidationPublishers:
    """Where the validator's three kinds of events go."""

    rows_validated: Publish
    row_outcomes: Publish
    file_validated: Publish


async def validate_file(
    event: FileAccepted,
    *,
    storage: Minio,
    bucket: str,
    publish: ValidationPublishers,
    batch_size: int,
    max_in_flight: int,
) -> FileValidated:
    """Read the file once, publish every batch, then the file's totals."""
    in_flight: deque[asyncio.Future[Any]] = deque()
    with stored_records(storage, bucket, event.object_key, event.dialect) as records:
        validation = FileValidation(
            records,
            frozenset(event.required_fields),
            batch_size,
            mapping=event.mapping,
            custom_fields=event.custom_fields,
        )
        batches = validation.batches()
        # Parsing and the rules are CPU work: a worker thread keeps the event loop (heartbeats,
        # broker I/O) responsive, one batch at a time so memory stays bounded.
        while (batch := await asyncio.to_thread(next, batches, None)) is not None:
            for message in _batch_events(event, batch):
                in_flight.append(await _publish_to(publish, message))
            while len(in_flight) > max_in_flight:
                await in_flight.popleft()
    await asyncio.gather(*in_flight)
    finished = FileValidated(
        event_id=derived_event_id("file-validated", event.import_id),
        import_id=event.import_id,
        account_id=event.account_id,
        total_rows=validation.total_rows,
        columns=validation.columns,
        problems=tuple(validation.problems),
    )
    await (await publish.file_validated(finished))
    return finished


def _batch_events(event: FileAccepted, batch: RowBatch) -> list[RowsValidated | RowOutcomes]:
    envelope = {"import_id": event.import_id, "account_id": event.account_id}
    messages: list[RowsValidated | RowOutcomes] = []
    if batch.valid:
        messages.append(
            RowsValidated(
                event_id=derived_event_id("rows-validated", event.import_id, batch.first_row_no),
                first_row_no=batch.first_row_no,
                last_row_no=batch.last_row_no,
                rows=tuple(batch.valid),
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
