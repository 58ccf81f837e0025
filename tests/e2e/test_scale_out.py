"""A file cut into many ranges, validated and written by two replicas of each, in parallel:
every row has exactly one outcome, numbered as the spreadsheet shows it, and every skipped
row names the line of the customer that holds its key."""

import csv
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from bench.customers_file import generate
from shared import topics
from stack.infra import InfraEndpoints
from tests.e2e.conftest import Product, started_product

pytestmark = pytest.mark.e2e

ROWS = 2000
# About 45 rows a range: the 2,000-row file makes some 45 ranges for two validators.
RANGE_BYTES = 8192
REPLICAS = {"validator": 2, "customer-writer": 2}
SAME_KEY = re.compile(r"Linha (\d+): Coluna «([^»]+)»: est[ea] [^.]* já aparece na linha (\d+)")


@pytest.fixture(scope="module")
async def product(
    infra: InfraEndpoints, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Product]:
    """Two validators and two writers; files cut into small ranges."""
    async with started_product(
        infra,
        tmp_path_factory.mktemp("services"),
        env={"VALIDATOR_RANGE_BYTES": str(RANGE_BYTES)},
        replicas=REPLICAS,
    ) as started:
        yield started


async def messages_on(product: Product, name: str) -> int:
    """How many messages the topic holds (this module's topics serve this one import)."""
    consumer = AIOKafkaConsumer(
        topics.topic(name, product.kafka),
        bootstrap_servers=product.kafka.bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    try:
        count = 0
        while batch := await consumer.getmany(timeout_ms=1500):
            count += sum(len(records) for records in batch.values())
        return count
    finally:
        await consumer.stop()


def owned_partitions(url: str, topic: str) -> int:
    """How many partitions of the topic the worker's consumers own (its lag gauge's series)."""
    metrics = httpx.get(f"{url}/metrics", timeout=5).text
    return metrics.count(f'topic="{topic}"')


async def test_a_file_in_many_ranges_is_imported_exactly_by_two_replicas_of_each(
    product: Product, tmp_path: Path, pool: asyncpg.Pool
) -> None:
    path = tmp_path / "clientes.csv"
    with path.open("wb") as out:
        summary = generate(out, rows=ROWS, seed=8128)
    client = product.client()
    uploaded = client.upload(path)
    assert uploaded.status_code == 201, uploaded.text
    import_id = uploaded.json()["id"]
    client.start(import_id)
    final = client.wait_until_final(import_id, timeout=180)

    counts = final["counts"]
    assert counts["total"] == counts["validated"] == ROWS
    assert counts["failed"] == summary.broken_rows
    # Which of two rows sharing a key is created may depend on which range is written first;
    # that exactly one of them is, may not.
    assert counts["created"] + counts["skipped"] == ROWS - summary.broken_rows
    # (How many are skipped can move by a row or two: two keys can chain rows across ranges.)

    customers = await pool.fetch(
        "SELECT source_row_no, email, external_code FROM customers WHERE source_import_id = $1",
        import_id,
    )
    assert len(customers) == counts["created"]
    emails = [c["email"] for c in customers if c["email"]]
    codes = [c["external_code"] for c in customers if c["external_code"]]
    assert len(emails) == len(set(emails))
    assert len(codes) == len(set(codes))
    by_row = {c["source_row_no"]: c for c in customers}

    error_file = client.download(final["links"]["error_file"]).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(error_file, newline=""), delimiter=";"))
    reasons = {int(row[-1].split(":")[0].removeprefix("Linha ")): row for row in rows}
    assert len(reasons) == counts["failed"] + counts["skipped"]
    # Row numbers are the spreadsheet's across every range: the broken rows are where the
    # generator put them, each in the error file with its own cells.
    broken = {n for numbers in summary.broken_row_numbers.values() for n in numbers}
    assert broken <= set(reasons)
    skipped = set(reasons) - broken
    assert len(skipped) == counts["skipped"]
    for row_no in skipped:
        cells = reasons[row_no]
        match = SAME_KEY.match(cells[-1])
        assert match is not None, cells[-1]
        assert int(match[1]) == row_no
        column, holder = match[2], int(match[3])
        # The line named holds the customer with that key.
        key = cells[header.index(column)].strip().lower()
        stored = by_row[holder]["email" if column == "E-mail" else "external_code"]
        assert stored is not None
        assert stored.lower() == key

    # The file was cut into many ranges, and both replicas of each worker took part: each owns
    # partitions of its topic.
    assert await messages_on(product, topics.FILE_RANGES) > 30
    for service, name in (
        ("validator", topics.FILE_RANGES),
        ("customer-writer", topics.ROWS_VALIDATED),
    ):
        urls = [p.url for p in product.services.processes if p.service == service]
        assert len(urls) == 2
        for url in urls:
            assert owned_partitions(url, topics.topic(name, product.kafka)) >= 1, url
