"""An outside service consumes *customer created* with a stock Kafka client (not our code) and
checks every message against the published AsyncAPI schema."""

import json
from pathlib import Path

import httpx
import pytest

from bench.customers_file import generate
from shared import topics
from tests.e2e.conftest import Product, topic_records
from tests.event_schemas import published_document, validator_for

pytestmark = pytest.mark.e2e


async def test_customer_created_matches_the_published_schema(
    product: Product, tmp_path: Path
) -> None:
    path = tmp_path / "contrato.csv"
    with path.open("wb") as out:
        summary = generate(out, rows=200, seed=31, broken_ratio=0, duplicate_ratio=0)
    client = product.client()
    import_id = client.upload(path).json()["id"]
    client.start(import_id)
    client.wait_until_final(import_id, timeout=120)

    mine = [
        (record, body)
        for record in await topic_records(product.kafka, topics.CUSTOMER_CREATED)
        if (body := json.loads(record.value))["import_id"] == import_id
    ]

    validator = validator_for("CustomerCreated")
    assert len(mine) >= summary.expected_valid  # at least once
    assert len({body["event_id"] for _, body in mine}) == summary.expected_valid
    for record, body in mine:
        validator.validate(body)
        assert record.key == body["customer_id"].encode()
        assert body["schema_version"] == 1


async def test_operators_see_the_import_in_the_metrics(product: Product, tmp_path: Path) -> None:
    path = tmp_path / "metricas.csv"
    with path.open("wb") as out:
        generate(out, rows=100, seed=32)
    client = product.client()
    import_id = client.upload(path).json()["id"]
    client.start(import_id)
    client.wait_until_final(import_id, timeout=120)

    aggregator = next(p for p in product.services.processes if p.service == "aggregator")
    async with httpx.AsyncClient() as http:
        exposition = (await http.get(f"{aggregator.url}/metrics", timeout=10)).text
    assert 'customer_import_rows_total{outcome="created",stage="write"}' in exposition
    assert "customer_import_imports_finished_total" in exposition
    assert 'faststream_received_processed_messages_total{app_name="aggregator"' in exposition


async def test_the_api_serves_the_published_event_catalogue(product: Product) -> None:
    async with httpx.AsyncClient() as http:
        served = (await http.get(f"{product.services.api_url}/asyncapi.json", timeout=10)).json()
    assert served == published_document()
