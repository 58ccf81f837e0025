"""Write consecutive batches of valid rows in file order, and announce what each created."""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from services.customer_writer.writing import BatchWritten, customer_ids, write_batch
from shared.events import (
    CustomerCreated,
    CustomersCreated,
    RowOutcomes,
    RowsValidated,
    Stage,
    derived_event_id,
    derived_event_ids,
)
from shared.kafka import Outgoing, customer_key

# publish(messages) -> futures resolved when the broker has each message.
PublishCreated = Callable[[Sequence[Outgoing]], Awaitable[list["asyncio.Future[Any]"]]]
PublishBatchCreated = Callable[[CustomersCreated], Awaitable["asyncio.Future[Any]"]]
PublishOutcomes = Callable[[RowOutcomes], Awaitable["asyncio.Future[Any]"]]


_CREATED_SCHEMA_VERSION = CustomerCreated.model_fields["schema_version"].default
_CREATED_TYPE = CustomerCreated.model_fields["event_type"].default


@dataclass(frozen=True)
class WriterPublishers:
    """Where the writer's events go: per customer (public), per batch and per batch's outcomes."""

    customer_created: PublishCreated
    customers_created: PublishBatchCreated
    row_outcomes: PublishOutcomes


async def write_partitions(
    partitions: Sequence[Sequence[RowsValidated]], *, pool: asyncpg.Pool, publish: WriterPublishers
) -> None:
    """Write each partition's batches in order (write_batches), the partitions concurrently.

    The first failure cancels the other partitions' writes and is raised as itself, not in an
    ExceptionGroup: the retry policy decides by its kind (a schema error is permanent, a lost
    connection is retried) and the dead letter names it.
    """
    try:
        async with asyncio.TaskGroup() as writers:
            for batches in partitions:
                writers.create_task(write_batches(batches, pool=pool, publish=publish))
    except ExceptionGroup as failed:
        raise failed.exceptions[0] from None


async def write_batches(
    batches: Sequence[RowsValidated], *, pool: asyncpg.Pool, publish: WriterPublishers
) -> None:
    """Insert the batches one after the other, announcing each while the next one is inserted.

    The inserts keep file order (the earlier of two rows sharing a key is the one created);
    building and sending one batch's events overlaps the next batch's round trip to
    PostgreSQL. Returns once the broker has every event: only then may the batches be acked.
    """
    sent: list[asyncio.Future[Any]] = []
    ids = [customer_ids(batch) for batch in batches]
    writing = _start_write(batches, ids, pool, 0)
    try:
        for index, batch in enumerate(batches):
            written = await writing
            if index + 1 < len(batches):
                writing = _start_write(batches, ids, pool, index + 1)
                # Let the next INSERT reach PostgreSQL before this batch's events are built:
                # otherwise the task only starts at the first await of the publishing, and
                # the database waits while this process builds the events.
                await asyncio.sleep(0)
            sent += await publish.customer_created(created_messages(batch, written))
            if written.created:
                sent.append(await publish.customers_created(batch_created(batch, written)))
            sent.append(await publish.row_outcomes(write_outcomes(batch, written)))
    finally:
        if not writing.done():
            writing.cancel()
    await asyncio.gather(*sent)


def _start_write(
    batches: Sequence[RowsValidated], ids: list[list[UUID]], pool: asyncpg.Pool, index: int
) -> "asyncio.Future[BatchWritten]":
    return asyncio.ensure_future(write_batch(batches[index], pool=pool, ids=ids[index]))


def created_messages(batch: RowsValidated, written: BatchWritten) -> list[Outgoing]:
    """The *customer created* event of every row whose customer exists, with stable event ids,
    ready to send (keyed by customer).

    Serialised from plain dicts in the event's field order, not from a CustomerCreated per
    row: at hundreds of events per batch, building the models (even without validation)
    cost twice the JSON itself. orjson writes a plain dict three times as fast as pydantic's
    to_json (0.9 against 2.8 µs an event) and, with UTC written as "Z", the same bytes: a
    property test holds them equal to the validated event's.
    """
    # One instant for the batch.
    common = {
        "import_id": batch.import_id,
        "account_id": batch.account_id,
        "occurred_at": datetime.now(UTC),
        "schema_version": _CREATED_SCHEMA_VERSION,
        "event_type": _CREATED_TYPE,
    }
    rows = batch.row_numbers
    customers = batch.customer_values()
    event_ids = derived_event_ids(
        "customer-created", batch.import_id, (rows[position] for position in written.created)
    )
    return [
        Outgoing(
            orjson.dumps(
                {
                    "event_id": event_id,
                    **common,
                    "customer_id": customer_id,
                    "row_no": rows[position],
                    "customer": customers[position],
                },
                option=orjson.OPT_UTC_Z,
            ),
            customer_key(customer_id),
            str(event_id).encode(),
        )
        for position, customer_id, event_id in zip(
            written.created, written.created_ids, event_ids, strict=True
        )
    ]


def batch_created(batch: RowsValidated, written: BatchWritten) -> CustomersCreated:
    """The batch's created customers in one internal message, with a stable event id."""
    return CustomersCreated(
        event_id=derived_event_id("customers-created", batch.import_id, batch.first_row_no),
        import_id=batch.import_id,
        account_id=batch.account_id,
        row_numbers=tuple(batch.row_numbers[position] for position in written.created),
        customer_ids=written.created_ids,
    )


def write_outcomes(batch: RowsValidated, written: BatchWritten) -> RowOutcomes:
    """The rows of the batch that were skipped, for the aggregator: the others were created.

    Listing every created row (a customer id each) tripled the aggregator's work per row and
    the bytes of this topic; *customer created* already says which customer each row became.
    """
    return RowOutcomes(
        event_id=derived_event_id("row-outcomes", Stage.WRITE, batch.import_id, batch.first_row_no),
        stage=Stage.WRITE,
        first_row_no=batch.first_row_no,
        last_row_no=batch.last_row_no,
        rows_seen=len(batch.row_numbers),
        outcomes=written.skipped,
        import_id=batch.import_id,
        account_id=batch.account_id,
    )
