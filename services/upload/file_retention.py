"""Files are kept for two months: the sweep removes them from object storage and says when.

The bucket also has a lifecycle rule (stack/provision.py) that deletes objects a little
later, as a backstop; the sweep is what records the removal, so links can say the file expired.

    python -m services.upload.file_retention [--now 2026-11-22T00:00:00+00:00]

reads DATABASE_* and S3_* like the API; run it daily (a Kubernetes CronJob, cron). Safe to
run again and concurrently: an import is marked once.
"""

import argparse
import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
from minio import Minio
from minio.deleteobjects import DeleteObject

from services.upload import wizard_repository
from services.upload.problems import ApiProblemError
from services.upload.settings import UploadSettings
from shared.database import create_pool
from shared.file_problems import FileProblem, Locale, render_problem
from shared.logs import configure_logging
from shared.storage import make_client

# As the reference product: files can be downloaded for two months.
RETENTION = "2 months"
_BATCH = 200

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    """The imports whose files were removed by one sweep."""

    expired: tuple[UUID, ...]


async def sweep_expired_files(
    pool: asyncpg.Pool, storage: Minio, bucket: str, *, now: datetime, retention: str = RETENTION
) -> SweepResult:
    """Remove the original and error files of imports older than the retention, and say when."""
    expired: list[UUID] = []
    while True:
        async with pool.acquire() as connection:
            batch = await wizard_repository.expiring_imports(
                connection, now=now, retention=retention, limit=_BATCH
            )
        if not batch:
            return SweepResult(expired=tuple(expired))
        for record in batch:
            # Objects first: if this stops halfway, the import is still listed and comes back.
            await asyncio.to_thread(_remove_files, storage, bucket, record)
            async with pool.acquire() as connection:
                await wizard_repository.expire_files(connection, import_id=record["id"], at=now)
            expired.append(record["id"])
        log.info("files expired", extra={"imports": len(batch)})


def _remove_files(storage: Minio, bucket: str, record: Mapping[str, Any]) -> None:
    keys = [record["object_key"], record["error_file_key"]]
    # Removing a missing object is not an error in S3: a repeated sweep is harmless.
    errors = list(
        storage.remove_objects(bucket, [DeleteObject(key) for key in keys if key is not None])
    )
    if errors:
        raise RuntimeError(f"could not remove the files of import {record['id']}: {errors}")


def ensure_files_kept(record: Mapping[str, Any], locale: Locale) -> None:
    """Answer 410 for a file link of an import whose files expired, saying when."""
    expired_at: datetime | None = record["files_expired_at"]
    if expired_at is None:
        return
    problem = FileProblem(code="file.expired", params={"expired_at": expired_at.isoformat()})
    raise ApiProblemError(
        410, problem.code, render_problem(problem, locale), expired_at=expired_at.isoformat()
    )


async def _main(now: datetime) -> None:
    settings = UploadSettings()
    pool = await create_pool(settings.database)
    try:
        result = await sweep_expired_files(
            pool, make_client(settings.storage), settings.storage.bucket, now=now
        )
    finally:
        await pool.close()
    print(f"{len(result.expired)} imports had their files expired")


def main() -> None:
    """Run one sweep; --now fixes the clock (tests, catching up)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--now",
        type=datetime.fromisoformat,
        default=None,
        help="the sweep's clock, ISO 8601 with offset (default: now)",
    )
    arguments = parser.parse_args()
    configure_logging("upload-file-retention")
    asyncio.run(_main(arguments.now or datetime.now(UTC)))


if __name__ == "__main__":
    main()
