"""Scan an accepted file once: its header, its ranges cut at record boundaries, its totals."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from services.validator.row_validation import Header, ImportRules, is_blank, read_header
from shared.csv_format import CsvDialect, ScannedRecord, record_cells
from shared.file_problems import FileProblem, FileProblemError

# What str.strip() removes among ASCII bytes (str.isspace), the same in every supported encoding.
_ASCII_SPACE = b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
_NON_ASCII = bytes(range(0x80, 0x100))


@dataclass(frozen=True)
class FileRange:
    """Bytes [start_byte, end_byte) of the file (None: to its end), whole records only."""

    index: int
    start_byte: int
    end_byte: int | None
    first_row_no: int


@dataclass
class FilePlan:
    """Cuts the scanned records (shared.csv_format.scan_records) into ranges of about
    `range_bytes`, counting the data rows and finding the file's problems on the way."""

    scanned: Iterable[tuple[int, ScannedRecord, int]]
    dialect: CsvDialect
    rules: ImportRules
    range_bytes: int
    header_cells: list[str] = field(default_factory=list)
    header: Header | None = None
    total_rows: int = 0
    problems: list[FileProblem] = field(default_factory=list)

    def ranges(self) -> Iterator[FileRange]:
        """Yield each range as soon as the scan passes its end; the last one runs to the end."""
        records = iter(self.scanned)
        first = next(records, None)
        if first is None:
            self.problems.append(FileProblem(code="file.empty"))
            return
        _, header_record, start = first
        self.header_cells = record_cells(header_record, self.dialect)
        self.header, problems = read_header(self.header_cells, self.rules)
        if problems:
            self.problems += problems
            return
        index, first_row_no, pending = 0, 2, False
        try:
            for record_no, record, end in records:
                pending = True
                if not self._is_blank(record):
                    self.total_rows += 1
                if end - start >= self.range_bytes:
                    yield FileRange(index, start, end, first_row_no)
                    index, start, first_row_no, pending = index + 1, end, record_no + 1, False
        except FileProblemError as error:
            # The last range's validator reads its rows up to the same problem and stops.
            self.problems.append(error.problem)
        if pending:
            yield FileRange(index, start, None, first_row_no)
        if not self.problems and self.total_rows == 0:
            self.problems.append(FileProblem(code="file.header_only", line=1))

    def _is_blank(self, record: ScannedRecord) -> bool:
        """is_blank on the record's cells, decided from the bytes when they say it: nothing but
        ASCII spaces and delimiters is blank; any other ASCII character is a filled cell."""
        if isinstance(record, bytes):
            rest = record.translate(None, _ASCII_SPACE + self.dialect.delimiter.encode())
            if not rest:
                return True
            if rest.translate(None, _NON_ASCII):
                return False
        # Only non-ASCII characters: whether they are spaces depends on the encoding.
        return is_blank(record_cells(record, self.dialect))
