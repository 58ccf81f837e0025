"""Which field each column of an import fills: automatic where the header says, as the user chose.

`effective_mapping` is the one answer to "how will this import read its columns": the mapping
step shows it, the start publishes it, the preview and the review show it.
"""

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import asyncpg
from minio import Minio

from services.upload.account_fields import AccountFields, account_fields, in_template_order
from shared.csv_format import CsvDialect
from shared.rules.cleaning import clean_cell
from shared.rules.custom_fields import CustomFieldDefinition
from shared.rules.fields import Field
from shared.rules.headers import HeaderMapping, header_key, map_header, missing_required
from shared.storage import stored_records

# Every field a column can fill, by its name in the API (a custom field goes by its key).
_FIELDS: Final = {field.value: field for field in Field}


@dataclass(frozen=True)
class MappedColumn:
    """One column of the file: its header and the field it fills (None: ignored)."""

    index: int
    header: str
    target: str | None
    # The user (or a saved mapping the user applied) decided it; otherwise it is automatic.
    chosen: bool


@dataclass(frozen=True)
class EffectiveMapping:
    """How an import reads its columns, and the required fields no column fills."""

    columns: tuple[MappedColumn, ...]
    # Template fields (by value) first, in template order, then the required custom fields.
    required: tuple[str, ...]
    missing_required: tuple[str, ...]

    @property
    def targets(self) -> dict[int, str]:
        """Column index -> field value or custom key, for the mapped columns only."""
        return {c.index: c.target for c in self.columns if c.target is not None}

    @property
    def ignored(self) -> tuple[MappedColumn, ...]:
        """The columns no field takes (blank header cells from trailing separators left out)."""
        return tuple(c for c in self.columns if c.target is None and c.header)

    @property
    def header(self) -> list[str]:
        """The header row as the file has it."""
        return [c.header for c in self.columns]


@dataclass(frozen=True)
class ChoiceProblem:
    """Why a user's choice for a column cannot be taken."""

    code: str
    column: int
    target: str | None = None
    other_column: int | None = None


def is_target(target: str, fields: AccountFields) -> bool:
    """Whether a column may be mapped to this name: a customer field or a custom field's key."""
    return target in _FIELDS or any(d.key == target for d in fields.custom_fields)


def _automatic(cells: Sequence[str], custom: Sequence[CustomFieldDefinition]) -> dict[int, str]:
    """Template fields by header synonyms; an account's custom field, by key or label, wins."""
    automatic = {index: field.value for index, field in map_header(cells).columns.items()}
    names: dict[str, str] = {}
    for definition in custom:
        names.setdefault(header_key(definition.key), definition.key)
        names.setdefault(header_key(definition.label), definition.key)
    taken: set[str] = set()
    for index, cell in enumerate(cells):
        key = names.get(header_key(cell)) if cell else None
        if key is not None and key not in taken:
            taken.add(key)
            automatic[index] = key
    return automatic


def map_columns(
    header: Sequence[str], *, fields: AccountFields, choices: Mapping[int, str | None] | None = None
) -> EffectiveMapping:
    """The mapping of a header: the user's choices over the automatic one (pure)."""
    cells = [clean_cell(cell) for cell in header]
    automatic = _automatic(cells, fields.custom_fields)
    chosen = {
        index: target
        for index, target in (choices or {}).items()
        if 0 <= index < len(cells) and (target is None or is_target(target, fields))
    }
    # A field the user gave to a column is taken from the column it was matched to.
    taken = {target for target in chosen.values() if target is not None}
    columns: list[MappedColumn] = []
    for index, cell in enumerate(cells):
        if index in chosen:
            columns.append(MappedColumn(index, cell, chosen[index], chosen=True))
        else:
            target = automatic.get(index)
            columns.append(
                MappedColumn(index, cell, None if target in taken else target, chosen=False)
            )
    targets = {c.index: c.target for c in columns if c.target is not None}
    filled = HeaderMapping(
        columns={index: _FIELDS[t] for index, t in targets.items() if t in _FIELDS},
        ignored=(),
        duplicates=(),
    )
    required_custom = [d.key for d in fields.custom_fields if d.required]
    present = set(targets.values())
    return EffectiveMapping(
        columns=tuple(columns),
        required=(
            *(field.value for field in in_template_order(fields.required)),
            *required_custom,
        ),
        missing_required=(
            *(field.value for field in missing_required(filled, fields.required)),
            *(key for key in required_custom if key not in present),
        ),
    )


def choice_problems(
    header: Sequence[str], choices: Mapping[int, str | None], fields: AccountFields
) -> list[ChoiceProblem]:
    """What is wrong with a user's choices: unknown columns or fields, a field chosen twice."""
    problems: list[ChoiceProblem] = []
    first_column: dict[str, int] = {}
    for index, target in sorted(choices.items()):
        if not 0 <= index < len(header):
            problems.append(ChoiceProblem("mapping.unknown_column", index, target))
        elif target is None:
            continue
        elif not is_target(target, fields):
            problems.append(ChoiceProblem("mapping.unknown_field", index, target))
        elif target in first_column:
            problems.append(
                ChoiceProblem("mapping.field_twice", index, target, first_column[target])
            )
        else:
            first_column[target] = index
    return problems


def choices_from_saved(
    header: Sequence[str], saved: Sequence[Mapping[str, Any]], fields: AccountFields
) -> dict[int, str | None]:
    """A saved mapping applied to another file: each column whose header it names, by header."""
    by_header = {header_key(str(item["header"])): item.get("target") for item in saved}
    choices: dict[int, str | None] = {}
    for index, cell in enumerate(header):
        key = header_key(clean_cell(cell))
        if key and key in by_header:
            target = by_header[key]
            # A field the account removed since the mapping was saved is not chosen.
            if target is None or is_target(str(target), fields):
                choices[index] = None if target is None else str(target)
    return choices


def saved_columns(mapping: EffectiveMapping) -> list[dict[str, Any]]:
    """What saving a mapping keeps: each named header and its field (None: ignored)."""
    return [{"header": c.header, "target": c.target} for c in mapping.columns if c.header]


def stored_choices(header: Sequence[str], choices: Mapping[int, str | None]) -> dict[str, Any]:
    """The user's choices as the import keeps them, with the header they were made for."""
    return {
        "header": list(header),
        "columns": {str(index): target for index, target in sorted(choices.items())},
    }


def choices_for(header: Sequence[str], stored: Mapping[str, Any] | None) -> dict[int, str | None]:
    """The stored choices, if they were made for this very header (a new file drops them)."""
    if not stored or list(stored.get("header", [])) != list(header):
        return {}
    return {int(index): target for index, target in stored.get("columns", {}).items()}


def read_header(storage: Minio, bucket: str, key: str, dialect: CsvDialect) -> list[str]:
    """The first record of a stored file, read as a stream (blocking: call from a thread)."""
    with stored_records(storage, bucket, key, dialect) as records:
        first = next(records, None)
    return first[1] if first is not None else []


async def effective_mapping(
    connection: asyncpg.Connection,
    *,
    storage: Minio,
    bucket: str,
    record: asyncpg.Record,
    fields: AccountFields | None = None,
) -> EffectiveMapping:
    """How the import `record` (a row of imports) reads its columns if it starts now.

    The header comes from the stored file, the account's required and custom fields from
    the database (or `fields`, when the caller has them), the user's choices from the import.
    """
    header: list[str] = []
    if record["encoding"] is not None and record["delimiter"] is not None:
        dialect = CsvDialect(encoding=record["encoding"], delimiter=record["delimiter"])
        header = await asyncio.to_thread(
            read_header, storage, bucket, record["object_key"], dialect
        )
    if fields is None:
        fields = await account_fields(connection, account_id=record["account_id"])
    return map_columns(header, fields=fields, choices=choices_for(header, record["column_mapping"]))
