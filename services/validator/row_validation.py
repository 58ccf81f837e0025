"""Turn a file's records into batches of valid rows and rejected rows (pure, synchronous)."""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from shared.events import OutcomeKind, RowOutcome, ValidRow
from shared.file_problems import FileProblem, FileProblemError
from shared.rules.custom_fields import CustomFieldDefinition, with_custom_values
from shared.rules.errors import ErrorCode, RowError
from shared.rules.fields import TEMPLATE_HEADERS, Field
from shared.rules.headers import HeaderMapping, map_header, missing_required
from shared.rules.validate import validate_row

_FIELDS = {item.value: item for item in Field}


@dataclass
class RowBatch:
    """Consecutive data rows of the file, split by the rules into valid and rejected."""

    first_row_no: int
    last_row_no: int = 0
    valid: list[ValidRow] = field(default_factory=list)
    rejected: list[RowOutcome] = field(default_factory=list)

    @property
    def rows_seen(self) -> int:
        """Data rows in the batch."""
        return len(self.valid) + len(self.rejected)


@dataclass
class FileValidation:
    """Reads a whole file's records: the header, then batches; totals once exhausted."""

    records: Iterable[tuple[int, list[str]]]
    required: frozenset[Field]
    batch_size: int
    columns: dict[Field, str] = field(default_factory=dict)
    total_rows: int = 0
    header_width: int = 0
    problems: list[FileProblem] = field(default_factory=list)
    # The user's mapping (column index -> field value or custom key); None: read the header.
    mapping: Mapping[int, str] | None = None
    custom_fields: Sequence[CustomFieldDefinition] = ()
    # Column index -> custom key, and custom key -> the header text, for the mapped ones.
    custom_columns: dict[int, str] = field(default_factory=dict)
    custom_headers: dict[str, str] = field(default_factory=dict)

    def batches(self) -> Iterator[RowBatch]:
        """Yield full batches; a file problem ends the iteration and is kept in `problems`."""
        records = iter(self.records)
        try:
            mapping = self._read_header(records)
            if mapping is None:
                return
            batch: RowBatch | None = None
            for row_no, cells in records:
                if not any(cell.strip() for cell in cells):
                    continue  # a blank line is not a customer
                if batch is None:
                    batch = RowBatch(first_row_no=row_no)
                self._add_row(batch, mapping, row_no, cells)
                if batch.rows_seen == self.batch_size:
                    yield self._counted(batch)
                    batch = None
            if batch is not None:
                yield self._counted(batch)
        except FileProblemError as error:
            # Rows already yielded keep their outcomes; the rest of the file is unreadable.
            self.problems.append(error.problem)
        if not self.problems and self.total_rows == 0:
            self.problems.append(FileProblem(code="file.header_only", line=1))

    def _read_header(self, records: Iterator[tuple[int, list[str]]]) -> HeaderMapping | None:
        first = next(records, None)
        if first is None:
            self.problems.append(FileProblem(code="file.empty"))
            return None
        _, header = first
        mapping = map_header(header) if self.mapping is None else self._chosen(header, self.mapping)
        self.columns = {mapped: header[index].strip() for index, mapped in mapping.columns.items()}
        missing = [
            f"«{TEMPLATE_HEADERS.get(item, item.value)}»"
            for item in missing_required(mapping, self.required)
        ]
        missing += [
            f"«{d.label}»"
            for d in self.custom_fields
            if d.required and d.key not in self.custom_headers
        ]
        if missing:
            names = ", ".join(missing)
            self.problems.append(
                FileProblem(code="file.missing_columns", line=1, params={"columns": names})
            )
            return None
        self.header_width = len(header)
        return mapping

    def _chosen(self, header: list[str], chosen: Mapping[int, str]) -> HeaderMapping:
        """The header mapping the user chose, its custom columns kept aside."""
        keys = {definition.key for definition in self.custom_fields}
        columns: dict[int, Field] = {}
        for index, target in chosen.items():
            if index >= len(header):
                continue
            if target in _FIELDS:
                columns[index] = _FIELDS[target]
            elif target in keys:
                self.custom_columns[index] = target
                self.custom_headers[target] = header[index].strip()
        return HeaderMapping(columns=columns, ignored=(), duplicates=())

    def _add_row(
        self, batch: RowBatch, mapping: HeaderMapping, row_no: int, cells: list[str]
    ) -> None:
        batch.last_row_no = row_no
        values = {
            mapped: cells[index] if index < len(cells) else ""
            for index, mapped in mapping.columns.items()
        }
        result = validate_row(values, required=self.required)
        if self.custom_columns:
            custom = {
                key: cells[index] if index < len(cells) else ""
                for index, key in self.custom_columns.items()
            }
            result = with_custom_values(result, custom, self.custom_fields)
        errors = [self._named(error) for error in result.errors]
        extra = [cell for cell in cells[self.header_width :] if cell.strip()]
        if extra:
            # More filled cells than header columns: a delimiter inside an unquoted cell.
            errors.append(
                RowError(
                    field=None,
                    code=ErrorCode.ROW_TOO_MANY_CELLS,
                    params={"cells": str(len(cells)), "columns": str(self.header_width)},
                )
            )
        if errors or result.record is None:
            batch.rejected.append(
                RowOutcome(row_no=row_no, kind=OutcomeKind.INVALID, errors=tuple(errors))
            )
        else:
            batch.valid.append(ValidRow(row_no=row_no, customer=result.record))

    def _named(self, error: RowError) -> RowError:
        """The error naming the column as the user's header does."""
        if error.field is not None and error.field in self.columns:
            return error.model_copy(update={"column": self.columns[error.field]})
        if error.custom_field is not None and error.custom_field in self.custom_headers:
            return error.model_copy(update={"column": self.custom_headers[error.custom_field]})
        return error

    def _counted(self, batch: RowBatch) -> RowBatch:
        self.total_rows += batch.rows_seen
        return batch
