"""The wizard's steps after the upload: a corrected file, the preview, the review."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID, uuid4

import asyncpg
from minio import Minio

from services.upload import catalogue_repository, repository, wizard_repository
from services.upload.account_fields import account_fields
from services.upload.column_mapping import effective_mapping
from services.upload.file_intake import receive_checked_file
from services.upload.preview import SAMPLE_BYTES, Preview, RowRules, build_preview
from shared.csv_format import CsvDialect
from shared.events import ImportStatus
from shared.storage import corrected_file_key

# Before the start the file and the plan may change; from `processing` on they never do.
NOT_STARTED = frozenset({ImportStatus.UPLOADED.value, ImportStatus.REJECTED.value})


class ImportAlreadyStartedError(Exception):
    """The import was started: its file and plan are final."""

    def __init__(self, started_at: datetime | None) -> None:
        super().__init__("import already started")
        self.started_at = started_at


class FileNotReadableError(Exception):
    """The pre-check could not even read the file's format: there is nothing to preview."""


async def replace_file(
    chunks: AsyncIterator[bytes],
    *,
    import_id: UUID,
    account_id: UUID,
    file_name: str,
    pool: asyncpg.Pool,
    storage: Minio,
    bucket: str,
    max_bytes: int,
) -> asyncpg.Record | None:
    """Give a not yet started import a corrected file, pre-checked like the first; None: no such
    import in the account."""
    async with pool.acquire() as connection:
        record = await repository.get_import(connection, import_id=import_id, account_id=account_id)
    if record is None:
        return None
    if record["status"] not in NOT_STARTED:
        raise ImportAlreadyStartedError(record["started_at"])
    # A new key: a start racing with this upload still reads the complete previous file.
    key = corrected_file_key(account_id, import_id, uuid4().hex[:12])
    # Pre-checked as the first upload.
    file = await receive_checked_file(
        chunks, storage=storage, bucket=bucket, key=key, max_bytes=max_bytes
    )
    async with pool.acquire() as connection:
        updated = await wizard_repository.replace_file(
            connection, import_id=import_id, account_id=account_id, file_name=file_name, file=file
        )
    if updated is None:
        await asyncio.to_thread(storage.remove_object, bucket, key)
        async with pool.acquire() as connection:
            current = await repository.get_import(
                connection, import_id=import_id, account_id=account_id
            )
        raise ImportAlreadyStartedError(current["started_at"] if current else None)
    if record["status"] == ImportStatus.REJECTED.value:
        # A rejected import cannot be started, so no start can be reading the old file. An
        # uploaded one might be, this very moment: its old file is left to the lifecycle rule.
        await asyncio.to_thread(storage.remove_object, bucket, record["object_key"])
    return updated


@dataclass(frozen=True)
class LoadedPreview:
    """The import's effective mapping, the account's fields, and the preview they give."""

    rules: RowRules
    preview: Preview


async def load_preview(
    record: asyncpg.Record, *, pool: asyncpg.Pool, storage: Minio, bucket: str, first: int
) -> LoadedPreview:
    """The first rows of an import's file and the estimate, from its first bytes only."""
    if record["encoding"] is None or record["delimiter"] is None:
        raise FileNotReadableError
    dialect = CsvDialect(encoding=record["encoding"], delimiter=record["delimiter"])
    async with pool.acquire() as connection:
        fields = await account_fields(connection, account_id=record["account_id"])
        # The mapping the start would use: the user's choices over the automatic one.
        mapping = await effective_mapping(
            connection, storage=storage, bucket=bucket, record=record, fields=fields
        )
    rules = RowRules(mapping=mapping, fields=fields)
    head = await asyncio.to_thread(_read_head, storage, bucket, record["object_key"])
    preview = await asyncio.to_thread(
        build_preview,
        head,
        file_size=record["size_bytes"],
        dialect=dialect,
        rules=rules,
        first=first,
    )
    return LoadedPreview(rules=rules, preview=preview)


def _read_head(storage: Minio, bucket: str, key: str) -> bytes:
    response = storage.get_object(bucket, key, offset=0, length=SAMPLE_BYTES)
    try:
        return bytes(response.read())
    finally:
        response.close()
        response.release_conn()


@dataclass(frozen=True)
class ChosenPlan:
    """The plan an import subscribes its customers to, with its name."""

    plan_id: UUID
    name: str
    start_date: date
    payment_method: str
    charges_acknowledged_at: datetime


async def chosen_plan(connection: asyncpg.Connection, record: asyncpg.Record) -> ChosenPlan | None:
    """The import's plan, if one was chosen."""
    if record["plan_id"] is None:
        return None
    plan = await catalogue_repository.get_plan(
        connection, plan_id=record["plan_id"], account_id=record["account_id"]
    )
    return ChosenPlan(
        plan_id=record["plan_id"],
        name=plan["name"] if plan else "",
        start_date=record["subscription_start"],
        payment_method=record["payment_method"],
        charges_acknowledged_at=record["charges_acknowledged_at"],
    )
