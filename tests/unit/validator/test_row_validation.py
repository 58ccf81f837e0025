from collections.abc import Iterable

from services.validator.row_validation import RowBatch, RowValidation, read_header
from shared.events import OutcomeKind
from shared.rules.fields import Field

REQUIRED = frozenset({Field.FULL_NAME})


def numbered(*rows: list[str]) -> list[tuple[int, list[str]]]:
    return [(index, cells) for index, cells in enumerate(rows, start=1)]


def validate(records: Iterable[tuple[int, list[str]]], batch_size: int) -> RowValidation:
    """The header (first record) read, then a validation of the data records."""
    header_record, *data = records
    header, problems = read_header(header_record[1], REQUIRED)
    assert problems == []
    return RowValidation(data, header, REQUIRED, batch_size)


def batches_of(records: Iterable[tuple[int, list[str]]]) -> list[RowBatch]:
    return list(validate(records, batch_size=10).batches())


def test_rows_are_split_into_valid_and_rejected_in_batches() -> None:
    records = numbered(
        ["Nome", "E-mail"],
        ["Ana", "ana@exemplo.com"],
        ["", "sem-nome@exemplo.com"],
        ["Bia", "bia@exemplo.com"],
    )
    validation = validate(records, batch_size=2)
    batches = list(validation.batches())
    assert [(b.first_row_no, b.last_row_no, b.rows_seen) for b in batches] == [(2, 3, 2), (4, 4, 1)]
    assert [row.row_no for row in batches[0].valid] == [2]
    rejected = batches[0].rejected[0]
    assert (rejected.row_no, rejected.kind) == (3, OutcomeKind.INVALID)
    # The error names the column as the user's header does.
    assert rejected.errors[0].column == "Nome"
    assert validation.total_rows == 3
    assert validation.problems == []


def test_blank_lines_are_not_customers_but_keep_the_numbering() -> None:
    records = numbered(["Nome"], ["Ana"], [], ["", ""], ["Bia"])
    validation = validate(records, batch_size=10)
    (batch,) = list(validation.batches())
    assert [row.row_no for row in batch.valid] == [2, 5]
    assert validation.total_rows == 2


def test_a_row_with_more_filled_cells_than_the_header_is_rejected() -> None:
    records = numbered(["Nome", "Cidade"], ["Ana", "Rua X", "10"], ["Bia", "Recife", ""])
    (batch,) = batches_of(records)
    assert [row.row_no for row in batch.valid] == [3]
    assert batch.rejected[0].errors[0].code == "row.too_many_cells"


def test_a_short_row_reads_its_missing_cells_as_blank() -> None:
    records = numbered(["Nome", "E-mail", "Cidade"], ["Ana"])
    (batch,) = batches_of(records)
    assert batch.valid[0].customer.email is None


def test_a_header_without_the_required_column_is_a_problem_of_the_file() -> None:
    header, problems = read_header(["E-mail", "Cidade"], REQUIRED)
    assert [problem.code for problem in problems] == ["file.missing_columns"]
    assert problems[0].params == {"columns": "«Nome completo»"}
    assert header.columns == {Field.EMAIL: "E-mail", Field.CITY: "Cidade"}
