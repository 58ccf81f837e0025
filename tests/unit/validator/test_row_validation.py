import csv
import io
from collections.abc import Iterable

from bench.customers_file import generate
from services.validator.row_validation import (
    ImportRules,
    RangeValidation,
    RowBatch,
    read_header,
)
from shared.customer import CustomerRecord
from shared.events import OutcomeKind
from shared.rules.custom_fields import CustomFieldDefinition, CustomFieldType
from shared.rules.errors import ErrorCode
from shared.rules.fields import Field
from shared.rules.validate import validate_row

REQUIRED = frozenset({Field.FULL_NAME})
RULES = ImportRules(required=REQUIRED)


def numbered(*rows: list[str]) -> list[tuple[int, list[str]]]:
    return [(index, cells) for index, cells in enumerate(rows, start=1)]


def validate(
    records: Iterable[tuple[int, list[str]]], batch_size: int, rules: ImportRules = RULES
) -> RangeValidation:
    """The header (first record) read, then a validation of the data records."""
    header_record, *data = records
    header, problems = read_header(header_record[1], rules)
    assert problems == []
    return RangeValidation(data, header, rules, batch_size)


def batches_of(records: Iterable[tuple[int, list[str]]]) -> list[RowBatch]:
    return list(validate(records, batch_size=10).batches())


def test_long_cells_end_a_batch_before_its_row_count() -> None:
    notes = "observação " * 20  # 220 characters
    records = numbered(
        ["Nome", "E-mail", "Observações"],
        *[[f"Cliente {n}", f"c{n}@exemplo.com", notes] for n in range(2, 12)],
    )
    header_record, *data = records
    header, _ = read_header(header_record[1], RULES)
    validation = RangeValidation(data, header, RULES, batch_size=100, batch_max_chars=1_000)

    batches = list(validation.batches())

    # Each row holds about 245 characters: a batch ends at its fifth row, not its hundredth.
    assert [[row.row_no for row in batch.valid] for batch in batches] == [
        [2, 3, 4, 5, 6],
        [7, 8, 9, 10, 11],
    ]
    assert all(batch.chars >= 1_000 for batch in batches[:-1])
    assert validation.total_rows == 10


def test_the_errors_of_rejected_rows_count_towards_a_batch_size() -> None:
    # Every row broken three ways: its errors, not its few characters, end the batch.
    records = numbered(
        ["Nome", "E-mail", "CEP", "Estado"],
        *[["", "não é e-mail", "123", "XX"] for _ in range(2, 22)],
    )
    header_record, *data = records
    header, _ = read_header(header_record[1], RULES)
    validation = RangeValidation(data, header, RULES, batch_size=100, batch_max_chars=3_000)

    batches = list(validation.batches())

    assert all(len(batch.rejected) < 20 for batch in batches)
    assert sum(len(batch.rejected) for batch in batches) == 20
    assert all(len(row.errors) >= 3 for batch in batches for row in batch.rejected)


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
    assert batch.valid[0].customer["email"] is None


def test_a_header_without_the_required_column_is_a_problem_of_the_file() -> None:
    header, problems = read_header(["E-mail", "Cidade"], RULES)
    assert [problem.code for problem in problems] == ["file.missing_columns"]
    assert problems[0].params == {"columns": "«Nome completo»"}
    assert header.columns == {Field.EMAIL: "E-mail", Field.CITY: "Cidade"}


# --- a mapping chosen by the user, custom fields ----------------------------------------------

LOYALTY = CustomFieldDefinition(
    key="nivel", label="Nível", type=CustomFieldType.ONE_OF, options=("Prata", "Ouro")
)
SINCE = CustomFieldDefinition(
    key="cliente_desde", label="Cliente desde", type=CustomFieldType.DATE, required=True
)


def test_a_chosen_mapping_reads_columns_no_synonym_would_recognise() -> None:
    records = numbered(
        ["Cliente", "Correio", "Categoria", "Desde", "Lixo"],
        ["Ana", "ana@exemplo.com", "ouro", "05/01/2020", "qualquer"],
        ["Bia", "", "Diamante", "31/02/2020", ""],
    )
    rules = ImportRules(
        required=frozenset({Field.FULL_NAME, Field.EMAIL}),
        mapping={0: "full_name", 1: "email", 2: "nivel", 3: "cliente_desde"},
        custom_fields=(LOYALTY, SINCE),
    )
    validation = validate(records, batch_size=10, rules=rules)
    (batch,) = list(validation.batches())
    assert validation.problems == []
    (valid,) = batch.valid
    assert valid.customer["full_name"] == "Ana"
    assert valid.customer["email"] == "ana@exemplo.com"
    assert valid.customer["custom_fields"] == {"nivel": "Ouro", "cliente_desde": "2020-01-05"}
    (rejected,) = batch.rejected
    assert [(e.field, e.custom_field, e.code, e.column) for e in rejected.errors] == [
        (Field.EMAIL, None, ErrorCode.VALUE_REQUIRED, "Correio"),
        (None, "nivel", ErrorCode.CUSTOM_OPTION_INVALID, "Categoria"),
        (None, "cliente_desde", ErrorCode.CUSTOM_DATE_NOT_A_DAY, "Desde"),
    ]
    assert validation.header.columns == {Field.FULL_NAME: "Cliente", Field.EMAIL: "Correio"}


def test_a_chosen_mapping_overrides_what_the_header_says() -> None:
    # "E-mail" would be recognised; the user said that column is not to be imported.
    records = numbered(["Nome", "E-mail"], ["Ana", "não é um e-mail"])
    rules = ImportRules(required=REQUIRED, mapping={0: "full_name"})
    (batch,) = list(validate(records, batch_size=10, rules=rules).batches())
    assert [row.customer["email"] for row in batch.valid] == [None]


def test_a_required_custom_field_without_a_column_makes_the_file_unusable() -> None:
    rules = ImportRules(required=REQUIRED, mapping={0: "full_name"}, custom_fields=(SINCE,))
    _, problems = read_header(["Nome"], rules)
    (problem,) = problems
    assert problem.code == "file.missing_columns"
    assert problem.params == {"columns": "«Cliente desde»"}


def test_valid_rows_carry_every_field_of_the_record_the_rules_build() -> None:
    # The validator keeps each valid customer as plain fields, never building a CustomerRecord:
    # over a realistic file (broken rows included), they are exactly the record's fields.
    out = io.BytesIO()
    generate(out, rows=2_000, seed=5, broken_ratio=0.1, duplicate_ratio=0.02)
    records = list(enumerate(csv.reader(io.StringIO(out.getvalue().decode()), delimiter=";"), 1))
    validation = validate(records, batch_size=500)
    header = validation.header.mapping.columns

    valid = [row for batch in validation.batches() for row in batch.valid]

    assert len(valid) > 1_500
    for row in valid:
        cells = records[row.row_no - 1][1]
        record = validate_row({field: cells[index] for index, field in header.items()}).record
        assert record is not None
        assert row.customer == record.model_dump()
        assert CustomerRecord.model_validate(row.customer) == record
