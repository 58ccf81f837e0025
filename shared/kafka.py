"""The broker every service builds the same way, and the consumer settings they share."""

from typing import Any

from faststream.kafka import KafkaBroker

from shared import topics
from shared.delivery import RetryPolicy
from shared.settings import KafkaSettings


def make_broker(settings: KafkaSettings, *, client_id: str) -> KafkaBroker:
    """A broker whose subscribers retry, then dead-letter what keeps failing."""
    # Idempotent and transactional producers are not used: the pipeline is at-least-once with
    # idempotent consumers, which also runs on brokers without those features.
    broker = KafkaBroker(settings.bootstrap_servers, client_id=client_id, linger_ms=5)
    dead_letter_topic = topics.topic(topics.DEAD_LETTER, settings)

    async def send_to_dead_letter(body: bytes, key: bytes | None, headers: dict[str, str]) -> None:
        await broker.publish(body, dead_letter_topic, key=key, headers=headers)

    broker.add_middleware(RetryPolicy(attempts=5, backoff_seconds=0.5, sink=send_to_dead_letter))
    return broker


def consumer_options(settings: KafkaSettings, *, group_id: str) -> dict[str, Any]:
    """Options every subscriber uses: a named group, earliest offsets, the configured timeouts."""
    # `earliest`: a new group must not miss what was published before it joined.
    return {
        "group_id": group_id,
        "auto_offset_reset": "earliest",
        "session_timeout_ms": settings.session_timeout_ms,
        "heartbeat_interval_ms": settings.heartbeat_interval_ms,
    }


def import_key(import_id: object) -> bytes:
    """Partition key of per-import messages: an import's messages share a partition, in order."""
    return str(import_id).encode()
