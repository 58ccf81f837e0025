"""The aggregator's subscribers: outcomes and file totals in; the final status out."""

from uuid import UUID

import asyncpg
from faststream.kafka import KafkaRouter
from faststream.kafka.annotations import KafkaMessage
from faststream.middlewares import AckPolicy
from minio import Minio

from services.aggregator.aggregation import (
    Recorded,
    finish_if_complete,
    interrupt_import,
    record_file_validated,
    record_outcomes,
)
from services.aggregator.settings import AggregatorSettings
from shared import topics
from shared.events import FileValidated, ImportFinished, RowOutcomes, import_id_of
from shared.kafka import consumer_options, import_key


def build_router(settings: AggregatorSettings, pool: asyncpg.Pool, storage: Minio) -> KafkaRouter:
    """Declare the aggregator's publisher and subscribers."""
    router = KafkaRouter(prefix=settings.kafka.topic_prefix)
    import_finished = router.publisher(topics.IMPORT_FINISHED)

    async def publish_finished(event: ImportFinished) -> None:
        await import_finished.publish(event, key=import_key(event.import_id))

    async def finish(recorded: Recorded) -> None:
        if recorded.record is not None:
            await finish_if_complete(
                recorded.record,
                pool=pool,
                storage=storage,
                bucket=settings.storage.bucket,
                publish=publish_finished,
                again=recorded.reopened,
            )

    # Both commit after the database transaction: a redelivery finds its batch key taken.
    @router.subscriber(
        topics.ROW_OUTCOMES,
        **consumer_options(settings.kafka, group_id="aggregator.row-outcomes"),
        ack_policy=AckPolicy.NACK_ON_ERROR,
    )
    async def on_row_outcomes(event: RowOutcomes) -> None:
        await finish(await record_outcomes(event, pool=pool))

    @router.subscriber(
        topics.FILE_VALIDATED,
        **consumer_options(settings.kafka, group_id="aggregator.file-validated"),
        ack_policy=AckPolicy.NACK_ON_ERROR,
    )
    async def on_file_validated(event: FileValidated) -> None:
        await finish(Recorded(await record_file_validated(event, pool=pool)))

    # Any message of an import that failed every retry ends the import with a clear problem.
    @router.subscriber(
        topics.DEAD_LETTER,
        **consumer_options(settings.kafka, group_id="aggregator.dead-letters"),
        ack_policy=AckPolicy.NACK_ON_ERROR,
    )
    async def on_dead_letter(message: KafkaMessage) -> None:
        # The raw body: a dead letter is whatever its producer sent, valid or not.
        if (import_id := import_id_of(message.body)) is not None:
            await interrupt_import(
                UUID(import_id),
                pool=pool,
                storage=storage,
                bucket=settings.storage.bucket,
                publish=publish_finished,
            )

    return router
