"""The writer's subscriber: valid rows in; row outcomes and *customer created* out."""

import asyncio

import asyncpg
from faststream.kafka import KafkaRouter
from faststream.middlewares import AckPolicy

from services.customer_writer.settings import WriterSettings
from services.customer_writer.writing import write_batch
from shared import topics
from shared.events import (
    CustomerCreated,
    RowOutcomes,
    RowsValidated,
    Stage,
    customer_id_for,
    derived_event_id,
)
from shared.kafka import consumer_options, import_key


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
        written = await write_batch(batch, pool=pool)
        envelope = {"import_id": batch.import_id, "account_id": batch.account_id}
        # Keyed by customer id: a customer's later events stay in order wherever they come from.
        sent = [
            await customer_created.publish(
                CustomerCreated(
                    event_id=derived_event_id("customer-created", batch.import_id, row.row_no),
                    customer_id=customer_id_for(batch.import_id, row.row_no),
                    row_no=row.row_no,
                    customer=row.customer,
                    **envelope,
                ),
                key=str(customer_id_for(batch.import_id, row.row_no)).encode(),
                no_confirm=True,
            )
            for row in written.created
        ]
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
                    **envelope,
                ),
                key=import_key(batch.import_id),
                no_confirm=True,
            )
        )
        await asyncio.gather(*sent)

    return router
