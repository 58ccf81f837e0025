"""HTTP routes of the mapping step: which field each column of an import fills, saved mappings."""

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel
from pydantic import Field as Describe

from services.upload import account_fields_repository as fields_repository
from services.upload import repository
from services.upload.access import Action, audit
from services.upload.account_fields import AccountFields, account_fields
from services.upload.api import LanguageHeader
from services.upload.auth import CreatesImports
from services.upload.column_mapping import (
    ChoiceProblem,
    EffectiveMapping,
    choice_problems,
    choices_from_saved,
    effective_mapping,
    map_columns,
    saved_columns,
    stored_choices,
)
from services.upload.mapping_problems import label, message, missing_required_problem
from services.upload.problems import ApiProblemError, locale_of, not_found
from services.upload.runtime import runtime_of
from shared.events import ImportStatus
from shared.file_problems import Locale
from shared.rules.fields import Field

router = APIRouter(prefix="/v1", tags=["mapping"])


class ColumnView(BaseModel):
    """A column of the file and the field it fills."""

    column: int = Describe(description="0 = the first column of the file.")
    header: str
    field: str | None = Describe(
        description="A customer field or a custom field's key; null: ignored."
    )
    label: str | None = Describe(description="The field's name as forms show it.")
    custom: bool = Describe(description="Whether the field is one of the account's custom fields.")
    chosen: bool = Describe(description="Chosen by the user (or a saved mapping); else automatic.")


class IgnoredColumn(BaseModel):
    """A column no field takes: its values are not imported."""

    column: int
    header: str


class FieldOption(BaseModel):
    """A field a column can be mapped to."""

    field: str
    label: str
    custom: bool
    required: bool


class MappingView(BaseModel):
    """How the import will read its columns; `ready` when every required field has a column."""

    import_id: UUID
    columns: list[ColumnView]
    ignored: list[IgnoredColumn]
    required: list[str]
    missing_required: list[str]
    ready: bool
    notes: list[str] = Describe(description="What the user should know, in their language.")
    fields: list[FieldOption] = Describe(description="Every field a column can be mapped to.")


class ColumnChoice(BaseModel):
    """The field one column fills."""

    column: int = Describe(ge=0, description="0 = the first column of the file.")
    field: str | None = Describe(
        description="A customer field (full_name, email, ...) or a custom field's key; "
        "null to ignore the column."
    )


class MappingChoice(BaseModel):
    """The user's mapping: replaces any earlier choice; columns left out are matched
    automatically by their header."""

    columns: list[ColumnChoice] = []
    saved_mapping: str | None = Describe(
        default=None,
        description="A saved mapping to apply first (by header); `columns` then override it.",
    )


class SaveMapping(BaseModel):
    """Save the mapping an import uses now, to apply it to later files."""

    import_id: UUID


class SavedColumn(BaseModel):
    """A header of a saved mapping and its field (null: ignored)."""

    header: str
    field: str | None


class SavedMapping(BaseModel):
    """A mapping saved by the account."""

    name: str
    columns: list[SavedColumn]
    updated_at: datetime


class SavedMappingList(BaseModel):
    """The account's saved mappings, by name."""

    items: list[SavedMapping]


def mapping_view(
    import_id: UUID, mapping: EffectiveMapping, fields: AccountFields, locale: Locale
) -> MappingView:
    """The mapping as the API shows it."""
    custom = fields.custom_by_key
    notes: list[str] = []
    if mapping.ignored:
        columns = ", ".join(f"«{c.header}»" for c in mapping.ignored)
        notes.append(message("ignored", locale, columns=columns))
    if mapping.missing_required:
        notes.append(missing_required_problem(mapping, fields, import_id, locale).detail)
    required = set(mapping.required)
    return MappingView(
        import_id=import_id,
        columns=[
            ColumnView(
                column=c.index,
                header=c.header,
                field=c.target,
                label=label(c.target, fields, locale) if c.target else None,
                custom=c.target in custom,
                chosen=c.chosen,
            )
            for c in mapping.columns
        ],
        ignored=[IgnoredColumn(column=c.index, header=c.header) for c in mapping.ignored],
        required=list(mapping.required),
        missing_required=list(mapping.missing_required),
        ready=not mapping.missing_required,
        notes=notes,
        fields=[
            FieldOption(
                field=field.value,
                label=label(field.value, fields, locale),
                custom=False,
                required=field.value in required,
            )
            for field in Field
        ]
        + [
            FieldOption(field=d.key, label=d.label, custom=True, required=d.required)
            for d in fields.custom_fields
        ],
    )


async def _import(
    connection: asyncpg.Connection, request: Request, import_id: UUID, account_id: UUID
) -> asyncpg.Record:
    found = await repository.get_import(connection, import_id=import_id, account_id=account_id)
    if found is None:
        raise not_found("import", import_id, request)
    return found


@router.get("/imports/{import_id}/mapping", response_model=MappingView)
async def get_mapping(
    request: Request,
    import_id: UUID,
    caller: CreatesImports,
    accept_language: LanguageHeader = None,
) -> MappingView:
    """How each column of the file will be read: matched automatically by its header (template
    names, synonyms, the account's custom fields), or as the user chose."""
    runtime = runtime_of(request)
    async with runtime.pool.acquire() as connection:
        record = await _import(connection, request, import_id, caller.account_id)
        fields = await account_fields(connection, account_id=caller.account_id)
        mapping = await effective_mapping(
            connection,
            storage=runtime.storage,
            bucket=runtime.settings.storage.bucket,
            record=record,
            fields=fields,
        )
    return mapping_view(import_id, mapping, fields, locale_of(accept_language))


def _choice_problem(
    problem: ChoiceProblem, header: Sequence[str], fields: AccountFields, locale: Locale
) -> str:
    return message(
        problem.code,
        locale,
        column=problem.column,
        count=len(header),
        last=len(header) - 1,
        field=problem.target,
        other=problem.other_column,
        fields=", ".join([field.value for field in Field] + [d.key for d in fields.custom_fields]),
    )


@router.put("/imports/{import_id}/mapping", response_model=MappingView)
async def choose_mapping(
    request: Request,
    import_id: UUID,
    body: MappingChoice,
    caller: CreatesImports,
    accept_language: LanguageHeader = None,
) -> MappingView:
    """Choose the field of some columns (the others are matched by their header), optionally
    starting from a saved mapping. Refused when a required field is left without a column."""
    locale = locale_of(accept_language)
    runtime = runtime_of(request)
    async with runtime.pool.acquire() as connection:
        record = await _import(connection, request, import_id, caller.account_id)
        if record["status"] != ImportStatus.UPLOADED:
            raise ApiProblemError(
                409,
                "import.not_mappable",
                message("import.not_mappable", locale, status=record["status"]),
            )
        fields = await account_fields(connection, account_id=caller.account_id)
        current = await effective_mapping(
            connection,
            storage=runtime.storage,
            bucket=runtime.settings.storage.bucket,
            record=record,
            fields=fields,
        )
        header = current.header
        choices: dict[int, str | None] = {}
        if body.saved_mapping is not None:
            saved = await fields_repository.saved_mapping(
                connection, account_id=caller.account_id, name=body.saved_mapping
            )
            if saved is None:
                raise ApiProblemError(
                    404,
                    "mapping.saved_not_found",
                    message("mapping.saved_not_found", locale, name=body.saved_mapping),
                )
            choices = choices_from_saved(header, saved, fields)
        explicit = {choice.column: choice.field for choice in body.columns}
        problems = [
            ChoiceProblem("mapping.column_twice", column)
            for column in sorted({c.column for c in body.columns})
            if sum(c.column == column for c in body.columns) > 1
        ] + choice_problems(header, explicit, fields)
        if problems:
            details = [_choice_problem(p, header, fields, locale) for p in problems]
            raise ApiProblemError(
                422,
                problems[0].code,
                " ".join(details),
                problems=[
                    {"code": p.code, "column": p.column, "field": p.target, "message": text}
                    for p, text in zip(problems, details, strict=True)
                ],
            )
        choices |= explicit
        mapping = map_columns(header, fields=fields, choices=choices)
        if mapping.missing_required:
            raise missing_required_problem(mapping, fields, import_id, locale)
        await fields_repository.set_import_mapping(
            connection,
            import_id=import_id,
            account_id=caller.account_id,
            choices=stored_choices(header, choices),
        )
    await audit(runtime.pool, caller, Action.IMPORT_MAP_COLUMNS, import_id=import_id)
    return mapping_view(import_id, mapping, fields, locale)


# --- saved mappings ------------------------------------------------------------------------------

NamePath = Annotated[str, Path(min_length=1, max_length=80)]


def _saved(record: asyncpg.Record) -> SavedMapping:
    columns: list[dict[str, Any]] = record["columns"]
    return SavedMapping(
        name=record["name"],
        columns=[SavedColumn(header=c["header"], field=c["target"]) for c in columns],
        updated_at=record["updated_at"],
    )


@router.get("/mappings", response_model=SavedMappingList)
async def list_saved_mappings(request: Request, caller: CreatesImports) -> SavedMappingList:
    """The mappings the account saved, to apply to another import."""
    async with runtime_of(request).pool.acquire() as connection:
        records = await fields_repository.saved_mappings(connection, account_id=caller.account_id)
    return SavedMappingList(items=[_saved(record) for record in records])


@router.put("/mappings/{name}", response_model=SavedMapping)
async def save_mapping(
    request: Request, name: NamePath, body: SaveMapping, caller: CreatesImports
) -> SavedMapping:
    """Save (or replace) under a name the mapping an import uses now; apply it to another import
    with PUT /v1/imports/{id}/mapping {"saved_mapping": name}: columns are matched by header."""
    runtime = runtime_of(request)
    async with runtime.pool.acquire() as connection:
        record = await _import(connection, request, body.import_id, caller.account_id)
        mapping = await effective_mapping(
            connection,
            storage=runtime.storage,
            bucket=runtime.settings.storage.bucket,
            record=record,
        )
        saved = await fields_repository.save_mapping(
            connection, account_id=caller.account_id, name=name, columns=saved_columns(mapping)
        )
    await audit(runtime.pool, caller, Action.MAPPING_SAVE, import_id=body.import_id, subject=name)
    return _saved(saved)


@router.delete("/mappings/{name}", status_code=204)
async def delete_saved_mapping(
    request: Request, name: NamePath, caller: CreatesImports, accept_language: LanguageHeader = None
) -> Response:
    """Forget a saved mapping (imports that used it keep their columns)."""
    pool = runtime_of(request).pool
    async with pool.acquire() as connection:
        deleted = await fields_repository.delete_saved_mapping(
            connection, account_id=caller.account_id, name=name
        )
    if not deleted:
        raise ApiProblemError(
            404,
            "mapping.saved_not_found",
            message("mapping.saved_not_found", locale_of(accept_language), name=name),
        )
    await audit(pool, caller, Action.MAPPING_DELETE, subject=name)
    return Response(status_code=204)
