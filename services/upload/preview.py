"""The preview of an import: its first rows as they will be stored, and an estimate from a sample.

Pure functions over the first bytes of the stored file (a ranged read: never the whole file).
"""

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from shared.csv_format import CsvDialect, read_records
from shared.file_problems import FileProblemError
from shared.rules.cleaning import clean_cell
from shared.rules.errors import ErrorCode, RowError
from shared.rules.fields import Field
from shared.rules.headers import HeaderMapping
from shared.rules.validate import DEFAULT_REQUIRED, validate_row

# The first bytes of the file the preview reads: thousands of rows, read in milliseconds.
SAMPLE_BYTES = 1024 * 1024
# Rows of that sample validated for the estimate (the rest are only counted).
SAMPLE_ROWS = 2000

MappingFor = Callable[[Sequence[str]], HeaderMapping]


@dataclass(frozen=True)
class PreviewRow:
    """One data row: its line, the values per field as they will be stored, and its problems."""

    row_no: int
    values: dict[str, str | None]
    errors: tuple[RowError, ...]


@dataclass(frozen=True)
class Preview:
    """The header, its mapping, the first rows, and what the sample says of the whole file."""

    header: tuple[str, ...]
    mapping: HeaderMapping
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


def build_preview(
    head: bytes,
    *,
    file_size: int,
    dialect: CsvDialect,
    mapping_for: MappingFor,
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
    records = read_records(text, dialect)
    header: list[str] = []
    mapping = mapping_for(header)
    rows: list[PreviewRow] = []
    seen = valid = 0
    try:
        for row_no, cells in records:
            if row_no == 1:
                header = cells
                mapping = mapping_for(header)
                continue
            if not any(cell.strip() for cell in cells):
                continue  # a blank line is not a customer
            seen += 1
            if seen > sample_rows:
                continue  # counted for the estimate only
            row = preview_row(row_no, cells, header, mapping)
            valid += not row.errors
            if len(rows) < first:
                rows.append(row)
    except FileProblemError:
        # The sample's last record may be a multi-line cell the cut split: what came before stands.
        whole = False
    estimated = seen if whole else round(seen * file_size / max(len(usable), 1))
    return Preview(
        header=tuple(header),
        mapping=mapping,
        rows=tuple(rows),
        sample_rows=min(seen, sample_rows),
        sample_valid=valid,
        estimated_rows=estimated,
        exact=whole,
    )


def preview_row(
    row_no: int, cells: Sequence[str], header: Sequence[str], mapping: HeaderMapping
) -> PreviewRow:
    """One row validated like the validator does: stored values, or cleaned cells and errors."""
    raw = {field: cells[i] if i < len(cells) else "" for i, field in mapping.columns.items()}
    result = validate_row(raw, required=DEFAULT_REQUIRED)
    columns = {field: header[i].strip() for i, field in mapping.columns.items()}
    errors = [_named(error, columns) for error in result.errors]
    extra = [cell for cell in cells[len(header) :] if cell.strip()]
    if extra:
        errors.append(
            RowError(
                field=None,
                code=ErrorCode.ROW_TOO_MANY_CELLS,
                params={"cells": str(len(cells)), "columns": str(len(header))},
            )
        )
    if result.record is not None and not errors:
        stored = result.record.model_dump()
        return PreviewRow(row_no=row_no, values=stored, errors=())
    cleaned: dict[str, str | None] = {
        field.value: clean_cell(value) or None for field, value in raw.items()
    }
    return PreviewRow(row_no=row_no, values=cleaned, errors=tuple(errors))


def _named(error: RowError, columns: dict[Field, str]) -> RowError:
    """The error naming the column as the user's header does."""
    if error.field is not None and error.field in columns:
        return error.model_copy(update={"column": columns[error.field]})
    return error
