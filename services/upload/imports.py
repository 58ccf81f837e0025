"""Receiving a file and starting its import: plain functions that take their dependencies."""

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from typing import Literal
from uuid import UUID, uuid4

import asyncpg
from minio import Minio
from pydantic import BaseModel, Field

from services.upload import catalogue_repository, repository
from services.upload.account_fields import AccountFields, account_fields, in_template_order
from services.upload.column_mapping import EffectiveMapping, effective_mapping
from services.upload.file_intake import receive_checked_file
from shared.csv_format import CsvDialect
from shared.events import (
    FileAccepted,
    ImportStatus,
    SubscriptionRetryRequested,
    derived_event_id,
)
from shared.storage import original_file_key

PublishFileAccepted = Callable[[FileAccepted], Awaitable[None]]
PublishRetry = Callable[[SubscriptionRetryRequested], Awaitable[None]]
_RETRY_CHUNK = 500


class ImportNotStartableError(Exception):
    """The import was rejected by the pre-check: a corrected file must be uploaded."""

    def __init__(self) -> None:
        super().__init__("This file failed the pre-check; upload a corrected file as a new import.")


class ImportFilesExpiredError(Exception):
    """The import was never started and its file was removed after the retention period."""

    def __init__(self, record: asyncpg.Record) -> None:
        super().__init__("the import's file expired")
        self.record = record


class MappingIncompleteError(Exception):
    """A required field has no column: the user must map one before starting."""

    def __init__(self, mapping: EffectiveMapping, fields: AccountFields) -> None:
        super().__init__(", ".join(mapping.missing_required))
        self.mapping = mapping
        self.fields = fields


class PlanChoice(BaseModel):
    """Subscribe every customer of the import to one plan (credit card, as the reference)."""

    plan_id: UUID
    start_date: date
    payment_method: Literal["credit_card"] = "credit_card"
    acknowledge_charges: bool = Field(
        description="Required: the customers may be charged once their subscription starts."
    )


class PlanNotAcceptedError(Exception):
    """The plan cannot be chosen, or the charges were not acknowledged."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


async def create_import(
    chunks: AsyncIterator[bytes],
    *,
    account_id: UUID,
    created_by: UUID,
    file_name: str,
    pool: asyncpg.Pool,
    storage: Minio,
    bucket: str,
    max_bytes: int,
) -> asyncpg.Record:
    """Store the uploaded file, pre-check it and record the import (uploaded or rejected)."""
    import_id = uuid4()
    key = original_file_key(account_id, import_id)
    file = await receive_checked_file(
        chunks, storage=storage, bucket=bucket, key=key, max_bytes=max_bytes
    )
    async with pool.acquire() as connection:
        return await repository.insert_import(
            connection,
            import_id=import_id,
            account_id=account_id,
            created_by=created_by,
            file_name=file_name,
            file=file,
        )


async def start_import(
    *,
    import_id: UUID,
    account_id: UUID,
    started_by: UUID,
    plan: PlanChoice | None,
    pool: asyncpg.Pool,
    storage: Minio,
    bucket: str,
    publish: PublishFileAccepted,
) -> asyncpg.Record | None:
    """Publish *file accepted* for an uploaded import; starting again changes nothing.

    The event carries what the validator needs as it stands now: the effective mapping, the
    account's required fields and custom fields.
    """
    async with pool.acquire() as connection:
        record = await repository.get_import(connection, import_id=import_id, account_id=account_id)
        if record is None:
            return None
        if record["status"] == ImportStatus.REJECTED:
            raise ImportNotStartableError
        if record["status"] != ImportStatus.UPLOADED:
            return record
        if record["files_expired_at"] is not None:
            raise ImportFilesExpiredError(record)
        fields = await account_fields(connection, account_id=account_id)
        mapping = await effective_mapping(
            connection, storage=storage, bucket=bucket, record=record, fields=fields
        )
        if mapping.missing_required:
            raise MappingIncompleteError(mapping, fields)
        if plan is not None:
            # Stored before the event: the subscription service reads it from here.
            await choose_plan(connection, import_id=import_id, account_id=account_id, plan=plan)
        # Published before the status changes: if the update is lost, a second start publishes
        # the same event (same event_id) again, and every consumer is idempotent.
        await publish(
            FileAccepted(
                event_id=derived_event_id("file-accepted", import_id),
                import_id=import_id,
                account_id=account_id,
                object_key=record["object_key"],
                file_name=record["file_name"],
                size_bytes=record["size_bytes"],
                dialect=CsvDialect(encoding=record["encoding"], delimiter=record["delimiter"]),
                required_fields=tuple(in_template_order(fields.required)),
                locale=record["locale"],
                mapping=mapping.targets,
                custom_fields=fields.custom_fields,
            )
        )
        updated = await repository.mark_processing(
            connection, import_id=import_id, account_id=account_id, started_by=started_by
        )
        return updated or await repository.get_import(
            connection, import_id=import_id, account_id=account_id
        )


async def choose_plan(
    connection: asyncpg.Connection, *, import_id: UUID, account_id: UUID, plan: PlanChoice
) -> None:
    """Record the plan of an uploaded import, once it is eligible and the charges acknowledged."""
    if not plan.acknowledge_charges:
        raise PlanNotAcceptedError(
            "plan.charges_not_acknowledged",
            "Acknowledge that the imported customers may be charged (acknowledge_charges: true).",
        )
    eligible = await catalogue_repository.list_plans(
        connection, account_id=account_id, eligible_only=True
    )
    if plan.plan_id not in {record["id"] for record in eligible}:
        raise PlanNotAcceptedError(
            "plan.not_eligible",
            "Choose an active plan of your account that has at least one product.",
        )
    await repository.choose_plan(
        connection,
        import_id=import_id,
        account_id=account_id,
        plan_id=plan.plan_id,
        start_date=plan.start_date,
        payment_method=plan.payment_method,
    )


async def retry_subscriptions(
    *, import_id: UUID, account_id: UUID, pool: asyncpg.Pool, publish: PublishRetry
) -> int:
    """Ask the subscription service to subscribe again the customers whose subscription failed."""
    async with pool.acquire() as connection:
        failed = await repository.failed_subscriptions(
            connection, import_id=import_id, account_id=account_id
        )
    for start in range(0, len(failed), _RETRY_CHUNK):
        await publish(
            SubscriptionRetryRequested(
                import_id=import_id,
                account_id=account_id,
                customers=tuple(failed[start : start + _RETRY_CHUNK]),
            )
        )
    return len(failed)
