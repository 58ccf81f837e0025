from services.upload.precheck import precheck
from shared.rules.fields import Field


def test_a_good_file_has_its_format_and_columns() -> None:
    result = precheck(
        "Nome completo;E-mail\r\nAna;ana@x.com\r\n".encode("cp1252"),
        whole_file=True,
    )
    assert result.problems == ()
    assert result.dialect is not None
    assert result.dialect.delimiter == ";"
    assert result.columns == {Field.FULL_NAME: "Nome completo", Field.EMAIL: "E-mail"}


def test_a_header_without_the_name_is_left_to_the_mapping_step() -> None:
    # Which column holds the name is the user's to say (the mapping step refuses the start
    # while no column does): the file itself is fine.
    result = precheck(b"E-mail,Cidade\na@x.com,Recife\n", whole_file=True)
    assert result.problems == ()
    assert result.columns == {Field.EMAIL: "E-mail", Field.CITY: "Cidade"}


def test_header_only_is_known_only_for_a_whole_file() -> None:
    assert [p.code for p in precheck(b"Nome\n", whole_file=True).problems] == ["file.header_only"]
    assert precheck(b"Nome\n", whole_file=False).problems == ()


def test_a_sample_cut_mid_line_is_not_a_problem() -> None:
    sample = b"Nome;Obs\n" + b'Ana;"uma obs\n' + b"Bia;x\n" * 10 + b"Caio;incomp"
    assert precheck(sample, whole_file=False).problems == ()


def test_binary_file_is_rejected() -> None:
    result = precheck(b"PK\x03\x04\x00\x00binary", whole_file=True)
    assert result.dialect is None
    assert [p.code for p in result.problems] == ["file.binary"]
