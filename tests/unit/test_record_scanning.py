"""scan_records passes quote-free lines on undecoded: the records, numbers and offsets it gives
are exactly those csv reads from the decoded file, whatever the bytes."""

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.validator.planning import FilePlan
from services.validator.row_validation import ImportRules, is_blank
from shared.csv_format import (
    CsvDialect,
    ScannedRecord,
    open_text,
    read_records,
    record_cells,
    scan_records,
)
from shared.file_problems import FileProblem, FileProblemError
from shared.rules.fields import Field

# Bytes that matter to csv or to decoding: delimiters, quotes, every line end, spaces ASCII
# and not, NUL, a BOM, UTF-8 and cp1252 accents, and bytes that are invalid in UTF-8.
pieces = st.sampled_from(
    [b"a", b"b", b";", b",", b"\t", b'"', b"\n", b"\r", b"\r\n", b" ", b"\x0b", b"\x1c",
     b"\x00", b"\xef\xbb\xbf", "é".encode(), "ç".encode("cp1252"), b"\xc2\xa0", b"\xa0",
     b"\x85", b"\xff", b"\xc3"]
)  # fmt: skip
files = st.lists(pieces, max_size=60).map(b"".join)
dialects = st.builds(
    CsvDialect,
    encoding=st.sampled_from(["utf-8-sig", "utf-8", "cp1252"]),
    delimiter=st.sampled_from([";", ",", "\t"]),
)


def read_whole(raw: bytes, dialect: CsvDialect) -> tuple[list[tuple[int, list[str]]], object]:
    """What read_records gives on the decoded file, and the problem that stops it, if any."""
    records: list[tuple[int, list[str]]] = []
    try:
        records.extend(read_records(open_text(io.BytesIO(raw), dialect), dialect))
    except FileProblemError as error:
        return records, error.problem
    return records, None


def scan_whole(
    raw: bytes, dialect: CsvDialect
) -> tuple[list[tuple[int, ScannedRecord, int]], FileProblem | None]:
    scanned: list[tuple[int, ScannedRecord, int]] = []
    try:
        scanned.extend(scan_records(io.BytesIO(raw), dialect))
    except FileProblemError as error:
        return scanned, error.problem
    return scanned, None


@settings(max_examples=500, deadline=None)
@given(raw=files, dialect=dialects)
def test_scanned_records_are_the_records_csv_reads(raw: bytes, dialect: CsvDialect) -> None:
    expected, expected_problem = read_whole(raw, dialect)

    scanned, problem = scan_whole(raw, dialect)

    assert [(no, record_cells(record, dialect)) for no, record, _ in scanned] == expected
    assert problem == expected_problem
    # Each offset is where the next record starts: the rest of the file read from there.
    for index, (_, _, end) in enumerate(scanned):
        rest = open_text(io.BytesIO(raw[end:]), dialect, start_byte=end)
        following = [cells for _, cells in expected[index + 1 :]]
        if expected_problem is None:
            assert [cells for _, cells in read_records(rest, dialect)] == following


@settings(max_examples=300, deadline=None)
@given(raw=files, dialect=dialects)
def test_a_scanned_record_is_blank_exactly_when_its_cells_are(
    raw: bytes, dialect: CsvDialect
) -> None:
    plan = FilePlan((), dialect, ImportRules(required=frozenset({Field.FULL_NAME})), 1)
    scanned, _ = scan_whole(raw, dialect)
    for _, record, _ in scanned:
        assert plan._is_blank(record) == is_blank(record_cells(record, dialect))


def test_a_line_longer_than_a_cell_may_be_is_refused_as_csv_refuses_it() -> None:
    dialect = CsvDialect(encoding="utf-8", delimiter=";")
    raw = b"Nome\nAna\n" + b"x" * (csv.field_size_limit() + 1) + b"\nBia\n"

    scanned, problem = scan_whole(raw, dialect)

    assert [no for no, _, _ in scanned] == [1, 2]
    assert problem is not None
    assert (problem.code, problem.line) == ("file.broken_structure", 3)


@pytest.mark.parametrize("line_end", [b"\r\n", b"\n", b"\r"])
def test_quote_free_lines_stay_undecoded_and_quoted_records_come_parsed(line_end: bytes) -> None:
    dialect = CsvDialect(encoding="utf-8-sig", delimiter=";")
    lines = [b"\xef\xbb\xbfNome;Obs", b"Ana;x", b'Bia;"duas', b'linhas"', b""]
    raw = line_end.join(lines)

    scanned = list(scan_records(io.BytesIO(raw), dialect))

    assert [record for _, record, _ in scanned] == [
        b"Nome;Obs" + line_end,  # the BOM is no part of the first cell
        b"Ana;x" + line_end,
        ["Bia", f"duas{line_end.decode()}linhas"],
    ]
    assert [end for _, _, end in scanned] == [
        len(lines[0]) + len(line_end),
        len(lines[0]) + len(lines[1]) + 2 * len(line_end),
        len(raw),
    ]
