"""publish_many sends what faststream's publish sends: same bytes, key, partition, headers."""

import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer
from faststream.kafka import KafkaBroker

from shared import topics
from shared.customer import CustomerRecord
from shared.events import CustomerCreated
from shared.kafka import outgoing, publish_many
from shared.settings import KafkaSettings


def created(row_no: int) -> CustomerCreated:
    return CustomerCreated(
        import_id=uuid.uuid4(),
        account_id=uuid.uuid4(),
        customer_id=uuid.uuid4(),
        row_no=row_no,
        customer=CustomerRecord(
            full_name="João Conceição", email="joao@exemplo.com.br", notes='aspas " e ;'
        ),
    )


async def test_publish_many_matches_faststream_publish(kafka: KafkaSettings) -> None:
    broker = KafkaBroker(kafka.bootstrap_servers)
    publisher = broker.publisher(topics.topic(topics.CUSTOMER_CREATED, kafka))
    events = [created(row_no) for row_no in range(2, 12)]
    keys = [str(event.customer_id).encode() for event in events]
    async with broker:
        await broker.start()
        for event, key in zip(events, keys, strict=True):
            await publisher.publish(event, key=key)
        messages = [outgoing(event, key) for event, key in zip(events, keys, strict=True)]
        for future in await publish_many(publisher, messages):
            await future

    consumer = AIOKafkaConsumer(
        publisher.topic,
        bootstrap_servers=kafka.bootstrap_servers,
        group_id=f"test-{uuid.uuid4()}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        records: list[Any] = []
        while len(records) < 2 * len(events):
            batches = await consumer.getmany(timeout_ms=5000)
            assert batches, "the messages did not arrive"
            for batch in batches.values():
                records += batch
    finally:
        await consumer.stop()

    def seen(record: object) -> tuple[bytes, bytes, int, list[str], bytes]:
        headers = dict(record.headers)  # type: ignore[attr-defined]
        return (
            record.key,  # type: ignore[attr-defined]
            record.value,  # type: ignore[attr-defined]
            record.partition,  # type: ignore[attr-defined]
            [name for name, _ in record.headers],  # type: ignore[attr-defined]
            headers["content-type"],
        )

    by_key: dict[bytes, list[tuple[bytes, bytes, int, list[str], bytes]]] = {}
    for record in records:
        by_key.setdefault(record.key, []).append(seen(record))
    for key in keys:
        by_publish, by_publish_many = by_key[key]
        assert by_publish == by_publish_many
    assert all(len(dict(r.headers)["correlation_id"]) == 36 for r in records)
