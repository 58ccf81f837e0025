import csv
import io
from typing import Any

from services.aggregator.error_file import _encoded, error_file_lines
from shared.csv_format import CsvDialect, ScannedRecord
from shared.rules.errors import RowError
from shared.rules.fields import Field


def failures(*items: tuple[int, list[RowError]]) -> Any:
    pending = [
        (row_no, [error.model_dump(mode="json") for error in errors]) for row_no, errors in items
    ]
    return iter(pending)


SEMICOLON = CsvDialect(encoding="utf-8", delimiter=";")
RECORDS: list[tuple[int, ScannedRecord]] = [
    (1, ["Nome", "E-mail"]),
    (2, ["Ana", "ana@exemplo.com"]),
    (3, ["", "sem-nome@exemplo.com"]),
    (4, ["Bia", "ANA@exemplo.com"]),
    (5, ["Caio"]),
]


def test_only_failed_rows_with_original_cells_and_why() -> None:
    lines = list(
        error_file_lines(
            iter(RECORDS),
            failures(
                (3, [RowError(field=Field.FULL_NAME, column="Nome", code="full_name.required")]),
                (
                    4,
                    [
                        RowError(
                            field=Field.EMAIL, code="email.repeated_in_file", params={"row": "2"}
                        )
                    ],
                ),
                (5, [RowError(field=Field.FULL_NAME, code="full_name.required")]),
            ),
            {Field.EMAIL: "E-mail", Field.FULL_NAME: "Nome"},
            "pt-BR",
            dialect=SEMICOLON,
        )
    )
    assert [line[:-1] for line in lines] == [
        ["Nome", "E-mail"],
        ["", "sem-nome@exemplo.com"],
        ["Bia", "ANA@exemplo.com"],
        ["Caio", ""],  # padded: the errors stay in their column
    ]
    assert lines[0][-1] == "Erros"
    assert lines[1][-1].startswith("Linha 3: Coluna «Nome»")
    # An error decided after validation is named with the user's column too.
    assert lines[2][-1].startswith("Linha 4: Coluna «E-mail»")
    assert "2" in lines[2][-1]


def test_nul_characters_are_left_out_of_the_failed_rows() -> None:
    # The import drops them; a corrected file starting with one would be refused as binary.
    lines = list(
        error_file_lines(
            iter([(1, ["Nome", "E-mail"]), (2, b"Ana\x00\x00;ana@@exemplo.com\x00\r\n")]),
            failures((2, [RowError(field=Field.EMAIL, code="email.invalid")])),
            {Field.EMAIL: "E-mail", Field.FULL_NAME: "Nome"},
            "pt-BR",
            dialect=SEMICOLON,
        )
    )

    assert lines[1][:-1] == ["Ana", "ana@@exemplo.com"]
    assert b"\x00" not in b"".join(_encoded(iter(lines), SEMICOLON))


def test_english_header_and_labels() -> None:
    lines = list(
        error_file_lines(
            iter(RECORDS),
            failures((2, [RowError(field=Field.EMAIL, column="E-mail", code="email.invalid")])),
            {},
            "en",
            dialect=SEMICOLON,
        )
    )
    assert lines[0][-1] == "Errors"
    assert lines[1][-1].startswith("Line 2: ")


def test_written_in_the_original_encoding_and_delimiter() -> None:
    lines = iter([["Nome", "Obs", "Erros"], ["João", "a;b", "Linha 2: é"]] * 3000)
    dialect = CsvDialect(encoding="utf-8-sig", delimiter=";")
    raw = b"".join(_encoded(lines, dialect))
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\xef\xbb\xbf") == 1
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["João", "a;b", "Linha 2: é"]
    assert len(rows) == 6000

    cp1252 = CsvDialect(encoding="cp1252", delimiter=",")
    raw = b"".join(_encoded(iter([["João", "ção"]]), cp1252))
    assert raw == "João,ção\r\n".encode("cp1252")
