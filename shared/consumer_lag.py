"""How far behind each worker's consumers are, and how long messages wait before a handler.

Lag is what an operator (and an autoscaler) acts on: messages on the partitions this process
owns that its group has not committed yet. Every worker measures it from its own consumers
(the broker's highwater mark minus the group's committed offset), so it needs no Kafka
exporter and works on any Kafka-protocol broker; a partition is reported by the replica that
owns it, so summing over replicas gives the group's lag.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterator
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from faststream import BaseMiddleware
from faststream.kafka import KafkaBroker
from prometheus_client import Gauge, Histogram

logger = logging.getLogger(__name__)

CONSUMER_LAG = Gauge(
    "customer_import_consumer_lag",
    "Messages not yet committed by the consumer group, per partition this process owns "
    "(the partition's highwater mark minus the group's committed offset).",
    ["group", "topic", "partition"],
)
MESSAGE_WAIT = Histogram(
    "customer_import_message_wait_seconds",
    "Time from a message's broker timestamp to the start of its handling (queueing latency; "
    "faststream_received_processed_messages_duration_seconds is the handling itself).",
    ["topic"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
)

# Often enough for a 15-30 s Prometheus scrape; one committed-offset request per partition.
LAG_INTERVAL_SECONDS = 5.0

Labels = tuple[str, str, str]


class ConsumerLagMonitor:
    """Refreshes CONSUMER_LAG for every consumer of the broker's subscribers, periodically."""

    def __init__(self, broker: KafkaBroker, *, interval: float = LAG_INTERVAL_SECONDS) -> None:
        self.broker = broker
        self.interval = interval
        self._reported: set[Labels] = set()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start refreshing in the background (after the subscribers have started)."""
        self._task = asyncio.create_task(self._run(), name="consumer-lag")

    async def stop(self) -> None:
        """Stop refreshing and withdraw this process's partitions from the gauge."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for labels in self._reported:
            CONSUMER_LAG.remove(*labels)
        self._reported = set()

    async def _run(self) -> None:
        while True:
            try:
                await self.refresh()
            except Exception as error:
                # Lag is for watching: a failed round must never stop a worker.
                logger.warning("consumer lag not measured: %s: %s", type(error).__name__, error)
            await asyncio.sleep(self.interval)

    async def refresh(self) -> None:
        """Measure every owned partition once; forget the partitions no longer owned."""
        reported: set[Labels] = set()
        for consumer in self._consumers():
            group = consumer._group_id
            if group is None:
                continue
            for partition in consumer.assignment():
                lag = await partition_lag(consumer, partition)
                if lag is None:
                    continue
                labels = (str(group), partition.topic, str(partition.partition))
                CONSUMER_LAG.labels(*labels).set(lag)
                reported.add(labels)
        for labels in self._reported - reported:
            CONSUMER_LAG.remove(*labels)
        self._reported = reported

    def _consumers(self) -> Iterator[AIOKafkaConsumer]:
        for subscriber in self.broker.subscribers:
            candidates = [getattr(subscriber, "consumer", None)]
            candidates += getattr(subscriber, "consumer_subgroup", None) or []
            seen: set[int] = set()
            for consumer in candidates:
                if isinstance(consumer, AIOKafkaConsumer) and id(consumer) not in seen:
                    seen.add(id(consumer))
                    yield consumer


async def partition_lag(consumer: AIOKafkaConsumer, partition: TopicPartition) -> int | None:
    """Highwater minus the committed offset, if known.

    Before a group's first commit it starts from the partition's first offset (every
    subscriber reads a new group from `earliest`): all of the partition is still to do.
    """
    # The highwater mark comes with every fetch response: unknown until the first fetch.
    highwater = consumer.highwater(partition)
    if highwater is None:
        return None
    committed = await consumer.committed(partition)
    if committed is None:
        committed = (await consumer.beginning_offsets([partition]))[partition]
    # Some brokers (tansu) report the last batch's base offset + 1 as the highwater mark,
    # which can fall below a committed offset: never report a negative lag.
    return max(0, int(highwater) - int(committed))


class MessageWait(BaseMiddleware):
    """Observes MESSAGE_WAIT for every record a subscriber receives (each one of a batch)."""

    async def on_receive(self) -> None:
        """Time since the record's broker timestamp, per record."""
        now_ms = time.time() * 1000
        raw: Any = self.msg
        for record in raw if isinstance(raw, (tuple, list)) else (raw,):
            timestamp = getattr(record, "timestamp", None)
            topic = getattr(record, "topic", None)
            if isinstance(timestamp, int) and timestamp > 0 and isinstance(topic, str):
                MESSAGE_WAIT.labels(topic).observe(max(0.0, (now_ms - timestamp) / 1000))
