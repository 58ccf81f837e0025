"""The preview of an import: its first rows as they will be stored, and an estimate from a sample.

Pure functions over the first bytes of the stored file (a ranged read: never the whole file).
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from services.upload.account_fields import AccountFields
from services.upload.column_mapping import EffectiveMapping
from shared.csv_format import CsvDialect, read_records
from shared.file_problems import FileProblemError
from shared.rules.cleaning import clean_cell
from shared.rules.custom_fields import with_custom_values
from shared.rules.errors import ErrorCode, RowError
from shared.rules.fields import Field
from shared.rules.validate import validate_row

# The first bytes of the file the preview reads: thousands of rows, read in milliseconds.
SAMPLE_BYTES = 1024 * 1024
# Rows of that sample validated for the estimate (the rest are only counted).
SAMPLE_ROWS = 2000

_FIELDS: Final = {field.value: field for field in Field}


@dataclass(frozen=True)
class PreviewRow:
    """One data row: its line, the values as they will be stored, and its problems."""

    row_no: int
    # Valid: the customer as stored (custom values under custom_fields); invalid: the cleaned
    # cells per field (or custom key).
    values: dict[str, Any]
    errors: tuple[RowError, ...]


@dataclass(frozen=True)
class Preview:
    """The first rows, and what the sample says of the whole file."""

    rows: tuple[PreviewRow, ...]
    sample_rows: int
    sample_valid: int
    estimated_rows: int
    # Whether estimated_rows is the exact count (the whole file was within the first bytes).
    exact: bool

    @property
    def estimated_valid_rows(self) -> int:
        """How many rows of the file are expected to pass the rules."""
        if self.sample_rows == 0:
            return 0
        if self.exact and self.sample_rows == self.estimated_rows:
            return self.sample_valid
        return round(self.estimated_rows * self.sample_valid / self.sample_rows)


@dataclass(frozen=True)
class RowRules:
    """How the import will read a row: its effective mapping and the account's fields."""

    mapping: EffectiveMapping
    fields: AccountFields

    def preview_row(self, row_no: int, cells: Sequence[str]) -> PreviewRow:
        """One row validated as the validator will: stored values, or cleaned cells and errors."""
        targets = self.mapping.targets
        raw = {_FIELDS[t]: _cell(cells, i) for i, t in targets.items() if t in _FIELDS}
        custom = {t: _cell(cells, i) for i, t in targets.items() if t not in _FIELDS}
        result = validate_row(raw, required=self.fields.required)
        if custom:
            result = with_custom_values(result, custom, self.fields.custom_fields)
        headers = {t: self.mapping.columns[i].header for i, t in targets.items()}
        errors = [_named(error, headers) for error in result.errors]
        width = len(self.mapping.columns)
        if any(cell.strip() for cell in cells[width:]):
            # More filled cells than header columns: a delimiter inside an unquoted cell.
            errors.append(
                RowError(
                    field=None,
                    code=ErrorCode.ROW_TOO_MANY_CELLS,
                    params={"cells": str(len(cells)), "columns": str(width)},
                )
            )
        if result.record is not None and not errors:
            return PreviewRow(row_no=row_no, values=result.record.model_dump(), errors=())
        cleaned = {t: clean_cell(_cell(cells, i)) or None for i, t in targets.items()}
        return PreviewRow(row_no=row_no, values=cleaned, errors=tuple(errors))


def build_preview(
    head: bytes,
    *,
    file_size: int,
    dialect: CsvDialect,
    rules: RowRules,
    first: int,
    sample_rows: int = SAMPLE_ROWS,
) -> Preview:
    """Preview a file from its first bytes (`head`; the whole file when it is that small)."""
    whole = len(head) >= file_size
    # A sample cut mid-line would end in a broken row: keep complete lines only.
    usable = head if whole else head[: head.rfind(b"\n") + 1]
    text = io.TextIOWrapper(
        io.BytesIO(usable), encoding=dialect.encoding, errors="replace", newline=""
    )
    rows: list[PreviewRow] = []
    seen = valid = 0
    try:
        for row_no, cells in read_records(text, dialect):
            if row_no == 1 or not any(cell.strip() for cell in cells):
                continue  # the header; a blank line is not a customer
            seen += 1
            if seen > sample_rows:
                continue  # counted for the estimate only
            row = rules.preview_row(row_no, cells)
            valid += not row.errors
            if len(rows) < first:
                rows.append(row)
    except FileProblemError:
        # The sample's last record may be a multi-line cell the cut split: what came before stands.
        whole = False
    estimated = seen if whole else round(seen * file_size / max(len(usable), 1))
    return Preview(
        rows=tuple(rows),
        sample_rows=min(seen, sample_rows),
        sample_valid=valid,
        estimated_rows=estimated,
        exact=whole,
    )


def _cell(cells: Sequence[str], index: int) -> str:
    return cells[index] if index < len(cells) else ""


def _named(error: RowError, headers: dict[str, str]) -> RowError:
    """The error naming the column as the user's header does."""
    target = error.field.value if error.field is not None else error.custom_field
    if target is not None and target in headers:
        return error.model_copy(update={"column": headers[target]})
    return error
