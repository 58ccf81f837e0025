"""The broker every service builds the same way, and the consumer settings they share."""

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.kafka.publisher.producer import AioKafkaFastProducerImpl
from faststream.kafka.publisher.usecase import DefaultPublisher
from faststream.message import StreamMessage
from pydantic_core import to_json

from shared import topics
from shared.delivery import RetryPolicy
from shared.events import Event
from shared.partitioning import default_partition
from shared.settings import KafkaSettings
from shared.tracing import trace_headers


def make_broker(settings: KafkaSettings, *, client_id: str) -> KafkaBroker:
    """A broker whose subscribers retry, then dead-letter what keeps failing."""
    # Idempotent and transactional producers are not used: the pipeline is at-least-once with
    # idempotent consumers, which also runs on brokers without those features.
    # Record batches of up to 256 KiB (aiokafka's default is 16 KiB): a batch of rows fans out
    # into hundreds of small events, and fewer, larger batches cost the broker and both
    # clients less per message. zstd (cramjam, in C; aiokafka's level 3) shrinks those JSON
    # batches several times over, so the broker stores and serves far fewer bytes. Not lz4:
    # aiokafka compresses lz4 at level 9 (HC), about 65 MB/s here against zstd's 190 MB/s
    # for a larger result; it was a fifth of the writer's CPU.
    broker = KafkaBroker(
        settings.bootstrap_servers,
        client_id=client_id,
        linger_ms=5,
        max_batch_size=256 * 1024,
        compression_type="zstd",
        # Kafka's default partitioning, with a murmur2 twice as fast as aiokafka's.
        partitioner=default_partition,
        # A plain logger: its lines go through the service's JSON handler (shared/logs.py)
        # instead of faststream's own coloured one.
        logger=logging.getLogger("faststream.messages"),
    )
    dead_letter_topic = topics.topic(topics.DEAD_LETTER, settings)

    async def send_to_dead_letter(body: bytes, key: bytes | None, headers: dict[str, str]) -> None:
        await broker.publish(body, dead_letter_topic, key=key, headers=headers)

    broker.add_middleware(
        RetryPolicy(
            attempts=5,
            backoff_seconds=0.5,
            sink=send_to_dead_letter,
            dead_letter_topic=dead_letter_topic,
        )
    )
    return broker


def consumer_options(settings: KafkaSettings, *, group_id: str) -> dict[str, Any]:
    """Options every subscriber uses: a named group, earliest offsets, the configured timeouts.

    One group per subscriber: two subscribers of different topics sharing a group would make
    every join of one rebalance the other. The group carries the topic prefix, as the topics
    do, so environments sharing a cluster never share a group.
    """
    # `earliest`: a new group must not miss what was published before it joined.
    return {
        "group_id": group_name(settings, group_id),
        "auto_offset_reset": "earliest",
        "session_timeout_ms": settings.session_timeout_ms,
        "heartbeat_interval_ms": settings.heartbeat_interval_ms,
        "fetch_max_wait_ms": settings.fetch_max_wait_ms,
    }


def group_name(settings: KafkaSettings, group_id: str) -> str:
    """The consumer group's name in this environment (with the configured prefix)."""
    return f"{settings.topic_prefix}{group_id}"


def import_key(import_id: object) -> bytes:
    """Partition key of per-import messages: an import's messages share a partition, in order."""
    return str(import_id).encode()


def batch_key(import_id: object, first_row_no: int) -> bytes:
    """Partition key of a batch's message whose order among the import's batches does not
    matter: the batches of a large import spread over partitions and replicas."""
    return f"{import_id}@{first_row_no}".encode()


def customer_key(customer_id: object) -> bytes:
    """Partition key of per-customer events: a customer's events stay in order, from any sender."""
    return str(customer_id).encode()


# What faststream's publish puts on a pydantic message (fast_depends' PydanticSerializer).
_JSON_CONTENT_TYPE = b"application/json"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message for publish_many: its JSON body, partition key and correlation id."""

    value: bytes
    key: bytes
    correlation_id: bytes


def outgoing(event: Event, key: bytes) -> Outgoing:
    """An event as publish_many sends it. Its correlation id is its event id: faststream draws
    a random one per message (uuid4, a system call each), and an event's own id is as unique
    and the same on a re-publish."""
    return Outgoing(to_json(event), key, str(event.event_id).encode())


async def publish_many(
    publisher: DefaultPublisher, messages: Sequence[Outgoing]
) -> list["asyncio.Future[Any]"]:
    """Publish the messages; the futures resolve once the broker has every message.

    The same bytes, key, partition and headers as `publisher.publish(event, key=key)` (a test
    compares them), but written straight into aiokafka record batches, one per partition:
    faststream's per-message path, and even aiokafka's `send`, cost more than the message
    itself when a batch of rows fans out into hundreds of events.
    """
    producer = _aiokafka_producer(publisher)
    if producer is None:
        raise RuntimeError(f"publish_many to {publisher.topic}: the broker is not connected")
    topic = publisher.topic
    await producer.partitions_for(topic)  # metadata, as send() would wait for it
    # The handler's trace context, as faststream's telemetry middleware would add it (tracing on).
    trace = trace_headers()
    sent: list[asyncio.Future[Any]] = []
    open_batches: dict[int, Any] = {}
    for message in messages:
        key, value = message.key, message.value
        # The producer's own partitioner, exactly as send() calls it.
        partition = producer._partition(topic, None, None, None, key, value)
        headers = [
            ("content-type", _JSON_CONTENT_TYPE),
            ("correlation_id", message.correlation_id),
            *trace,
        ]
        batch = open_batches.get(partition)
        if batch is None:
            batch = open_batches[partition] = producer.create_batch()
        if batch.append(key=key, value=value, timestamp=None, headers=headers) is None:
            # Full (the producer's max batch size): send it, start the next one.
            sent.append(await producer.send_batch(batch, topic, partition=partition))
            batch = open_batches[partition] = producer.create_batch()
            batch.append(key=key, value=value, timestamp=None, headers=headers)
    for partition, batch in open_batches.items():
        sent.append(await producer.send_batch(batch, topic, partition=partition))
    return sent


async def bodies_by_partition(message: StreamMessage[Any]) -> Any:
    """Decoder of a batch subscriber whose handler takes (partition, body) pairs, in the order
    consumed: batches of different partitions may then be handled concurrently, each
    partition's in order."""
    return [(record.partition, record.value or b"") for record in message.raw_message]


def _aiokafka_producer(publisher: DefaultPublisher) -> Any:
    fast_producer = publisher._outer_config.producer
    if not isinstance(fast_producer, AioKafkaFastProducerImpl):
        return None
    state = fast_producer._producer
    # An unconnected broker holds an empty state, which is falsy.
    return state.producer if state else None
