"""Turn a file's records into batches of valid rows and rejected rows (pure, synchronous)."""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from shared.events import FileAccepted, OutcomeKind, RowOutcome, ValidRow
from shared.file_problems import FileProblem, FileProblemError
from shared.rules.custom_fields import CustomFieldDefinition, validate_custom_values
from shared.rules.errors import ErrorCode, RowError
from shared.rules.fields import TEMPLATE_HEADERS, Field
from shared.rules.headers import HeaderMapping, map_header, missing_required
from shared.rules.validate import validate_row_fields

_FIELDS = {item.value: item for item in Field}


@dataclass(frozen=True)
class ImportRules:
    """What the import asks of its rows: required fields, the user's mapping, custom fields."""

    required: frozenset[Field]
    # The user's mapping (column index -> field value or custom key); None: read the header.
    mapping: Mapping[int, str] | None = None
    custom_fields: Sequence[CustomFieldDefinition] = ()

    @classmethod
    def of(cls, event: FileAccepted) -> "ImportRules":
        """The rules the import was started with."""
        return cls(
            required=frozenset(event.required_fields),
            mapping=event.mapping,
            custom_fields=event.custom_fields,
        )


@dataclass(frozen=True)
class Header:
    """The file's first record: which column holds which field, as the user named it."""

    mapping: HeaderMapping
    # The user's name of each mapped field's column.
    columns: dict[Field, str]
    width: int
    # Column index -> custom key, and custom key -> the header text, for the mapped ones.
    custom_columns: dict[int, str] = field(default_factory=dict)
    custom_headers: dict[str, str] = field(default_factory=dict)


def read_header(cells: list[str], rules: ImportRules) -> tuple[Header, list[FileProblem]]:
    """Map the header; a required field without a column is a problem of the whole file."""
    custom_columns: dict[int, str] = {}
    if rules.mapping is None:
        mapping = map_header(cells)
    else:
        mapping = _chosen(cells, rules.mapping, rules.custom_fields, custom_columns)
    header = Header(
        mapping=mapping,
        columns={mapped: cells[index].strip() for index, mapped in mapping.columns.items()},
        width=len(cells),
        custom_columns=custom_columns,
        custom_headers={key: cells[index].strip() for index, key in custom_columns.items()},
    )
    missing = [
        f"«{TEMPLATE_HEADERS.get(item, item.value)}»"
        for item in missing_required(mapping, rules.required)
    ]
    missing += [
        f"«{definition.label}»"
        for definition in rules.custom_fields
        if definition.required and definition.key not in header.custom_headers
    ]
    if not missing:
        return header, []
    names = ", ".join(missing)
    return header, [FileProblem(code="file.missing_columns", line=1, params={"columns": names})]


def _chosen(
    cells: list[str],
    chosen: Mapping[int, str],
    custom_fields: Sequence[CustomFieldDefinition],
    custom_columns: dict[int, str],
) -> HeaderMapping:
    """The header mapping the user chose; its custom columns go to `custom_columns`."""
    keys = {definition.key for definition in custom_fields}
    columns: dict[int, Field] = {}
    for index, target in chosen.items():
        if index >= len(cells):
            continue
        if target in _FIELDS:
            columns[index] = _FIELDS[target]
        elif target in keys:
            custom_columns[index] = target
    return HeaderMapping(columns=columns, ignored=(), duplicates=())


def is_blank(cells: list[str]) -> bool:
    """A line with nothing in it: not a customer, though it keeps its row number."""
    return not any(cell.strip() for cell in cells)


# A batch also ends once its rows' cells hold this many characters: its messages then stay under
# the broker's 1 MB message limit whatever the cells hold (cells are at most 254 characters,
# a character at most 3 bytes of UTF-8 JSON, plus a few bytes a value), not only for typical
# rows (about 200 bytes a valid row as columns).
BATCH_MAX_CHARS = 200_000
# What one error of a rejected row adds to its batch's message, beyond the cells, at most.
_ERROR_CHARS = 200


@dataclass
class RowBatch:
    """Consecutive data rows of the file, split by the rules into valid and rejected."""

    first_row_no: int
    last_row_no: int = 0
    # Characters in the batch's cells, to bound the size of its messages.
    chars: int = 0
    valid: list[ValidRow] = field(default_factory=list)
    rejected: list[RowOutcome] = field(default_factory=list)

    @property
    def rows_seen(self) -> int:
        """Data rows in the batch."""
        return len(self.valid) + len(self.rejected)


@dataclass
class RangeValidation:
    """Validates data records (a range of the file, header excluded) in batches."""

    records: Iterable[tuple[int, list[str]]]
    header: Header
    rules: ImportRules
    batch_size: int
    batch_max_chars: int = BATCH_MAX_CHARS
    total_rows: int = 0
    problems: list[FileProblem] = field(default_factory=list)

    def batches(self) -> Iterator[RowBatch]:
        """Yield full batches; a file problem ends the iteration and is kept in `problems`."""
        try:
            batch: RowBatch | None = None
            for row_no, cells in self.records:
                if is_blank(cells):
                    continue
                if batch is None:
                    batch = RowBatch(first_row_no=row_no)
                self._add_row(batch, row_no, cells)
                if batch.rows_seen == self.batch_size or batch.chars >= self.batch_max_chars:
                    yield self._counted(batch)
                    batch = None
            if batch is not None:
                yield self._counted(batch)
        except FileProblemError as error:
            # Rows already yielded keep their outcomes; the rest of the file is unreadable.
            self.problems.append(error.problem)

    def _add_row(self, batch: RowBatch, row_no: int, cells: list[str]) -> None:
        batch.last_row_no = row_no
        batch.chars += sum(map(len, cells))
        values = {
            mapped: cells[index] if index < len(cells) else ""
            for index, mapped in self.header.mapping.columns.items()
        }
        customer, found = validate_row_fields(values, required=self.rules.required)
        if self.header.custom_columns:
            custom = {
                key: cells[index] if index < len(cells) else ""
                for index, key in self.header.custom_columns.items()
            }
            custom_values, custom_errors = validate_custom_values(custom, self.rules.custom_fields)
            found += custom_errors
            if customer is not None:
                customer["custom_fields"] = custom_values
        errors = [self._named(error) for error in found]
        extra = [cell for cell in cells[self.header.width :] if cell.strip()]
        if extra:
            # More filled cells than header columns: a delimiter inside an unquoted cell.
            errors.append(
                RowError(
                    field=None,
                    code=ErrorCode.ROW_TOO_MANY_CELLS,
                    params={"cells": str(len(cells)), "columns": str(self.header.width)},
                )
            )
        if errors or customer is None:
            batch.rejected.append(
                RowOutcome(row_no=row_no, kind=OutcomeKind.INVALID, errors=tuple(errors))
            )
            # An error's JSON (field, column, code, parameters) counts towards the batch's size.
            batch.chars += _ERROR_CHARS * len(errors)
        else:
            batch.valid.append(ValidRow(row_no, customer))

    def _named(self, error: RowError) -> RowError:
        """The error naming the column as the user's header does."""
        if error.field is not None and error.field in self.header.columns:
            return error.model_copy(update={"column": self.header.columns[error.field]})
        if error.custom_field is not None and error.custom_field in self.header.custom_headers:
            column = self.header.custom_headers[error.custom_field]
            return error.model_copy(update={"column": column})
        return error

    def _counted(self, batch: RowBatch) -> RowBatch:
        self.total_rows += batch.rows_seen
        return batch
