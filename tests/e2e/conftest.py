"""Every service as its own process, on the real servers, driven through the HTTP API."""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bench.customers_file import GenerationSummary
from shared.settings import KafkaSettings
from stack.client import ImportClient
from stack.infra import InfraEndpoints
from stack.provision import create_topics
from stack.services import RunningServices, start_services


@dataclass(frozen=True)
class Product:
    """The running product: its services, their environment and where they log."""

    services: RunningServices
    env: dict[str, str]
    state_dir: Path
    kafka: KafkaSettings

    def client(self, account_id: uuid.UUID | None = None) -> ImportClient:
        """A client of the API for an account of its own."""
        return ImportClient(self.services.api_url, account_id or uuid.uuid4())


@pytest.fixture(scope="module")
async def product(
    infra: InfraEndpoints, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Product]:
    """Start the services with topics of this module's own."""
    prefix = f"e2e-{uuid.uuid4().hex[:10]}."
    env = {**infra.as_env(), "KAFKA_TOPIC_PREFIX": prefix, "KAFKA_PARTITIONS": "4"}
    kafka = KafkaSettings(
        bootstrap_servers=infra.kafka_bootstrap, topic_prefix=prefix, partitions=4
    )
    await create_topics(kafka)
    state_dir = tmp_path_factory.mktemp("services")
    services = start_services(env, state_dir=state_dir)
    try:
        yield Product(services=services, env=env, state_dir=state_dir, kafka=kafka)
    finally:
        services.stop()


def create_plan(client: ImportClient) -> str:
    product = client.call("POST", "/v1/products", json={"name": "Cesta de café"}).json()
    plan = client.call(
        "POST",
        "/v1/plans",
        json={
            "name": "Clube do Café",
            "billing_day": 10,
            "products": [{"product_id": product["id"], "price_cents": 4990}],
        },
    )
    assert plan.status_code == 201, plan.text
    plan_id: str = plan.json()["id"]
    return plan_id


def plan_choice(plan_id: str) -> dict[str, Any]:
    return {
        "plan_id": plan_id,
        "start_date": date.today().isoformat(),
        "acknowledge_charges": True,
    }


def expected_counts(summary: GenerationSummary, *, subscribed: int = 0) -> dict[str, int]:
    """The counts the API must show for a generated file once its import is final."""
    return {
        "total": summary.rows,
        "validated": summary.rows,
        "created": summary.expected_valid,
        "failed": summary.broken_rows,
        "skipped": summary.duplicate_email_rows + summary.duplicate_external_code_rows,
        "subscribed": subscribed,
        "subscription_failed": 0,
    }
