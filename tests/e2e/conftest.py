"""Every service as its own process, on the real servers, driven through the HTTP API."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer

from bench.customers_file import GenerationSummary
from services.upload.accounts import create_account_in
from shared import topics
from shared.settings import DatabaseSettings, KafkaSettings
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

    def owner_token(self) -> str:
        """The API token of the Owner of a new account of its own."""
        database = DatabaseSettings(url=self.env["DATABASE_URL"])
        creating = create_account_in(
            database, name="Conta e2e", owner_email=f"dono-{uuid.uuid4().hex[:8]}@padaria.com.br"
        )
        # The tests run inside an event loop: the account is created on a loop of its own.
        with ThreadPoolExecutor(max_workers=1) as thread:
            account = thread.submit(asyncio.run, creating).result()
        return account.token

    def client(self) -> ImportClient:
        """A client of the API as the Owner of a new account of its own."""
        return ImportClient(self.services.api_url, self.owner_token())

    def member(self, owner: ImportClient, role: str) -> ImportClient:
        """A client of the API as a new user of the owner's account, with this role."""
        email = f"{role.lower()}-{uuid.uuid4().hex[:8]}@padaria.com.br"
        user = owner.call("POST", "/v1/users", json={"name": role, "email": email, "role": role})
        assert user.status_code == 201, user.text
        token = owner.call("POST", f"/v1/users/{user.json()['id']}/tokens")
        assert token.status_code == 201, token.text
        return ImportClient(self.services.api_url, token.json()["token"])


@asynccontextmanager
async def started_product(
    infra: InfraEndpoints,
    state_dir: Path,
    *,
    env: Mapping[str, str] | None = None,
    replicas: Mapping[str, int] | None = None,
) -> AsyncIterator[Product]:
    """The services (and replicas) started with topics of their own, stopped on exit."""
    prefix = f"e2e-{uuid.uuid4().hex[:10]}."
    product_env = {
        **infra.as_env(),
        "KAFKA_TOPIC_PREFIX": prefix,
        "KAFKA_PARTITIONS": "4",
        **(env or {}),
    }
    kafka = KafkaSettings(
        bootstrap_servers=infra.kafka_bootstrap, topic_prefix=prefix, partitions=4
    )
    await create_topics(kafka)
    services = start_services(product_env, state_dir=state_dir, replicas=replicas)
    try:
        yield Product(services=services, env=product_env, state_dir=state_dir, kafka=kafka)
    finally:
        services.stop()


@pytest.fixture(scope="module")
async def product(
    infra: InfraEndpoints, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Product]:
    """Start the services with topics of this module's own."""
    async with started_product(infra, tmp_path_factory.mktemp("services")) as started:
        yield started


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


async def topic_records(kafka: KafkaSettings, name: str) -> list[Any]:
    """Every record of one of the product's topics so far, read as an outside service would:
    a stock Kafka client, no consumer group, until nothing more arrives for 1.5 s."""
    consumer = AIOKafkaConsumer(
        topics.topic(name, kafka),
        bootstrap_servers=kafka.bootstrap_servers,
        auto_offset_reset="earliest",
        group_id=None,
    )
    await consumer.start()
    records: list[Any] = []
    try:
        while batch := await consumer.getmany(timeout_ms=1500):
            for partition_records in batch.values():
                records += partition_records
    finally:
        await consumer.stop()
    return records
