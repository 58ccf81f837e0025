"""The writer's subscriber: valid rows in; *customer created*, the batch's customers and row
outcomes out."""

import asyncio
from collections.abc import Sequence
from typing import Any

import asyncpg
from faststream.kafka import KafkaRouter
from faststream.middlewares import AckPolicy

from services.customer_writer.announcing import WriterPublishers, write_batches
from services.customer_writer.settings import WriterSettings
from shared import topics
from shared.events import CustomersCreated, RowOutcomes, RowsValidated
from shared.kafka import (
    Outgoing,
    batch_key,
    consumer_options,
    import_key,
    publish_many,
    raw_bodies,
)


def build_router(settings: WriterSettings, pool: asyncpg.Pool) -> KafkaRouter:
    """Declare the writer's publishers and its subscriber."""
    router = KafkaRouter(prefix=settings.kafka.topic_prefix)
    row_outcomes = router.publisher(topics.ROW_OUTCOMES)
    customer_created = router.publisher(topics.CUSTOMER_CREATED)
    customers_created = router.publisher(topics.CUSTOMERS_CREATED)

    async def publish_created(messages: Sequence[Outgoing]) -> list["asyncio.Future[Any]"]:
        return await publish_many(customer_created, messages)

    async def publish_batch_created(event: CustomersCreated) -> "asyncio.Future[Any]":
        key = batch_key(event.import_id, event.customers[0].row_no)
        return await customers_created.publish(event, key=key, no_confirm=True)

    async def publish_outcomes(event: RowOutcomes) -> "asyncio.Future[Any]":
        return await row_outcomes.publish(event, key=import_key(event.import_id), no_confirm=True)

    publishers = WriterPublishers(
        customer_created=publish_created,
        customers_created=publish_batch_created,
        row_outcomes=publish_outcomes,
    )

    @router.subscriber(
        topics.ROWS_VALIDATED,
        **consumer_options(settings.kafka, group_id="customer-writer"),
        # A few consecutive batches per poll: one commit and one wait for the broker's
        # acknowledgements serve them all, and one batch is announced while the next is
        # inserted. Committed after every event is published: a crash redelivers the
        # batches, which insert nothing new and re-publish the same events (same event ids).
        batch=True,
        max_records=settings.batches_per_poll,
        decoder=raw_bodies,
        ack_policy=AckPolicy.NACK_ON_ERROR,
    )
    async def on_rows_validated(bodies: list[bytes]) -> None:
        # Parsed straight from JSON by pydantic's core: hundreds of rows per message.
        batches = [RowsValidated.model_validate_json(body) for body in bodies]
        await write_batches(batches, pool=pool, publish=publishers)

    return router
