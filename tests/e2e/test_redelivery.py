"""At-least-once delivery: replayed messages and a consumer killed mid-import change no number."""

import asyncio
import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition

from bench.customers_file import generate
from shared import topics
from shared.kafka import group_name
from shared.settings import KafkaSettings
from stack.processes import terminate
from stack.services import start_service
from tests.e2e.conftest import Product, create_plan, expected_counts, plan_choice

pytestmark = pytest.mark.e2e


def generated_file(path: Path, rows: int, seed: int) -> Any:
    with path.open("wb") as out:
        return generate(out, rows=rows, seed=seed, delimiter=",", encoding="cp1252")


async def customers_of(pool: asyncpg.Pool, import_id: str) -> int:
    count: int = await pool.fetchval(
        "SELECT count(*) FROM customers WHERE source_import_id = $1", import_id
    )
    return count


async def replay_topic(kafka: KafkaSettings, name: str) -> dict[TopicPartition, int]:
    """Publish every message of a topic again; returns the last replayed offset per partition."""
    topic = topics.topic(name, kafka)
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka.bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers)
    await consumer.start()
    await producer.start()
    last: dict[TopicPartition, int] = {}
    try:
        # Read everything first: producing while reading would replay the replays for ever.
        existing: list[ConsumerRecord[bytes, bytes]] = []
        while batch := await consumer.getmany(timeout_ms=1500):
            existing.extend(record for records in batch.values() for record in records)
        for record in existing:
            sent = await producer.send_and_wait(
                topic, record.value, key=record.key, partition=record.partition
            )
            last[TopicPartition(topic, sent.partition)] = sent.offset
    finally:
        await consumer.stop()
        await producer.stop()
    return last


async def wait_consumed(
    kafka: KafkaSettings, group: str, offsets: dict[TopicPartition, int], within: float = 60
) -> None:
    """Wait until `group` has committed past every given offset."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=kafka.bootstrap_servers,
        group_id=group_name(kafka, group),
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            committed = [await consumer.committed(tp) for tp in offsets]
            if all(
                c is not None and c > offsets[tp] for c, tp in zip(committed, offsets, strict=True)
            ):
                return
            await asyncio.sleep(0.5)
        raise TimeoutError(f"group {group} did not consume the replayed messages")
    finally:
        await consumer.stop()


async def test_replaying_every_message_changes_nothing(
    product: Product, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    path = tmp_path / "clientes.csv"
    summary = generated_file(path, rows=1500, seed=5)
    client = product.client()
    import_id = client.upload(path).json()["id"]
    client.start(import_id, {**plan_choice(create_plan(client))})
    before = client.wait_until_final(import_id, timeout=120)
    assert before["counts"] == expected_counts(summary, subscribed=summary.expected_valid)
    error_file = client.download(before["links"]["error_file"])

    for name, group in [
        (topics.FILE_ACCEPTED, "validator"),
        (topics.ROWS_VALIDATED, "customer-writer"),
        (topics.CUSTOMERS_CREATED, "subscription.customers-created"),
        (topics.ROW_OUTCOMES, "aggregator.row-outcomes"),
        (topics.FILE_VALIDATED, "aggregator.file-validated"),
    ]:
        await wait_consumed(product.kafka, group, await replay_topic(product.kafka, name))

    after = client.get(import_id)
    assert after["counts"] == before["counts"]
    assert (after["status"], after["finished_at"]) == (before["status"], before["finished_at"])
    assert await customers_of(pool, import_id) == summary.expected_valid
    subscriptions = await pool.fetchval(
        "SELECT count(*) FROM subscriptions WHERE source_import_id = $1", import_id
    )
    assert subscriptions == summary.expected_valid
    assert client.download(after["links"]["error_file"]) == error_file


async def test_a_writer_killed_mid_import_loses_and_duplicates_nothing(
    product: Product, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    path = tmp_path / "grande.csv"
    summary = generated_file(path, rows=40_000, seed=9)
    client = product.client()
    import_id = client.upload(path).json()["id"]
    client.start(import_id)
    writer = next(p for p in product.services.processes if p.service == "customer-writer")
    # Kill the writer once it has created some customers and not yet all of them.
    for _ in range(2000):
        created_before_kill = client.get(import_id)["counts"]["created"]
        if created_before_kill > 0:
            break
        await asyncio.sleep(0.05)
    os.kill(writer.process.pid, signal.SIGKILL)
    assert 0 < created_before_kill < summary.expected_valid
    restarted = start_service(
        "customer-writer",
        product.env,
        state_dir=product.state_dir,
        label="customer-writer-restarted",
    )
    try:
        final = client.wait_until_final(import_id, timeout=300)
    finally:
        terminate([restarted.process.pid])
    assert final["counts"] == expected_counts(summary)
    assert await customers_of(pool, import_id) == summary.expected_valid


async def test_a_message_that_fails_every_retry_ends_its_import_clearly(
    product: Product, tmp_path: Path
) -> None:
    path = tmp_path / "um.csv"
    path.write_text("Nome completo\nAna\n", encoding="utf-8")
    client = product.client()
    uploaded = client.upload(path).json()
    # A message of this import that no validator can read (the schema is broken).
    producer = AIOKafkaProducer(bootstrap_servers=product.kafka.bootstrap_servers)
    await producer.start()
    try:
        await producer.send_and_wait(
            topics.topic(topics.FILE_ACCEPTED, product.kafka),
            json.dumps({"import_id": uploaded["id"], "event_type": "file_accepted"}).encode(),
            key=uploaded["id"].encode(),
        )
    finally:
        await producer.stop()
    for _ in range(600):
        current = client.get(uploaded["id"])
        if current["status"] != "uploaded":
            break
        await asyncio.sleep(0.1)
    assert current["status"] == "failed"
    assert [p["code"] for p in current["problems"]] == ["import.interrupted"]
    assert "erro interno" in current["problems"][0]["message"]
