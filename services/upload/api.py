"""HTTP routes: translate a request into a call, and the result into a response."""

import base64
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from minio import Minio
from pydantic import BaseModel
from starlette.concurrency import iterate_in_threadpool

from services.upload import repository
from services.upload.access import Action, audit
from services.upload.auth import CreatesImports, ViewsImports
from services.upload.file_intake import FileTooLargeError
from services.upload.file_retention import ensure_files_kept
from services.upload.imports import (
    ImportFilesExpiredError,
    ImportNotStartableError,
    MappingIncompleteError,
    PlanChoice,
    PlanNotAcceptedError,
    create_import,
    retry_subscriptions,
    start_import,
)
from services.upload.mapping_problems import missing_required_problem
from services.upload.problems import ApiProblemError, locale_of, not_found
from services.upload.runtime import runtime_of
from services.upload.upload_body import (
    UPLOAD_REQUEST_BODY,
    read_upload,
    too_large,
)
from services.upload.views import ImportPage, ImportView, accepted_or_refused, import_view
from shared.events import FileAccepted, ImportStatus, SubscriptionRetryRequested
from shared.kafka import import_key

router = APIRouter(prefix="/v1")

LanguageHeader = Annotated[str | None, Header(alias="Accept-Language")]


@router.post(
    "/imports", status_code=201, response_model=ImportView, openapi_extra=UPLOAD_REQUEST_BODY
)
async def upload_file(
    request: Request,
    caller: CreatesImports,
    file_name: Annotated[str | None, Query(min_length=1, max_length=255)] = None,
    accept_language: LanguageHeader = None,
) -> ImportView:
    """Upload a customer CSV (the raw body, or a form's `file` field; streamed either way);
    it is pre-checked, not yet imported."""
    runtime = runtime_of(request)
    limit = runtime.settings.max_file_bytes
    body = await read_upload(request, file_name, locale_of(accept_language), max_bytes=limit)
    try:
        created = await create_import(
            body.chunks,
            account_id=caller.account_id,
            created_by=caller.user_id,
            file_name=body.file_name,
            pool=runtime.pool,
            storage=runtime.storage,
            bucket=runtime.settings.storage.bucket,
            max_bytes=limit,
        )
    except FileTooLargeError as error:
        raise too_large(error.limit_bytes, locale_of(accept_language)) from error
    await audit(runtime.pool, caller, Action.IMPORT_UPLOAD, import_id=created["id"])
    return accepted_or_refused(import_view(created, locale_of(accept_language)))


class StartRequest(BaseModel):
    """How to start an import: optionally subscribing every customer it creates to one plan."""

    plan: PlanChoice | None = None


@router.post("/imports/{import_id}/start", response_model=ImportView)
async def start(
    request: Request,
    import_id: UUID,
    caller: CreatesImports,
    body: StartRequest | None = None,
    accept_language: LanguageHeader = None,
) -> ImportView:
    """Start importing. **This cannot be undone**: customers (and, with a plan, subscriptions
    that may be charged) are created. Without a body, the plan chosen with
    PUT /v1/imports/{id}/plan applies; GET /v1/imports/{id}/review shows everything first.
    Starting twice is harmless."""
    runtime = runtime_of(request)

    async def publish(event: FileAccepted) -> None:
        await runtime.file_accepted.publish(event, key=import_key(event.import_id))

    try:
        started = await start_import(
            import_id=import_id,
            account_id=caller.account_id,
            started_by=caller.user_id,
            plan=body.plan if body else None,
            pool=runtime.pool,
            storage=runtime.storage,
            bucket=runtime.settings.storage.bucket,
            publish=publish,
        )
    except ImportNotStartableError as error:
        raise ApiProblemError(409, "import.rejected", str(error)) from error
    except MappingIncompleteError as error:
        raise missing_required_problem(
            error.mapping, error.fields, import_id, locale_of(accept_language)
        ) from error
    except PlanNotAcceptedError as error:
        raise ApiProblemError(422, error.code, str(error)) from error
    except ImportFilesExpiredError as error:
        ensure_files_kept(error.record, locale_of(accept_language))
        raise
    if started is None:
        raise not_found("import", import_id, request)
    await audit(runtime.pool, caller, Action.IMPORT_START, import_id=import_id)
    return import_view(started, locale_of(accept_language))


class RetryAccepted(BaseModel):
    """How many customers will be subscribed again."""

    customers: int


@router.post("/imports/{import_id}/subscriptions/retry", response_model=RetryAccepted)
async def retry_failed_subscriptions(
    request: Request, import_id: UUID, caller: CreatesImports
) -> RetryAccepted:
    """Subscribe again the customers whose subscription failed (e.g. after reactivating the
    plan); the customers themselves are never created twice."""
    await _fetch_import(request, import_id, caller.account_id)
    runtime = runtime_of(request)

    async def publish(event: SubscriptionRetryRequested) -> None:
        await runtime.subscription_retries.publish(event, key=import_key(event.import_id))

    count = await retry_subscriptions(
        import_id=import_id, account_id=caller.account_id, pool=runtime.pool, publish=publish
    )
    await audit(runtime.pool, caller, Action.IMPORT_RETRY_SUBSCRIPTIONS, import_id=import_id)
    return RetryAccepted(customers=count)


@router.get("/imports/{import_id}", response_model=ImportView)
async def get_one(
    request: Request,
    import_id: UUID,
    caller: ViewsImports,
    accept_language: LanguageHeader = None,
) -> ImportView:
    """One import: status, counts and progress."""
    found = await _fetch_import(request, import_id, caller.account_id)
    return import_view(found, locale_of(accept_language))


@router.get("/imports", response_model=ImportPage)
async def list_all(
    request: Request,
    caller: ViewsImports,
    accept_language: LanguageHeader = None,
    status: ImportStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> ImportPage:
    """The account's imports, newest first."""
    async with runtime_of(request).pool.acquire() as connection:
        records = await repository.list_imports(
            connection,
            account_id=caller.account_id,
            status=status,
            before=decode_cursor(cursor),
            limit=limit + 1,
        )
    locale = locale_of(accept_language)
    page = records[:limit]
    next_cursor = encode_cursor(page[-1]) if len(records) > limit else None
    return ImportPage(items=[import_view(r, locale) for r in page], next_cursor=next_cursor)


def encode_cursor(last: asyncpg.Record) -> str:
    raw = f"{last['created_at'].isoformat()}|{last['id']}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str | None) -> tuple[datetime, UUID] | None:
    if cursor is None:
        return None
    try:
        created_at, import_id = base64.urlsafe_b64decode(cursor).decode().split("|")
        return datetime.fromisoformat(created_at), UUID(import_id)
    except ValueError as error:
        raise ApiProblemError(
            400, "request.bad_cursor", "The cursor is not one this API returned."
        ) from error


@router.get("/imports/{import_id}/files/original")
async def download_original(
    request: Request, import_id: UUID, caller: ViewsImports, accept_language: LanguageHeader = None
) -> StreamingResponse:
    """The file as it was uploaded (kept for two months; 410 once expired)."""
    found = await _fetch_import(request, import_id, caller.account_id)
    ensure_files_kept(found, locale_of(accept_language))
    await audit(
        runtime_of(request).pool, caller, Action.IMPORT_DOWNLOAD_ORIGINAL, import_id=import_id
    )
    return _stream_object(request, found["object_key"], found["file_name"])


@router.get("/imports/{import_id}/files/errors")
async def download_errors(
    request: Request, import_id: UUID, caller: ViewsImports, accept_language: LanguageHeader = None
) -> StreamingResponse:
    """The rows that were not imported, in the file's own format, with a column saying why
    (kept for two months; 410 once expired)."""
    found = await _fetch_import(request, import_id, caller.account_id)
    ensure_files_kept(found, locale_of(accept_language))
    if found["error_file_key"] is None:
        raise ApiProblemError(
            404, "import.no_error_file", "This import has no error file (yet, or no row failed)."
        )
    await audit(
        runtime_of(request).pool, caller, Action.IMPORT_DOWNLOAD_ERRORS, import_id=import_id
    )
    name = found["file_name"].removesuffix(".csv") + "-erros.csv"
    return _stream_object(request, found["error_file_key"], name)


async def _fetch_import(request: Request, import_id: UUID, account_id: UUID) -> asyncpg.Record:
    async with runtime_of(request).pool.acquire() as connection:
        found = await repository.get_import(connection, import_id=import_id, account_id=account_id)
    if found is None:
        raise not_found("import", import_id, request)
    return found


def _stream_object(request: Request, key: str, file_name: str) -> StreamingResponse:
    runtime = runtime_of(request)
    chunks = _object_chunks(runtime.storage, runtime.settings.storage.bucket, key)
    return StreamingResponse(
        iterate_in_threadpool(chunks),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{file_name}"'},
    )


def _object_chunks(storage: Minio, bucket: str, key: str) -> Iterator[bytes]:
    response = storage.get_object(bucket, key)
    try:
        yield from response.stream(256 * 1024)
    finally:
        response.close()
        response.release_conn()
