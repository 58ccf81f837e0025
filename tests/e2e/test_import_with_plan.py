"""Imports that subscribe every customer to a plan, through the HTTP API."""

import asyncio
import csv
import io
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import pytest

from bench.customers_file import generate
from tests.e2e.conftest import Product, create_plan, plan_choice

pytestmark = pytest.mark.e2e


def clean_file(path: Path, rows: int, seed: int) -> None:
    with path.open("wb") as out:
        generate(out, rows=rows, seed=seed, broken_ratio=0, duplicate_ratio=0)


async def test_every_customer_is_subscribed(
    product: Product, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    path = tmp_path / "assinantes.csv"
    clean_file(path, rows=600, seed=21)
    client = product.client()
    plan_id = create_plan(client)
    import_id = client.upload(path).json()["id"]

    refused = client.call(
        "POST",
        f"/v1/imports/{import_id}/start",
        json={"plan": {**plan_choice(plan_id), "acknowledge_charges": False}},
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "plan.charges_not_acknowledged"

    started = client.start(import_id, plan_choice(plan_id))
    assert started["plan"]["plan_id"] == plan_id
    final = client.wait_until_final(import_id, timeout=120)
    assert final["status"] == "imported"
    assert (final["counts"]["created"], final["counts"]["subscribed"]) == (600, 600)
    subscriptions = await pool.fetchval(
        "SELECT count(*) FROM subscriptions WHERE source_import_id = $1", import_id
    )
    assert subscriptions == 600


async def test_a_plan_deactivated_mid_import_fails_the_rest_and_a_retry_subscribes_them(
    product: Product, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    path = tmp_path / "grande.csv"
    rows = 12_000
    clean_file(path, rows=rows, seed=22)
    client = product.client()
    plan_id = create_plan(client)
    import_id = client.upload(path).json()["id"]
    client.start(import_id, plan_choice(plan_id))
    for _ in range(2000):
        if client.get(import_id)["counts"]["subscribed"] > 0:
            break
        await asyncio.sleep(0.05)
    assert (
        client.call("PATCH", f"/v1/plans/{plan_id}", json={"active": False}).json()["active"]
        is False
    )

    final = client.wait_until_final(import_id, timeout=300)
    counts = final["counts"]
    assert final["status"] == "partially_imported"
    assert counts["created"] == rows
    assert 0 < counts["subscription_failed"] < rows
    assert counts["subscribed"] + counts["subscription_failed"] == rows
    error_file = client.download(final["links"]["error_file"]).decode("utf-8-sig")
    error_rows = list(csv.reader(io.StringIO(error_file, newline=""), delimiter=";"))[1:]
    assert len(error_rows) == counts["subscription_failed"]
    assert all("Clube do Café" in row[-1] for row in error_rows)

    client.call("PATCH", f"/v1/plans/{plan_id}", json={"active": True})
    retry = client.call("POST", f"/v1/imports/{import_id}/subscriptions/retry")
    assert retry.json()["customers"] == counts["subscription_failed"]
    for _ in range(1200):
        current = client.get(import_id)
        if current["status"] == "imported":
            break
        await asyncio.sleep(0.1)
    assert current["status"] == "imported"
    assert (current["counts"]["subscribed"], current["counts"]["subscription_failed"]) == (rows, 0)
    assert current["links"]["error_file"] is None
    assert (
        await pool.fetchval("SELECT count(*) FROM customers WHERE source_import_id = $1", import_id)
        == rows
    )
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM subscriptions WHERE source_import_id = $1", import_id
        )
        == rows
    )


async def test_customers_are_active_once_their_subscription_starts(
    product: Product, tmp_path: Path
) -> None:
    client = product.client()
    plan_id = create_plan(client)

    def import_starting(start: date, seed: int) -> int:
        path = tmp_path / f"inicio-{start}.csv"
        clean_file(path, rows=40, seed=seed)
        import_id = client.upload(path).json()["id"]
        client.start(import_id, {**plan_choice(plan_id), "start_date": start.isoformat()})
        counts = client.wait_until_final(import_id, timeout=120)["counts"]
        # Two generated files of one account may share an e-mail: those rows are skipped.
        assert counts["subscribed"] == counts["created"] > 0
        created: int = counts["created"]
        return created

    def customers(status: str) -> int:
        response = client.call("GET", f"/v1/customers?status={status}&limit=200")
        assert response.status_code == 200, response.text
        return len(response.json()["items"])

    # A start date already past in any time zone: active; next month: inactive until then.
    started = import_starting(date.today() - timedelta(days=2), seed=41)
    assert (customers("active"), customers("inactive")) == (started, 0)
    future = import_starting(date.today() + timedelta(days=30), seed=42)
    assert (customers("active"), customers("inactive")) == (started, future)
