"""HTTP routes of the import wizard after the upload: corrected file, plan, preview, review.

The steps, as a web page or a CLI drives them: template (services.upload.template) ->
upload (POST /v1/imports) -> [corrected file] -> preview -> [plan] -> review -> start.
"""

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from services.upload import repository
from services.upload.access import Action, audit
from services.upload.api import LanguageHeader
from services.upload.auth import CreatesImports, ViewsImports
from services.upload.file_intake import FileTooLargeError
from services.upload.file_retention import ensure_files_kept
from services.upload.imports import PlanChoice, PlanNotAcceptedError, choose_plan
from services.upload.mapping_api import MappingView, mapping_view
from services.upload.preview import Preview, PreviewRow
from services.upload.problems import ApiProblemError, locale_of, not_found
from services.upload.runtime import runtime_of
from services.upload.upload_body import (
    UPLOAD_REQUEST_BODY,
    read_upload,
    too_large,
)
from services.upload.views import ImportView, accepted_or_refused, import_view
from services.upload.wizard import (
    NOT_STARTED,
    FileNotReadableError,
    ImportAlreadyStartedError,
    LoadedPreview,
    chosen_plan,
    load_preview,
    replace_file,
)
from shared.events import ImportStatus
from shared.file_problems import FileProblem, Locale, render_problem
from shared.rules.errors import render_error
from shared.rules.fields import Field

router = APIRouter(prefix="/v1", tags=["wizard"])

_TEXT: dict[str, dict[Locale, str]] = {
    "irreversible": {
        "pt-BR": "Atenção: depois de iniciada, a importação não pode ser desfeita. Os clientes "
        "serão cadastrados{plan}.",
        "en": "Warning: once started, the import cannot be undone. The customers will be "
        "created{plan}.",
    },
    "with_plan": {
        "pt-BR": " e cada um será assinante do plano «{name}» a partir de {start}, com "
        "pagamento por cartão de crédito, e poderá ser cobrado",
        "en": " and each will be subscribed to the plan «{name}» from {start}, paying by "
        "credit card, and may be charged",
    },
    "estimate": {
        "pt-BR": "Estimativa pelas primeiras {sample} linhas; clientes repetidos ou já "
        "cadastrados só são identificados durante a importação.",
        "en": "Estimated from the first {sample} rows; repeated or already registered "
        "customers are only found while importing.",
    },
}


def _text(key: str, locale: Locale, **params: str) -> str:
    return _TEXT[key][locale].format(**params)


class RowErrorView(BaseModel):
    """One problem of a previewed row, as the error file will state it."""

    field: Field | None
    custom_field: str | None
    column: str | None
    code: str
    message: str


class PreviewRowView(BaseModel):
    """A row of the file as it will be stored (cleaned values per field), or its problems."""

    line: int
    valid: bool
    values: dict[str, Any]
    errors: list[RowErrorView]


class Estimate(BaseModel):
    """How many rows the file has and how many are expected to pass, from a sample."""

    rows_in_file: int
    valid_rows: int
    exact: bool
    sample_rows: int
    sample_valid_rows: int
    note: str


class PreviewView(BaseModel):
    """Step 4 of the wizard: the first rows as they will be stored, and the estimate."""

    import_id: UUID
    mapping: MappingView
    rows: list[PreviewRowView]
    estimate: Estimate


class ReviewPlan(BaseModel):
    """The plan every customer will be subscribed to."""

    plan_id: UUID
    name: str
    start_date: date
    payment_method: str
    charges_acknowledged_at: datetime


class ReviewView(BaseModel):
    """Step 6 of the wizard: everything the start will do, to read before starting."""

    import_id: UUID
    file_name: str
    status: ImportStatus
    ready_to_start: bool
    customers_to_import: int
    customers_exact: bool
    estimated_valid_customers: int
    mapping: MappingView
    plan: ReviewPlan | None
    start_date: date | None
    payment_method: str | None
    cannot_be_undone: bool = True
    warning: str
    start: str


def _row_view(row: PreviewRow, locale: Locale) -> PreviewRowView:
    return PreviewRowView(
        line=row.row_no,
        valid=not row.errors,
        values=row.values,
        errors=[
            RowErrorView(
                field=error.field,
                custom_field=error.custom_field,
                column=error.column,
                code=error.code,
                message=render_error(error, locale),
            )
            for error in row.errors
        ],
    )


def _estimate(preview: Preview, locale: Locale) -> Estimate:
    return Estimate(
        rows_in_file=preview.estimated_rows,
        valid_rows=preview.estimated_valid_rows,
        exact=preview.exact,
        sample_rows=preview.sample_rows,
        sample_valid_rows=preview.sample_valid,
        note=_text("estimate", locale, sample=str(preview.sample_rows)),
    )


async def _import_of(request: Request, import_id: UUID, account_id: UUID) -> asyncpg.Record:
    async with runtime_of(request).pool.acquire() as connection:
        found = await repository.get_import(connection, import_id=import_id, account_id=account_id)
    if found is None:
        raise not_found("import", import_id, request)
    return found


async def _preview_of(
    request: Request, record: asyncpg.Record, locale: Locale, first: int
) -> LoadedPreview:
    ensure_files_kept(record, locale)
    runtime = runtime_of(request)
    try:
        return await load_preview(
            record,
            pool=runtime.pool,
            storage=runtime.storage,
            bucket=runtime.settings.storage.bucket,
            first=first,
        )
    except FileNotReadableError as error:
        view = import_view(record, locale)
        raise ApiProblemError(
            409,
            "import.rejected",
            "; ".join(problem.message for problem in view.problems),
            problems=[problem.model_dump() for problem in view.problems],
        ) from error


def _already_started(error: ImportAlreadyStartedError, locale: Locale) -> ApiProblemError:
    started = error.started_at.isoformat() if error.started_at else "?"
    problem = FileProblem(code="import.already_started", params={"started_at": started})
    return ApiProblemError(409, problem.code, render_problem(problem, locale))


@router.put(
    "/imports/{import_id}/file", response_model=ImportView, openapi_extra=UPLOAD_REQUEST_BODY
)
async def upload_corrected_file(
    request: Request,
    import_id: UUID,
    caller: CreatesImports,
    file_name: Annotated[str | None, Query(min_length=1, max_length=255)] = None,
    accept_language: LanguageHeader = None,
) -> ImportView:
    """Send a corrected file to an import that is not started yet (typically one the pre-check
    rejected): the same streamed pre-check runs, and a usable file makes it `uploaded` again.
    `409 import.already_started` once started; `422` if this file is unusable too."""
    locale = locale_of(accept_language)
    runtime = runtime_of(request)
    limit = runtime.settings.max_file_bytes
    body = await read_upload(request, file_name, locale, max_bytes=limit)
    try:
        replaced = await replace_file(
            body.chunks,
            import_id=import_id,
            account_id=caller.account_id,
            file_name=body.file_name,
            pool=runtime.pool,
            storage=runtime.storage,
            bucket=runtime.settings.storage.bucket,
            max_bytes=limit,
        )
    except ImportAlreadyStartedError as error:
        raise _already_started(error, locale) from error
    except FileTooLargeError as error:
        raise too_large(error.limit_bytes, locale) from error
    if replaced is None:
        raise not_found("import", import_id, request)
    await audit(runtime.pool, caller, Action.IMPORT_UPLOAD, import_id=import_id)
    return accepted_or_refused(import_view(replaced, locale))


@router.get("/imports/{import_id}/preview", response_model=PreviewView)
async def preview(
    request: Request,
    import_id: UUID,
    caller: ViewsImports,
    rows: Annotated[int, Query(ge=1, le=100, description="How many rows to show.")] = 10,
    accept_language: LanguageHeader = None,
) -> PreviewView:
    """The first rows as they will be stored (cleaned values per field) with their problems,
    the mapping they are read with (the mapping step's, ignored columns said so), and an
    estimate of how many rows pass, from a sample of the file's first rows. Nothing is
    imported."""
    locale = locale_of(accept_language)
    record = await _import_of(request, import_id, caller.account_id)
    loaded = await _preview_of(request, record, locale, rows)
    return PreviewView(
        import_id=import_id,
        mapping=mapping_view(import_id, loaded.rules.mapping, loaded.rules.fields, locale),
        rows=[_row_view(row, locale) for row in loaded.preview.rows],
        estimate=_estimate(loaded.preview, locale),
    )


@router.put("/imports/{import_id}/plan", response_model=ImportView)
async def choose_import_plan(
    request: Request,
    import_id: UUID,
    plan: PlanChoice,
    caller: CreatesImports,
    accept_language: LanguageHeader = None,
) -> ImportView:
    """Step 5 (optional): subscribe every customer of the import to one plan (an active plan
    with products), from a start date, by credit card; `acknowledge_charges` must be true.
    Shown by the review; the start then uses it. Only before the start."""
    locale = locale_of(accept_language)
    runtime = runtime_of(request)
    async with runtime.pool.acquire() as connection:
        record = await repository.get_import(
            connection, import_id=import_id, account_id=caller.account_id
        )
        if record is None:
            raise not_found("import", import_id, request)
        if record["status"] not in NOT_STARTED:
            raise _already_started(ImportAlreadyStartedError(record["started_at"]), locale)
        if record["status"] == ImportStatus.REJECTED:
            raise ApiProblemError(
                409,
                "import.rejected",
                "The file failed the pre-check: send a corrected file "
                f"(PUT /v1/imports/{import_id}/file) before choosing a plan.",
            )
        try:
            await choose_plan(
                connection, import_id=import_id, account_id=caller.account_id, plan=plan
            )
        except PlanNotAcceptedError as error:
            raise ApiProblemError(422, error.code, str(error)) from error
        updated = await repository.get_import(
            connection, import_id=import_id, account_id=caller.account_id
        )
    assert updated is not None
    return import_view(updated, locale)


@router.get("/imports/{import_id}/review", response_model=ReviewView)
async def review(
    request: Request,
    import_id: UUID,
    caller: ViewsImports,
    accept_language: LanguageHeader = None,
) -> ReviewView:
    """Step 6: what starting will do. File name, number of customers to import, the mapping
    (ignored columns and missing required fields said so), the plan with its start date and
    payment method, and the warning that starting cannot be undone. Start with
    POST /v1/imports/{id}/start."""
    locale = locale_of(accept_language)
    record = await _import_of(request, import_id, caller.account_id)
    loaded = await _preview_of(request, record, locale, first=0)
    found = loaded.preview
    mapping = mapping_view(import_id, loaded.rules.mapping, loaded.rules.fields, locale)
    async with runtime_of(request).pool.acquire() as connection:
        plan = await chosen_plan(connection, record)
    plan_text = (
        _text("with_plan", locale, name=plan.name, start=plan.start_date.isoformat())
        if plan
        else ""
    )
    return ReviewView(
        import_id=import_id,
        file_name=record["file_name"],
        status=ImportStatus(record["status"]),
        ready_to_start=record["status"] == ImportStatus.UPLOADED and mapping.ready,
        customers_to_import=found.estimated_rows,
        customers_exact=found.exact,
        estimated_valid_customers=found.estimated_valid_rows,
        mapping=mapping,
        plan=ReviewPlan(
            plan_id=plan.plan_id,
            name=plan.name,
            start_date=plan.start_date,
            payment_method=plan.payment_method,
            charges_acknowledged_at=plan.charges_acknowledged_at,
        )
        if plan
        else None,
        start_date=plan.start_date if plan else None,
        payment_method=plan.payment_method if plan else None,
        warning=_text("irreversible", locale, plan=plan_text),
        start=f"/v1/imports/{import_id}/start",
    )
