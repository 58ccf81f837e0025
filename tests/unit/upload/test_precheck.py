from services.upload.precheck import precheck
from shared.rules.fields import Field

REQUIRED = frozenset({Field.FULL_NAME})


def test_a_good_file_has_its_format_and_columns() -> None:
    result = precheck(
        "Nome completo;E-mail\r\nAna;ana@x.com\r\n".encode("cp1252"),
        whole_file=True,
        required=REQUIRED,
    )
    assert result.problems == ()
    assert result.dialect is not None
    assert result.dialect.delimiter == ";"
    assert result.columns == {Field.FULL_NAME: "Nome completo", Field.EMAIL: "E-mail"}


def test_missing_required_column_is_named() -> None:
    result = precheck(b"E-mail,Cidade\na@x.com,Recife\n", whole_file=True, required=REQUIRED)
    assert [p.code for p in result.problems] == ["file.missing_columns"]
    assert "Nome completo" in result.problems[0].params["columns"]


def test_header_only_is_known_only_for_a_whole_file() -> None:
    assert [p.code for p in precheck(b"Nome\n", whole_file=True, required=REQUIRED).problems] == [
        "file.header_only"
    ]
    assert precheck(b"Nome\n", whole_file=False, required=REQUIRED).problems == ()


def test_a_sample_cut_mid_line_is_not_a_problem() -> None:
    sample = b"Nome;Obs\n" + b'Ana;"uma obs\n' + b"Bia;x\n" * 10 + b"Caio;incomp"
    assert precheck(sample, whole_file=False, required=REQUIRED).problems == ()


def test_binary_file_is_rejected() -> None:
    result = precheck(b"PK\x03\x04\x00\x00binary", whole_file=True, required=REQUIRED)
    assert result.dialect is None
    assert [p.code for p in result.problems] == ["file.binary"]
