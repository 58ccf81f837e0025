"""How a customer file is written: encoding and delimiter, detected from its first bytes."""

import codecs
import csv
import io
import itertools
import re
import typing
from collections.abc import Iterable, Iterator
from typing import Literal

import charset_normalizer
from pydantic import BaseModel, ConfigDict

from shared.file_problems import FileProblem, FileProblemError

Encoding = Literal["utf-8", "utf-8-sig", "cp1252"]
Delimiter = Literal[",", ";", "\t"]

# Enough to see the header and a few hundred rows: detection never needs the whole file.
SAMPLE_SIZE = 256 * 1024
_DELIMITERS: tuple[Delimiter, ...] = (";", ",", "\t")
# csv's default (128 KiB) is the bound that turns an unterminated quote into a clear error
# instead of one endless cell; a real cell (notes included) stays far below it.
csv.field_size_limit(128 * 1024)


class CsvDialect(BaseModel):
    """The encoding and delimiter of one file, kept so the error file is written the same way."""

    model_config = ConfigDict(frozen=True)

    encoding: Encoding
    delimiter: Delimiter

    @property
    def has_bom(self) -> bool:
        """Whether the file starts with a UTF-8 byte order mark (Excel's "CSV UTF-8")."""
        return self.encoding == "utf-8-sig"


def detect_dialect(sample: bytes) -> CsvDialect:
    """Detect the encoding and delimiter from the first bytes of a file."""
    if not sample.strip():
        raise FileProblemError(FileProblem(code="file.empty"))
    encoding = _detect_encoding(sample)
    text = _decode_sample(sample, encoding)
    return CsvDialect(encoding=encoding, delimiter=_detect_delimiter(text))


def _detect_encoding(sample: bytes) -> Encoding:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in sample:
        raise FileProblemError(FileProblem(code="file.binary"))
    try:
        # A sample cut mid-character fails only in its last three bytes.
        sample.decode("utf-8") if len(sample) < SAMPLE_SIZE else sample[:-3].decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    # Not UTF-8: Excel in Brazil writes Windows-1252; make sure it reads as text at all.
    best = charset_normalizer.from_bytes(sample, cp_isolation=["cp1252", "latin_1"]).best()
    if best is None:
        raise FileProblemError(FileProblem(code="file.binary"))
    return "cp1252"


def _decode_sample(sample: bytes, encoding: Encoding) -> str:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    return decoder.decode(sample, final=False)


def _detect_delimiter(text: str) -> Delimiter:
    """The candidate that splits the header into the most columns, the rows agreeing."""
    lines = text.splitlines()[:50]
    best: Delimiter = ","
    best_columns = 1
    for delimiter in _DELIMITERS:
        header_width, agreeing, widths = _split_widths(lines, delimiter)
        if not widths:
            continue
        # Most rows have the header's width: a delimiter that only appears inside cells does not.
        if header_width > best_columns and agreeing * 2 >= len(widths):
            best, best_columns = delimiter, header_width
    return best


def _split_widths(lines: list[str], delimiter: Delimiter) -> tuple[int, int, list[int]]:
    """The header's width, how many lines share it, and every line's width, for one delimiter."""
    widths = [len(record) for record in csv.reader(lines, delimiter=delimiter) if record]
    if not widths:
        return 0, 0, widths
    return widths[0], sum(1 for width in widths if width == widths[0]), widths


class Candidate(BaseModel):
    """One reading of the file, and how sure the detection is of it (0 to 1)."""

    value: str
    confidence: float


class Detected(BaseModel):
    """What was chosen, how sure, and the other readings with their own confidence."""

    value: str
    confidence: float
    alternatives: list[Candidate]


class DialectDetection(BaseModel):
    """Why the pre-check read the file the way it did: encoding and delimiter, with alternatives."""

    encoding: Detected
    delimiter: Detected


def describe_detection(sample: bytes, dialect: CsvDialect) -> DialectDetection:
    """The confidence of a detected dialect and the alternatives, from the same sample."""
    return DialectDetection(
        encoding=_encoding_detection(sample, dialect.encoding),
        delimiter=_delimiter_detection(_decode_sample(sample, dialect.encoding), dialect.delimiter),
    )


def _encoding_detection(sample: bytes, encoding: Encoding) -> Detected:
    if encoding == "utf-8-sig":
        # A byte order mark says it outright.
        return Detected(value=encoding, confidence=1.0, alternatives=[])
    if encoding == "utf-8":
        if sample.isascii():
            # Plain ASCII reads the same in every candidate encoding.
            return Detected(
                value=encoding,
                confidence=1.0,
                alternatives=[Candidate(value="cp1252", confidence=1.0)],
            )
        # Accented text that happens to be valid UTF-8 while written as Windows-1252 is rare.
        return Detected(
            value=encoding,
            confidence=0.99,
            alternatives=[Candidate(value="cp1252", confidence=0.01)],
        )
    best = charset_normalizer.from_bytes(sample, cp_isolation=["cp1252"]).best()
    confidence = round(1.0 - best.chaos, 2) if best is not None else 0.5
    # Not valid UTF-8: that reading would turn accents into replacement characters.
    return Detected(
        value=encoding,
        confidence=confidence,
        alternatives=[Candidate(value="utf-8", confidence=0.0)],
    )


def _delimiter_detection(text: str, chosen: Delimiter) -> Detected:
    """Confidence: the share of sampled lines that split into as many columns as the header."""
    lines = text.splitlines()[:50]
    scores: dict[Delimiter, float] = {}
    for delimiter in _DELIMITERS:
        header_width, agreeing, widths = _split_widths(lines, delimiter)
        if widths and (header_width > 1 or delimiter == chosen):
            scores[delimiter] = round(agreeing / len(widths), 2)
    alternatives = [
        Candidate(value=delimiter, confidence=score)
        for delimiter, score in sorted(scores.items(), key=lambda item: -item[1])
        if delimiter != chosen
    ]
    return Detected(value=chosen, confidence=scores.get(chosen, 0.0), alternatives=alternatives)


def open_text(
    binary: typing.BinaryIO, dialect: CsvDialect, *, start_byte: int = 0
) -> io.TextIOWrapper:
    """Decode a byte stream as the file was written; undecodable bytes become U+FFFD.

    `start_byte`: where in the file the stream starts (only the file's start has a BOM).
    """
    # U+FFFD is reported per cell by the rules ("save the file as UTF-8"), never silently kept.
    encoding = "utf-8" if dialect.encoding == "utf-8-sig" and start_byte > 0 else dialect.encoding
    return io.TextIOWrapper(binary, encoding=encoding, errors="replace", newline="")


# A carriage return that ends a line by itself (old Mac files): not followed by a line feed.
_LONE_CR = re.compile(rb"(?<=\r)(?!\n)")
_BOM = codecs.BOM_UTF8


def _universal_lines(binary: typing.BinaryIO) -> Iterator[bytes]:
    """The stream's lines with their terminators, split where csv reading text splits them:
    at \r\n, \n and a lone \r (open_text's newline="")."""
    for line in binary:  # split at \n, in C
        # No \r, or only the one of a final \r\n (most files): no regular expression.
        if line.count(b"\r") == line.endswith(b"\r\n"):
            yield line
        else:
            yield from (part for part in _LONE_CR.split(line) if part)


# A record as scan_records finds it: the raw line of a record without quotes (its cells are
# split when asked for, by record_cells), or the cells csv read from a record with quotes.
ScannedRecord = bytes | list[str]


def scan_records(
    binary: typing.BinaryIO, dialect: CsvDialect
) -> Iterator[tuple[int, ScannedRecord, int]]:
    """(number, record, byte offset where the next record starts) of every record, header
    included, numbered and split exactly as read_records reads the decoded file.

    Most lines hold no quote: such a line is a whole record, and csv would only cut it at each
    delimiter, so it is passed on undecoded; the planner and the error file look inside a few
    records only. A line with a quote goes to csv with the lines its record spans; the reader
    never reads ahead of the record it returns, so the offsets stay exact.
    """
    # The BOM belongs to no cell; the bytes after it are plain UTF-8.
    encoding = _plain(dialect.encoding)
    limit = csv.field_size_limit()
    lines = _universal_lines(binary)
    consumed = 0

    def rest_of_record() -> Iterator[str]:
        nonlocal consumed
        for line in lines:
            consumed += len(line)
            yield line.decode(encoding, "replace")

    for record_no, line in enumerate(lines, start=1):
        consumed += len(line)
        if record_no == 1 and dialect.has_bom and line.startswith(_BOM):
            line = line[len(_BOM) :]
            if not line:
                return  # a file of a BOM alone holds no record
        # A line longer than csv's cell bound goes to csv too, which refuses an endless cell.
        if b'"' not in line and len(line) <= limit:
            yield record_no, line, consumed
            continue
        text = itertools.chain((line.decode(encoding, "replace"),), rest_of_record())
        for _, cells in read_records(text, dialect, first_record_no=record_no):
            yield record_no, cells, consumed
            break


def record_cells(record: ScannedRecord, dialect: CsvDialect) -> list[str]:
    """The cells of a scanned record, as read_records gives them."""
    if isinstance(record, list):
        return record
    # Without quotes, csv only cuts at the delimiter; an empty line is a record of no cells.
    text = record.decode(_plain(dialect.encoding), "replace").rstrip("\r\n")
    return text.split(dialect.delimiter) if text else []


def _plain(encoding: Encoding) -> str:
    """The encoding of a file's bytes after its BOM."""
    return "utf-8" if encoding == "utf-8-sig" else encoding


def read_records(
    text: Iterable[str], dialect: CsvDialect, *, first_record_no: int = 1
) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number as a spreadsheet shows it, cells) for every record, header included.

    `first_record_no` numbers a part of a file that starts further down (a range).
    """
    reader = csv.reader(text, delimiter=dialect.delimiter)
    record_no = first_record_no - 1
    try:
        for cells in reader:
            record_no += 1
            yield record_no, cells
    except csv.Error as error:
        raise FileProblemError(
            FileProblem(
                code="file.broken_structure", line=record_no + 1, params={"detail": str(error)}
            )
        ) from error
