import codecs
import io

import pytest

from shared.csv_format import CsvDialect, detect_dialect, open_text, read_records
from shared.file_problems import FileProblemError

HEADER = "Nome completo;E-mail;Cidade\r\n"
ROW = "João Gonçalves;joao@exemplo.com.br;São Paulo\r\n"


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (codecs.BOM_UTF8 + (HEADER + ROW).encode(), "utf-8-sig"),
        ((HEADER + ROW).encode(), "utf-8"),
        ((HEADER + ROW).encode("cp1252"), "cp1252"),
        (b"Nome completo;E-mail\r\nJoao;joao@x.com\r\n", "utf-8"),
    ],
)
def test_detects_the_encoding_excel_writes(raw: bytes, encoding: str) -> None:
    assert detect_dialect(raw).encoding == encoding


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("nome;email;cidade\nA;a@x.com;B\n", ";"),
        ("nome,email,cidade\nA,a@x.com,B\n", ","),
        ("nome\temail\tcidade\nA\ta@x.com\tB\n", "\t"),
        # Semicolons inside quoted cells do not win over the real delimiter.
        ('nome,obs,cidade\nA,"x; y; z",B\nC,"p; q",D\n', ","),
        # Commas in unquoted cells of a semicolon file (addresses) do not either.
        ("nome;endereco;cidade\nA;Rua X, 10;B\nC;Av. Y, 20;D\n", ";"),
    ],
)
def test_detects_the_delimiter(text: str, delimiter: str) -> None:
    assert detect_dialect(text.encode()).delimiter == delimiter


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"", "file.empty"),
        (b"  \r\n", "file.empty"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "file.binary"),
        (codecs.BOM_UTF16_LE + "nome;email".encode("utf-16-le"), "file.binary"),
    ],
)
def test_refuses_what_is_not_a_text_csv(raw: bytes, code: str) -> None:
    with pytest.raises(FileProblemError) as raised:
        detect_dialect(raw)
    assert raised.value.problem.code == code


def test_records_are_numbered_as_the_spreadsheet_shows_them() -> None:
    dialect = CsvDialect(encoding="utf-8", delimiter=";")
    text = 'nome;obs\r\nA;"linha 1\r\nlinha 2"\r\nB;x\r\n'
    records = list(read_records(open_text(io.BytesIO(text.encode()), dialect), dialect))
    assert records == [(1, ["nome", "obs"]), (2, ["A", "linha 1\r\nlinha 2"]), (3, ["B", "x"])]


def test_an_unterminated_quote_is_a_file_problem_with_its_line() -> None:
    dialect = CsvDialect(encoding="utf-8", delimiter=";")
    text = 'nome;obs\nA;x\nB;"never closed\n' + "C;y\n" * 40_000
    with pytest.raises(FileProblemError) as raised:
        list(read_records(open_text(io.BytesIO(text.encode()), dialect), dialect))
    assert raised.value.problem.code == "file.broken_structure"
    assert raised.value.problem.line == 3  # the record where the quote opens


def test_undecodable_bytes_become_replacement_characters() -> None:
    dialect = CsvDialect(encoding="utf-8", delimiter=";")
    raw = b"nome\n" + b"Jo\xe3o\n"
    records = list(read_records(open_text(io.BytesIO(raw), dialect), dialect))
    assert records[1] == (2, ["Jo\ufffdo"])
