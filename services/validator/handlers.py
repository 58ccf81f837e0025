"""The validator's subscriber: *file accepted* in, rows and outcomes out."""

from faststream.kafka import KafkaRouter
from faststream.middlewares import AckPolicy
from minio import Minio

from services.validator.settings import ValidatorSettings
from services.validator.validation import ValidationPublishers, validate_file
from shared import topics
from shared.events import FileAccepted
from shared.kafka import consumer_options, import_key


def build_router(settings: ValidatorSettings, storage: Minio) -> KafkaRouter:
    """Declare the validator's publishers and its subscriber."""
    router = KafkaRouter(prefix=settings.kafka.topic_prefix)
    # Every message of one import is keyed by its id, so the writer and the aggregator see one
    # import's batches in file order on one partition: earlier rows win duplicate checks.
    rows_validated = router.publisher(topics.ROWS_VALIDATED)
    row_outcomes = router.publisher(topics.ROW_OUTCOMES)
    file_validated = router.publisher(topics.FILE_VALIDATED)

    @router.subscriber(
        topics.FILE_ACCEPTED,
        **consumer_options(settings.kafka, group_id="validator"),
        # A 1 GB file takes minutes: the poll interval must outlast the whole file.
        max_poll_interval_ms=60 * 60 * 1000,
        # Committed once the whole file's events are published; a crash replays the file and
        # every consumer downstream ignores what it already counted.
        ack_policy=AckPolicy.NACK_ON_ERROR,
    )
    async def on_file_accepted(event: FileAccepted) -> None:
        key = import_key(event.import_id)
        await validate_file(
            event,
            storage=storage,
            bucket=settings.storage.bucket,
            publish=ValidationPublishers(
                rows_validated=lambda message: rows_validated.publish(
                    message, key=key, no_confirm=True
                ),
                row_outcomes=lambda message: row_outcomes.publish(
                    message, key=key, no_confirm=True
                ),
                file_validated=lambda message: file_validated.publish(
                    message, key=key, no_confirm=True
                ),
            ),
            batch_size=settings.batch_size,
            max_in_flight=settings.max_in_flight,
        )

    return router
