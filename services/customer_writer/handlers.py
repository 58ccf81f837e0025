"""The writer's subscriber: valid rows in; *customer created*, the batch's customers and row
outcomes out."""

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import asyncpg
from faststream.kafka import KafkaRouter
from faststream.middlewares import AckPolicy

from services.customer_writer.announcing import WriterPublishers, write_partitions
from services.customer_writer.settings import WriterSettings
from shared import topics
from shared.events import CustomersCreated, RowOutcomes, RowsValidated
from shared.kafka import (
    Outgoing,
    batch_key,
    bodies_by_partition,
    consumer_options,
    import_key,
    publish_many,
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
        key = batch_key(event.import_id, event.row_numbers[0])
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
        # Several consecutive batches per poll: one commit and one wait for the broker's
        # acknowledgements serve them all. Each partition's batches are written in order (one
        # range's rows keep file order), different partitions' concurrently on their own
        # connections: one writer keeps PostgreSQL busy instead of waiting on each round trip.
        # Committed after every event is published: a crash redelivers the batches, which
        # insert nothing new and re-publish the same events (same event ids).
        batch=True,
        max_records=settings.batches_per_poll,
        decoder=bodies_by_partition,
        ack_policy=AckPolicy.NACK_ON_ERROR,
    )
    async def on_rows_validated(records: list[tuple[int, bytes]]) -> None:
        by_partition: dict[int, list[RowsValidated]] = defaultdict(list)
        for partition, body in records:
            # Parsed straight from JSON by pydantic's core: hundreds of rows per message.
            by_partition[partition].append(RowsValidated.model_validate_json(body))
        await write_partitions(list(by_partition.values()), pool=pool, publish=publishers)

    return router
