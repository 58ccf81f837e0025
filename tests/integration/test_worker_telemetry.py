"""What a worker tells operators, on the real broker: log lines named by import, consumer lag."""

import asyncio
import io
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from prometheus_client import REGISTRY

from shared import topics
from shared.consumer_lag import ConsumerLagMonitor, MessageWait
from shared.kafka import consumer_options, group_name, make_broker
from shared.logs import ImportContext, configure_logging
from shared.settings import KafkaSettings


@pytest.fixture
def json_lines() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """Every line logged meanwhile, as configure_logging makes a worker write it."""
    root = logging.getLogger()
    library = logging.getLogger("faststream")
    saved = (root.handlers[:], root.level, library.handlers[:], library.propagate)
    configure_logging("test")
    stream = io.StringIO()
    (handler,) = root.handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    try:
        yield lambda: [json.loads(text) for text in stream.getvalue().splitlines()]
    finally:
        root.handlers[:], level, library.handlers[:], library.propagate = saved
        root.setLevel(level)


async def eventually(check: Callable[[], Any], *, within: float = 30.0) -> None:
    """Wait until check() is truthy."""
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def test_every_line_about_a_message_names_its_import(
    kafka: KafkaSettings, json_lines: Callable[[], list[dict[str, Any]]]
) -> None:
    broker = make_broker(kafka, client_id="test-logs")
    broker.insert_middleware(ImportContext)
    topic = topics.topic(topics.FILE_VALIDATED, kafka)
    handler_log = logging.getLogger("tests.handler")

    # consumer_options' **kwargs leave faststream's overloads untyped here.
    @broker.subscriber(  # type: ignore[untyped-decorator]
        topic, **consumer_options(kafka, group_id="logs"), ack_policy=AckPolicy.NACK_ON_ERROR
    )
    async def handle(body: dict[str, str]) -> None:
        handler_log.info("row of %s checked", body["email"])

    imports = [str(uuid.uuid4()), str(uuid.uuid4())]
    async with broker:
        await broker.start()
        # One key: one partition, so the two messages are handled in the order sent.
        for import_id in imports:
            message = {"import_id": import_id, "email": "ana@exemplo.com"}
            await broker.publish(message, topic, key=b"one-partition")
        await eventually(lambda: [ln["message"] for ln in json_lines()].count("Processed") == 2)

    about_messages = [
        line
        for line in json_lines()
        if line["logger"] in ("faststream.messages", "tests.handler")
        and line["message"] in ("Received", "Processed", "row of a***@e***.com checked")
    ]
    assert [line["message"] for line in about_messages] == [
        "Received",
        "row of a***@e***.com checked",
        "Processed",
    ] * 2
    assert [line.get("import_id") for line in about_messages] == [imports[0]] * 3 + [imports[1]] * 3
    assert not any("ana@exemplo.com" in json.dumps(line) for line in json_lines())
    # Lines about no message (start-up, shutdown) name no import.
    assert all("import_id" not in line for line in json_lines() if line not in about_messages), (
        "a line outside a message carries an import"
    )


def lag_of(group: str, topic: str, partitions: int) -> float | None:
    """The group's lag summed over the topic's partitions, None while no partition reports."""
    values = [
        REGISTRY.get_sample_value(
            "customer_import_consumer_lag",
            {"group": group, "topic": topic, "partition": str(p)},
        )
        for p in range(partitions)
    ]
    known = [v for v in values if v is not None]
    return sum(known) if known else None


async def test_workers_export_consumer_lag_and_message_wait(kafka: KafkaSettings) -> None:
    broker = KafkaBroker(kafka.bootstrap_servers)
    broker.add_middleware(MessageWait)
    topic = topics.topic(topics.ROWS_VALIDATED, kafka)
    group = group_name(kafka, "lag")
    release = asyncio.Event()
    handled: list[int] = []

    # consumer_options' **kwargs leave faststream's overloads untyped here.
    @broker.subscriber(  # type: ignore[untyped-decorator]
        topic, **consumer_options(kafka, group_id="lag"), ack_policy=AckPolicy.ACK
    )
    async def handle(body: dict[str, int]) -> None:
        await release.wait()
        handled.append(body["n"])

    backlog = 20
    monitor = ConsumerLagMonitor(broker, interval=0.2)
    async with broker:
        await broker.connect()
        # One awaited publish per message: each its own record batch, so the highwater mark
        # is exact on every broker (tansu reports a batch's base offset + 1).
        for n in range(backlog):
            await broker.publish({"n": n}, topic, key=str(n).encode())
        await broker.start()
        await monitor.start()
        try:
            # Nothing is committed while the first message is held: the whole backlog lags.
            await eventually(lambda: lag_of(group, topic, kafka.partitions) == backlog)
            release.set()
            await eventually(lambda: len(handled) == backlog)
            await eventually(lambda: lag_of(group, topic, kafka.partitions) == 0)
        finally:
            await monitor.stop()
    # A stopped worker withdraws its partitions: another replica reports them now.
    assert lag_of(group, topic, kafka.partitions) is None
    waited = REGISTRY.get_sample_value(
        "customer_import_message_wait_seconds_count", {"topic": topic}
    )
    assert waited == backlog
