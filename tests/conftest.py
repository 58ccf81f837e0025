"""Fixtures that start the real servers: the process stack here, containers where Docker answers.

IMPORT_STACK_BACKEND=auto|processes|containers is the one switch; the tests are the same.
Only tests that ask for these fixtures start anything: unit tests never do.
"""

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from minio import Minio

from shared.database import create_pool
from shared.settings import DatabaseSettings, KafkaSettings, StorageSettings
from shared.storage import make_client
from stack.infra import InfraEndpoints, backend_from_env, start_infra
from stack.provision import create_bucket, create_topics, migrate


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InfraEndpoints]:
    """The broker, the S3 server and PostgreSQL, migrated, for the whole session."""
    running = start_infra(
        tmp_path_factory.mktemp("stack"), backend=backend_from_env(), fast_unsafe_postgres=True
    )
    try:
        migrate(database_settings(running.endpoints))
        create_bucket(storage_settings(running.endpoints))
        yield running.endpoints
    finally:
        running.stop()


def database_settings(endpoints: InfraEndpoints) -> DatabaseSettings:
    """Settings for the test database."""
    return DatabaseSettings(url=endpoints.postgres_dsn)


def storage_settings(endpoints: InfraEndpoints) -> StorageSettings:
    """Settings for the test S3 server."""
    return StorageSettings(
        endpoint=endpoints.s3_endpoint,
        access_key=endpoints.s3_access_key,
        secret_key=endpoints.s3_secret_key,
    )


@pytest.fixture
async def pool(infra: InfraEndpoints) -> AsyncIterator[asyncpg.Pool]:
    """A pool on the migrated test database."""
    opened = await create_pool(database_settings(infra))
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def storage(infra: InfraEndpoints) -> Minio:
    """A client of the test S3 server."""
    return make_client(storage_settings(infra))


@pytest.fixture
def bucket(infra: InfraEndpoints) -> str:
    """The bucket the services use."""
    return storage_settings(infra).bucket


@pytest.fixture
async def kafka(infra: InfraEndpoints) -> KafkaSettings:
    """Broker settings with a topic prefix of this test's own, its topics created."""
    settings = KafkaSettings(
        bootstrap_servers=infra.kafka_bootstrap,
        topic_prefix=f"test-{uuid.uuid4().hex[:12]}.",
        session_timeout_ms=2000,
        heartbeat_interval_ms=500,
        partitions=2,
    )
    await create_topics(settings)
    return settings


EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
