"""The validator's subscribers: *file accepted* is cut into ranges; each range is validated."""

from faststream.kafka import KafkaRouter
from faststream.middlewares import AckPolicy
from minio import Minio

from services.validator.settings import ValidatorSettings
from services.validator.validation import (
    PlanPublishers,
    ValidationPublishers,
    plan_file,
    validate_range,
)
from shared import topics
from shared.events import FileAccepted, FileRangeToValidate
from shared.kafka import consumer_options, import_key
from shared.partitioning import range_key

# A 1 GB file takes minutes to scan, a range tens of seconds: the poll interval outlasts both.
_MAX_POLL_INTERVAL_MS = 60 * 60 * 1000


def build_router(settings: ValidatorSettings, storage: Minio) -> KafkaRouter:
    """Declare the validator's publishers and its subscribers."""
    router = KafkaRouter(prefix=settings.kafka.topic_prefix)
    # Ranges, and the valid rows of each, are keyed by import and range
    # (shared.partitioning.range_key): the replicas of the validator and of the writer share a
    # large import, and one range's batches stay in file order. Outcomes and totals are keyed
    # by import: the aggregator counts them in any order.
    file_ranges = router.publisher(topics.FILE_RANGES)
    rows_validated = router.publisher(topics.ROWS_VALIDATED)
    row_outcomes = router.publisher(topics.ROW_OUTCOMES)
    file_validated = router.publisher(topics.FILE_VALIDATED)

    @router.subscriber(
        topics.FILE_ACCEPTED,
        **consumer_options(settings.kafka, group_id="validator"),
        max_poll_interval_ms=_MAX_POLL_INTERVAL_MS,
        # Committed once every range and the totals are published: a crash re-plans the file,
        # with the same event ids, and every consumer downstream ignores what it already did.
        ack_policy=AckPolicy.NACK_ON_ERROR,
    )
    async def on_file_accepted(event: FileAccepted) -> None:
        key = import_key(event.import_id)
        await plan_file(
            event,
            storage=storage,
            bucket=settings.storage.bucket,
            range_bytes=settings.range_bytes,
            publish=PlanPublishers(
                file_range=lambda message: file_ranges.publish(
                    message, key=range_key(message.import_id, message.range_index), no_confirm=True
                ),
                file_validated=lambda message: file_validated.publish(
                    message, key=key, no_confirm=True
                ),
            ),
        )

    @router.subscriber(
        topics.FILE_RANGES,
        **consumer_options(settings.kafka, group_id="validator.ranges"),
        max_poll_interval_ms=_MAX_POLL_INTERVAL_MS,
        # Committed once the range's batches are published: a crash validates the range again.
        ack_policy=AckPolicy.NACK_ON_ERROR,
    )
    async def on_file_range(event: FileRangeToValidate) -> None:
        rows_key = range_key(event.import_id, event.range_index)
        outcomes_key = import_key(event.import_id)
        await validate_range(
            event,
            storage=storage,
            bucket=settings.storage.bucket,
            publish=ValidationPublishers(
                rows_validated=lambda message: rows_validated.publish(
                    message, key=rows_key, no_confirm=True
                ),
                row_outcomes=lambda message: row_outcomes.publish(
                    message, key=outcomes_key, no_confirm=True
                ),
            ),
            batch_size=settings.batch_size,
            max_in_flight=settings.max_in_flight,
        )

    return router
