"""Cutting a file into ranges: every range read alone gives exactly the records of the whole."""

import csv
import io
from typing import Literal

from hypothesis import given, settings
from hypothesis import strategies as st

from services.validator.planning import FilePlan, FileRange
from services.validator.row_validation import ImportRules
from shared.csv_format import CsvDialect, open_text, read_records, scan_records
from shared.rules.fields import Field

RULES = ImportRules(required=frozenset({Field.FULL_NAME}))
SEMICOLON = CsvDialect(encoding="utf-8-sig", delimiter=";")


def plan(raw: bytes, range_bytes: int, dialect: CsvDialect = SEMICOLON) -> FilePlan:
    return FilePlan(scan_records(io.BytesIO(raw), dialect), dialect, RULES, range_bytes)


def read_range(raw: bytes, cut: FileRange, dialect: CsvDialect) -> list[tuple[int, list[str]]]:
    """A range read as the validator reads it: only its bytes, numbered from its first row."""
    part = raw[cut.start_byte : cut.end_byte]
    text = open_text(io.BytesIO(part), dialect, start_byte=cut.start_byte)
    return list(read_records(text, dialect, first_record_no=cut.first_row_no))


def whole(raw: bytes, dialect: CsvDialect) -> list[tuple[int, list[str]]]:
    return list(read_records(open_text(io.BytesIO(raw), dialect), dialect))


def test_ranges_are_cut_at_record_boundaries_and_numbered_as_the_spreadsheet() -> None:
    raw = (
        "\ufeffNome;Obs\r\n"
        'Ana;"linha um\r\nlinha dois"\r\n'
        "\r\n"
        "Bia;x\r\n"
        'Caio;"aspas ""dentro""; e ponto e vírgula"\r\n'
        "Davi;fim"
    ).encode()
    cutting = plan(raw, range_bytes=10)
    ranges = list(cutting.ranges())

    # Rows: Ana 2 (two lines), blank 3, Bia 4, Caio 5, Davi 6; a range closes past 10 bytes.
    assert [cut.first_row_no for cut in ranges] == [2, 3, 6]
    assert ranges[-1].end_byte is None
    assert [record for cut in ranges for record in read_range(raw, cut, SEMICOLON)] == whole(
        raw, SEMICOLON
    )[1:]
    assert cutting.total_rows == 4  # the blank line keeps its number but is no customer
    assert cutting.problems == []


def test_a_small_file_is_one_range() -> None:
    raw = b"Nome\nAna\nBia\n"
    (cut,) = list(plan(raw, range_bytes=1024).ranges())
    assert (cut.start_byte, cut.end_byte, cut.first_row_no) == (5, None, 2)


def test_a_file_without_data_rows_has_no_range() -> None:
    for raw, code in ((b"", "file.empty"), (b"Nome\n\n;\n", "file.header_only")):
        cutting = plan(raw, range_bytes=4)
        assert list(cutting.ranges()) in ([], [FileRange(0, 5, None, 2)])
        assert [problem.code for problem in cutting.problems] == [code]


def test_a_header_without_a_required_column_stops_the_plan() -> None:
    cutting = plan(b"E-mail\na@x.com\n", range_bytes=4)
    assert list(cutting.ranges()) == []
    assert [problem.code for problem in cutting.problems] == ["file.missing_columns"]


def test_a_structure_broken_part_way_keeps_the_rows_before_it() -> None:
    # An unterminated quote swallows the rest of the file, past csv's cell size bound.
    raw = b'Nome;Obs\nAna;ok\nBia;ok\nCaio;"' + b"x" * (200 * 1024) + b"\nDavi;ok\n"
    cutting = plan(raw, range_bytes=8)
    ranges = list(cutting.ranges())
    assert cutting.total_rows == 2
    assert [problem.code for problem in cutting.problems] == ["file.broken_structure"]
    # Ana and Bia make the one range; nothing readable follows the broken cell.
    assert [(cut.first_row_no, cut.end_byte) for cut in ranges] == [(2, 23)]


cells = st.text(alphabet='ab;,"\n\r áç', max_size=8)
rows = st.lists(st.lists(cells, min_size=1, max_size=4), min_size=1, max_size=25)


@settings(max_examples=200, deadline=None)
@given(
    rows=rows,
    range_bytes=st.integers(min_value=1, max_value=120),
    delimiter=st.sampled_from([";", ","]),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    encoding=st.sampled_from(["utf-8-sig", "utf-8", "cp1252"]),
    line_end=st.sampled_from(["\r\n", "\n", "\r"]),
)
def test_any_cut_reads_back_exactly_the_whole_file(
    rows: list[list[str]],
    range_bytes: int,
    delimiter: str,
    quoting: Literal[0, 1, 2, 3],
    encoding: str,
    line_end: str,
) -> None:
    dialect = CsvDialect.model_validate({"encoding": encoding, "delimiter": delimiter})
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator=line_end)
    writer.writerow(["Nome", "Obs"])
    writer.writerows(rows)
    raw = buffer.getvalue().encode(encoding)

    cutting = plan(raw, range_bytes, dialect)
    ranges = list(cutting.ranges())

    expected = whole(raw, dialect)[1:]
    assert [record for cut in ranges for record in read_range(raw, cut, dialect)] == expected
    assert cutting.total_rows == sum(1 for _, cells in expected if any(c.strip() for c in cells))
