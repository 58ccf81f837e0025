"""The writer's subscriber: valid rows in; row outcomes and *customer created* out."""

import asyncio
from uuid import UUID

import asyncpg
from faststream.kafka import KafkaRouter
from faststream.middlewares import AckPolicy

from services.customer_writer.settings import WriterSettings
from services.customer_writer.writing import customer_ids, write_batch
from shared import topics
from shared.events import (
    CustomerCreated,
    RowOutcomes,
    RowsValidated,
    Stage,
    derived_event_id,
)
from shared.kafka import consumer_options, customer_key, import_key, publish_many


def build_router(settings: WriterSettings, pool: asyncpg.Pool) -> KafkaRouter:
    """Declare the writer's publishers and its subscriber."""
    router = KafkaRouter(prefix=settings.kafka.topic_prefix)
    row_outcomes = router.publisher(topics.ROW_OUTCOMES)
    customer_created = router.publisher(topics.CUSTOMER_CREATED)

    @router.subscriber(
        topics.ROWS_VALIDATED,
        **consumer_options(settings.kafka, group_id="customer-writer"),
        # Committed after the batch's events are published: a crash redelivers the batch, which
        # inserts nothing new and re-publishes the same events (same event ids).
        ack_policy=AckPolicy.NACK_ON_ERROR,
    )
    async def on_rows_validated(batch: RowsValidated) -> None:
        ids = customer_ids(batch)
        writing = asyncio.ensure_future(write_batch(batch, pool=pool, ids=ids))
        try:
            # Built while PostgreSQL works on the batch (most rows become customers); only the
            # events of rows whose customer exists afterwards are published.
            events = await prepared_events(batch, ids)
            written = await writing
        finally:
            if not writing.done():
                writing.cancel()
        created = set(written.created_ids)
        sent = await publish_many(
            customer_created,
            [
                (event, customer_key(event.customer_id))
                for event in events
                if event.customer_id in created
            ],
        )
        sent.append(
            await row_outcomes.publish(
                RowOutcomes(
                    event_id=derived_event_id(
                        "row-outcomes", Stage.WRITE, batch.import_id, batch.first_row_no
                    ),
                    stage=Stage.WRITE,
                    first_row_no=batch.first_row_no,
                    last_row_no=batch.last_row_no,
                    rows_seen=len(batch.rows),
                    outcomes=written.outcomes,
                    import_id=batch.import_id,
                    account_id=batch.account_id,
                ),
                key=import_key(batch.import_id),
                no_confirm=True,
            )
        )
        await asyncio.gather(*sent)

    return router


# Events built between two yields to the event loop (about a millisecond of work).
_EVENTS_PER_SLICE = 50


async def prepared_events(batch: RowsValidated, ids: list[UUID]) -> list[CustomerCreated]:
    """The *customer created* event of every row of the batch, with stable event ids.

    Built in slices that yield to the event loop, so the batch's SQL round trips go on
    meanwhile.
    """
    events: list[CustomerCreated] = []
    rows = batch.rows
    for start in range(0, len(rows), _EVENTS_PER_SLICE):
        end = start + _EVENTS_PER_SLICE
        events += [
            CustomerCreated(
                event_id=derived_event_id("customer-created", batch.import_id, row.row_no),
                customer_id=customer_id,
                row_no=row.row_no,
                customer=row.customer,
                import_id=batch.import_id,
                account_id=batch.account_id,
            )
            for row, customer_id in zip(rows[start:end], ids[start:end], strict=True)
        ]
        await asyncio.sleep(0)
    return events
