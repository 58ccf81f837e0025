"""The pre-check: what a file's first bytes tell, before anything is imported."""

import io
from dataclasses import dataclass, field

from shared.csv_format import (
    CsvDialect,
    DialectDetection,
    describe_detection,
    detect_dialect,
    read_records,
)
from shared.file_problems import FileProblem, FileProblemError
from shared.rules.fields import Field
from shared.rules.headers import map_header


@dataclass(frozen=True)
class Precheck:
    """The detected format, the recognised columns (field -> header text) and any file problems."""

    dialect: CsvDialect | None
    columns: dict[Field, str] = field(default_factory=dict)
    problems: tuple[FileProblem, ...] = ()
    detection: DialectDetection | None = None


def precheck(sample: bytes, *, whole_file: bool) -> Precheck:
    """Detect the format, read the header and find what makes the file unusable.

    Which columns hold the required fields is the mapping step's question, not the file's: a
    header the synonyms do not recognise is mapped by the user, not rejected.
    """
    try:
        dialect = detect_dialect(sample)
    except FileProblemError as error:
        return Precheck(dialect=None, problems=(error.problem,))
    detection = describe_detection(sample, dialect)
    text = io.TextIOWrapper(
        io.BytesIO(_complete_lines(sample, whole_file)),
        encoding=dialect.encoding,
        errors="replace",
        newline="",
    )
    try:
        records = [cells for _, cells in read_records(text, dialect)]
    except FileProblemError as error:
        return Precheck(dialect=dialect, problems=(error.problem,), detection=detection)
    header = records[0] if records else []
    mapping = map_header(header)
    columns = {mapped: header[index].strip() for index, mapped in mapping.columns.items()}
    problems: list[FileProblem] = []
    if whole_file and not any(any(cell.strip() for cell in cells) for cells in records[1:]):
        problems.append(FileProblem(code="file.header_only", line=1))
    return Precheck(dialect=dialect, columns=columns, problems=tuple(problems), detection=detection)


def _complete_lines(sample: bytes, whole_file: bool) -> bytes:
    """Drop a last line the sample cut in half (it would look like a broken row)."""
    if whole_file:
        return sample
    return sample[: sample.rfind(b"\n") + 1]
