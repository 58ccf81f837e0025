"""The wizard's pure parts: template, detection report, preview, column list, multipart, speed."""

import codecs
import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from services.upload.account_fields import AccountFields
from services.upload.column_mapping import map_columns
from services.upload.preview import Preview, RowRules, build_preview
from services.upload.problems import ApiProblemError
from services.upload.template import TemplateDelimiter, template_csv, template_file_name
from services.upload.upload_body import _FilePart
from shared.csv_format import CsvDialect, describe_detection, detect_dialect
from shared.import_progress import rows_per_second
from shared.rules.custom_fields import CustomFieldDefinition
from shared.rules.fields import TEMPLATE_FIELDS, TEMPLATE_HEADERS, Field
from shared.rules.headers import map_header


@pytest.mark.parametrize(("delimiter", "separator"), [("comma", ","), ("semicolon", ";")])
def test_the_template_is_the_header_in_template_order_with_a_bom(
    delimiter: str, separator: str
) -> None:
    content = template_csv(TemplateDelimiter(delimiter))

    assert content.startswith(codecs.BOM_UTF8)
    text = content.decode("utf-8-sig")
    assert text.endswith("\r\n")
    assert text.count("\n") == 1
    header = next(csv.reader(io.StringIO(text), delimiter=separator))
    assert header == [TEMPLATE_HEADERS[field] for field in TEMPLATE_FIELDS]
    # An upload of the template maps every column to its own field, in order.
    assert list(map_header(header).columns.values()) == list(TEMPLATE_FIELDS)
    assert detect_dialect(content + b"Ana" + separator.encode() * 16 + b"\r\n").delimiter == (
        separator
    )


def test_the_template_file_names_say_which_one_it_is() -> None:
    assert template_file_name(TemplateDelimiter.COMMA) == "modelo-importacao-clientes.csv"
    assert template_file_name(TemplateDelimiter.SEMICOLON).endswith("-ponto-e-virgula.csv")


def test_detection_reports_confidence_and_alternatives() -> None:
    sample = "Nome;Observações\nJosé;a, b\nAna;c, d\n".encode("cp1252")
    dialect = detect_dialect(sample)

    report = describe_detection(sample, dialect)

    assert (report.encoding.value, report.delimiter.value) == ("cp1252", ";")
    assert 0.5 <= report.encoding.confidence <= 1.0
    assert [c.value for c in report.encoding.alternatives] == ["utf-8"]
    assert report.delimiter.confidence == 1.0
    # The comma splits the header in one column only: it is no alternative.
    assert report.delimiter.alternatives == []


def test_detection_of_an_ascii_file_says_both_encodings_read_it() -> None:
    sample = b"Nome,Cidade\nAna,Recife\nBia;Lu,Natal\n"
    report = describe_detection(sample, detect_dialect(sample))

    assert report.encoding.value == "utf-8"
    assert [(c.value, c.confidence) for c in report.encoding.alternatives] == [("cp1252", 1.0)]
    assert report.delimiter.value == ","
    assert report.delimiter.confidence == 1.0


NAME_ONLY = AccountFields(required=frozenset({Field.FULL_NAME}), custom_fields=())


def _preview(
    content: bytes,
    *,
    first: int = 10,
    size: int | None = None,
    sample: int = 2000,
    fields: AccountFields = NAME_ONLY,
    choices: dict[int, str | None] | None = None,
) -> Preview:
    dialect = detect_dialect(content)
    header = next(
        csv.reader(io.StringIO(content.decode(dialect.encoding)), delimiter=dialect.delimiter)
    )
    mapping = map_columns(header, fields=fields, choices=choices)
    return build_preview(
        content,
        file_size=size if size is not None else len(content),
        dialect=dialect,
        rules=RowRules(mapping=mapping, fields=fields),
        first=first,
        sample_rows=sample,
    )


def test_preview_shows_rows_as_stored_and_their_problems() -> None:
    content = (
        "Nome do cliente;E-mail;CPF;Apelido\n"
        "  José da Silva ;JOSE@Exemplo.com.br;529.982.247-25;Zé\n"
        "\n"
        ";bia@exemplo;123;Bia\n"
    ).encode("cp1252")

    preview = _preview(content)

    first, second = preview.rows
    assert first.row_no == 2
    assert first.errors == ()
    assert first.values["full_name"] == "José da Silva"
    assert first.values["email"] == "jose@exemplo.com.br"
    assert first.values["document"] == "52998224725"
    assert first.values["document_kind"] == "cpf"
    assert second.row_no == 4
    assert second.values == {"full_name": None, "email": "bia@exemplo", "document": "123"}
    assert {error.field for error in second.errors} >= {Field.FULL_NAME, Field.EMAIL}
    assert {error.column for error in second.errors if error.field is Field.EMAIL} == {"E-mail"}
    assert (preview.sample_rows, preview.sample_valid, preview.estimated_rows) == (2, 1, 2)
    assert preview.exact
    assert preview.estimated_valid_rows == 1


def test_preview_estimates_a_large_file_from_its_first_bytes() -> None:
    rows = "".join(f"Cliente {n};c{n}@exemplo.com\n" for n in range(1000))
    head = ("Nome;E-mail\n" + rows).encode()
    # Only the first bytes were read, cut mid-line; the file is ten times larger.
    cut = head[: len(head) - 7]

    preview = _preview(cut, first=3, size=len(head) * 10, sample=500)

    assert [row.row_no for row in preview.rows] == [2, 3, 4]
    assert not preview.exact
    assert preview.sample_rows == 500
    assert preview.sample_valid == 500
    assert 9500 <= preview.estimated_rows <= 10100
    assert preview.estimated_valid_rows == preview.estimated_rows


def test_a_row_with_too_many_cells_is_a_row_problem() -> None:
    preview = _preview(b"Nome;E-mail\nAna;a@b.com;extra\n")

    assert [error.code for error in preview.rows[0].errors] == ["row.too_many_cells"]
    assert preview.sample_valid == 0


def test_preview_reads_rows_with_the_users_mapping_and_custom_fields() -> None:
    fields = AccountFields(
        required=frozenset({Field.FULL_NAME, Field.EMAIL}),
        custom_fields=(
            CustomFieldDefinition(key="plano_antigo", label="Plano antigo", type="text"),
        ),
    )
    content = b"Cliente;Contato;Plano anterior\nAna;ana@x.com;Ouro\nBia;;Prata\n"

    preview = _preview(
        content, fields=fields, choices={0: "full_name", 1: "email", 2: "plano_antigo"}
    )

    ana, bia = preview.rows
    assert ana.errors == ()
    assert ana.values["email"] == "ana@x.com"
    assert ana.values["custom_fields"] == {"plano_antigo": "Ouro"}
    assert bia.values == {"full_name": "Bia", "email": None, "plano_antigo": "Prata"}
    assert [(e.field, e.column) for e in bia.errors] == [(Field.EMAIL, "Contato")]


async def _body(*chunks: bytes) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


def _form(content: bytes, name: str = "clientes.csv") -> bytes:
    return (
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="note"\r\n\r\n'
        b"hello\r\n"
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="file"; filename="' + name.encode() + b'"\r\n'
        b"Content-Type: text/csv\r\n\r\n" + content + b"\r\n--XyZ--\r\n"
    )


async def test_a_form_upload_yields_only_the_file_bytes_as_they_arrive() -> None:
    content = "Nome;E-mail\r\nJosé;j@x.com\r\n".encode("cp1252") * 500
    body = _form(content, "C:\\Users\\ana\\clientes de março.csv")
    stream = _body(*(body[i : i + 97] for i in range(0, len(body), 97)))
    part = _FilePart(b"XyZ", "pt-BR")

    name = await part.until_file(stream)
    received = [chunk async for chunk in part.file_chunks(stream)]

    assert name == "clientes de março.csv"
    assert b"".join(received) == content
    # Streamed: many small pieces, never the whole file at once.
    assert max(len(chunk) for chunk in received) < 200


async def test_a_form_without_a_file_or_cut_short_is_a_clear_problem() -> None:
    no_file = _FilePart(b"XyZ", "en")
    with pytest.raises(ApiProblemError) as missing:
        await no_file.until_file(
            _body(b'--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--XyZ--\r\n')
        )
    assert (missing.value.status, missing.value.code) == (422, "upload.no_file")
    assert "field file" in missing.value.detail

    cut = _FilePart(b"XyZ", "pt-BR")
    stream = _body(_form(b"Nome\nAna\n")[:-20])
    await cut.until_file(stream)
    with pytest.raises(ApiProblemError) as short:
        _ = [chunk async for chunk in cut.file_chunks(stream)]
    assert (short.value.status, short.value.code) == (400, "upload.bad_multipart")


def test_rows_per_second_is_live_while_processing_and_the_average_once_done() -> None:
    started = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    record = {
        "started_at": started,
        "finished_at": None,
        "created_count": 900,
        "failed_count": 50,
        "skipped_count": 50,
    }
    assert rows_per_second(record, started + timedelta(seconds=4)) == 250.0
    done = record | {"finished_at": started + timedelta(seconds=10)}
    assert rows_per_second(done, started + timedelta(hours=1)) == 100.0
    assert rows_per_second(record | {"started_at": None}, started) is None


def test_the_csv_dialect_of_a_preview_is_the_imports_own() -> None:
    # A semicolon file written by Excel in Brazil: the preview decodes it as the upload did.
    content = "Nome;Cidade\nJoão;São Paulo\n".encode("cp1252")
    preview = build_preview(
        content,
        file_size=len(content),
        dialect=CsvDialect(encoding="cp1252", delimiter=";"),
        rules=RowRules(mapping=map_columns(["Nome", "Cidade"], fields=NAME_ONLY), fields=NAME_ONLY),
        first=1,
    )
    assert preview.rows[0].values["city"] == "São Paulo"
