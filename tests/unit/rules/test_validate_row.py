import pytest

from shared.customer import CustomerRecord
from shared.rules.errors import ErrorCode, Locale, RowError, render_error, render_errors
from shared.rules.fields import TEMPLATE_FIELDS, Field
from shared.rules.validate import RowValidation, validate_row

COMPLETE_ROW = {
    Field.FULL_NAME: " Maria da Silva\u00a0",
    Field.EMAIL: "Maria.Silva@Example.com.br",
    Field.DOCUMENT: "390.533.447-05",
    Field.PHONE_TYPE: "Celular",
    Field.PHONE_DDI: "+55",
    Field.PHONE_DDD: "(11)",
    Field.PHONE_NUMBER: "98765-4321",
    Field.PHONE_EXTENSION: "",
    Field.POSTAL_CODE: "01310-100",
    Field.STREET: "Avenida Paulista",
    Field.STREET_NUMBER: "1000",
    Field.COMPLEMENT: "Conj. 12",
    Field.DISTRICT: "Bela Vista",
    Field.CITY: "São Paulo",
    Field.STATE: "sp",
    Field.NOTES: "cliente desde 2019",
    Field.EXTERNAL_CODE: "C-0001",
}


def codes(result: RowValidation) -> list[tuple[Field | None, str]]:
    return [(error.field, error.code) for error in result.errors]


def test_a_complete_row_becomes_a_normalised_record() -> None:
    result = validate_row(COMPLETE_ROW)

    assert result.errors == ()
    assert result.record == CustomerRecord(
        full_name="Maria da Silva",
        email="maria.silva@example.com.br",
        document="39053344705",
        document_kind="cpf",
        phone_type="celular",
        phone_ddi="55",
        phone_ddd="11",
        phone_number="987654321",
        postal_code="01310100",
        street="Avenida Paulista",
        street_number="1000",
        complement="Conj. 12",
        district="Bela Vista",
        city="São Paulo",
        state="SP",
        notes="cliente desde 2019",
        external_code="C-0001",
    )


def test_only_a_name_is_needed_by_default() -> None:
    result = validate_row({Field.FULL_NAME: "Maria", Field.EMAIL: "", Field.STATE: "  "})

    assert result.record == CustomerRecord(full_name="Maria")


@pytest.mark.parametrize("name", ["", "   ", "\u00a0\u200b"])
def test_a_blank_name_is_reported(name: str) -> None:
    result = validate_row({Field.FULL_NAME: name, Field.EMAIL: "maria@example.com"})

    assert result.record is None
    assert codes(result) == [(Field.FULL_NAME, ErrorCode.FULL_NAME_REQUIRED)]


def test_a_missing_name_column_is_reported_even_when_not_asked_for() -> None:
    result = validate_row({Field.EMAIL: "maria@example.com"}, required=frozenset())

    assert codes(result) == [(Field.FULL_NAME, ErrorCode.FULL_NAME_REQUIRED)]


def test_extra_required_fields_are_reported_when_blank_or_absent() -> None:
    required = frozenset({Field.FULL_NAME, Field.EMAIL, Field.DOCUMENT})

    result = validate_row({Field.FULL_NAME: "Maria", Field.EMAIL: " "}, required=required)

    assert codes(result) == [
        (Field.EMAIL, ErrorCode.VALUE_REQUIRED),
        (Field.DOCUMENT, ErrorCode.VALUE_REQUIRED),
    ]


def test_a_required_field_with_a_bad_value_reports_the_bad_value_only() -> None:
    required = frozenset({Field.FULL_NAME, Field.EMAIL})

    result = validate_row({Field.FULL_NAME: "Maria", Field.EMAIL: "maria@"}, required=required)

    assert codes(result) == [(Field.EMAIL, ErrorCode.EMAIL_INVALID)]


def test_required_phone_fields_are_satisfied_by_a_single_phone_column() -> None:
    required = frozenset({Field.FULL_NAME, Field.PHONE_DDD, Field.PHONE_NUMBER})

    result = validate_row(
        {Field.FULL_NAME: "Maria", Field.PHONE: "(11) 3333-3333"}, required=required
    )

    assert result.record is not None
    assert (result.record.phone_ddd, result.record.phone_number) == ("11", "33333333")


def test_a_broken_phone_cell_is_not_also_reported_as_missing() -> None:
    required = frozenset({Field.FULL_NAME, Field.PHONE_DDD, Field.PHONE_NUMBER})

    result = validate_row({Field.FULL_NAME: "Maria", Field.PHONE: "abc"}, required=required)

    assert codes(result) == [(Field.PHONE, ErrorCode.PHONE_INVALID)]


def test_every_problem_of_a_row_is_reported_in_template_order() -> None:
    result = validate_row(
        {
            Field.STATE: "XX",
            Field.FULL_NAME: "",
            Field.EMAIL: "maria@@example.com",
            Field.DOCUMENT: "390.533.447-06",
        }
    )

    assert result.record is None
    assert codes(result) == [
        (Field.FULL_NAME, ErrorCode.FULL_NAME_REQUIRED),
        (Field.EMAIL, ErrorCode.EMAIL_INVALID),
        (Field.DOCUMENT, ErrorCode.DOCUMENT_CHECK_DIGITS),
        (Field.STATE, ErrorCode.STATE_INVALID),
    ]


TEXT_FIELDS = [
    Field.FULL_NAME,
    Field.STREET,
    Field.STREET_NUMBER,
    Field.COMPLEMENT,
    Field.DISTRICT,
    Field.CITY,
    Field.EXTERNAL_CODE,
]


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_text_fields_hold_less_than_255_characters(field: Field) -> None:
    longest = validate_row({Field.FULL_NAME: "Maria", field: "a" * 254})
    too_long = validate_row({Field.FULL_NAME: "Maria", field: "a" * 255})

    assert longest.record is not None
    assert getattr(longest.record, field.value) == "a" * 254
    assert codes(too_long) == [(field, ErrorCode.VALUE_TOO_LONG)]
    assert too_long.errors[0].params == {"length": "255", "max": "254"}


def test_text_length_is_measured_after_cleaning() -> None:
    result = validate_row({Field.FULL_NAME: "  " + "a" * 254 + "\u200b\u00a0"})

    assert result.record is not None


def test_notes_are_free_text() -> None:
    notes = "Ligar só à tarde; prefere WhatsApp.\nPagamento: 1E+10 é o código do contrato."

    result = validate_row({Field.FULL_NAME: "Maria", Field.NOTES: notes + "  " + "x" * 300})

    assert result.record is not None
    assert result.record.notes == notes + "  " + "x" * 300


@pytest.mark.parametrize("value", ["1,19876E+10", "1.19876e+10", "1E+11", "3,9053E+10", "-1.5E+3"])
@pytest.mark.parametrize(
    "field",
    [Field.DOCUMENT, Field.PHONE_NUMBER, Field.POSTAL_CODE, Field.EXTERNAL_CODE, Field.FULL_NAME],
)
def test_scientific_notation_is_rejected_in_any_field(field: Field, value: str) -> None:
    result = validate_row({Field.FULL_NAME: "Maria", field: value})

    assert codes(result) == [(field, ErrorCode.VALUE_SCIENTIFIC_NOTATION)]
    assert result.errors[0].params == {"value": value}
    message = render_errors(result.errors)
    assert "formatada como número" in message
    assert "Formate a coluna como Texto e digite o valor novamente" in message


@pytest.mark.parametrize("value", ["12E3", "Bloco 1E+2", "1E-5", "E+10"])
def test_values_that_only_resemble_scientific_notation_pass(value: str) -> None:
    result = validate_row({Field.FULL_NAME: "Maria", Field.COMPLEMENT: value})

    assert result.record is not None


@pytest.mark.parametrize("field", [Field.FULL_NAME, Field.CITY, Field.NOTES, Field.EMAIL])
def test_a_replacement_character_asks_for_a_utf8_file(field: Field) -> None:
    result = validate_row({Field.FULL_NAME: "Maria", field: "Jo\ufffdo"})

    assert codes(result) == [(field, ErrorCode.VALUE_INVALID_CHARACTERS)]
    assert 'Salve o arquivo como UTF-8 (no Excel, "CSV UTF-8")' in render_errors(result.errors)


@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_nul_characters_in_any_cell_are_dropped(where: str) -> None:
    # PostgreSQL cannot store NUL: one left in a cell failed the insert of its whole batch.
    def with_nul(value: str) -> str:
        middle = len(value) // 2
        return {
            "start": "\x00" + value,
            "middle": value[:middle] + "\x00" + value[middle:],
            "end": value + "\x00\x00",
        }[where]

    result = validate_row({field: with_nul(value) for field, value in COMPLETE_ROW.items()})

    assert result == validate_row(COMPLETE_ROW)


def test_a_cell_of_nul_characters_only_is_blank() -> None:
    result = validate_row({Field.FULL_NAME: "\x00\x00", Field.EMAIL: "maria@example.com"})

    assert codes(result) == [(Field.FULL_NAME, ErrorCode.FULL_NAME_REQUIRED)]


def test_row_validation_holds_a_record_or_errors() -> None:
    record = CustomerRecord(full_name="Maria")

    with pytest.raises(ValueError, match="either a record or errors"):
        RowValidation(record=None, errors=())
    with pytest.raises(ValueError, match="either a record or errors"):
        RowValidation(record=record, errors=validate_row({}).errors)


# One row per code: together they prove every code can really be produced and rendered.
ROW_FOR_CODE: dict[ErrorCode, dict[Field, str]] = {
    ErrorCode.VALUE_REQUIRED: {},
    ErrorCode.VALUE_TOO_LONG: {Field.CITY: "a" * 300},
    ErrorCode.VALUE_SCIENTIFIC_NOTATION: {Field.DOCUMENT: "3,90533E+10"},
    ErrorCode.VALUE_INVALID_CHARACTERS: {Field.CITY: "S\ufffdo Paulo"},
    ErrorCode.FULL_NAME_REQUIRED: {Field.FULL_NAME: ""},
    ErrorCode.EMAIL_INVALID: {Field.EMAIL: "maria@example"},
    ErrorCode.DOCUMENT_INVALID_FORMAT: {Field.DOCUMENT: "390.533.447_05"},
    ErrorCode.DOCUMENT_LENGTH: {Field.DOCUMENT: "390.533.447-0555"},
    ErrorCode.DOCUMENT_CHECK_DIGITS: {Field.DOCUMENT: "390.533.447-06"},
    ErrorCode.DOCUMENT_NEVER_ISSUED: {Field.DOCUMENT: "111.111.111-11"},
    ErrorCode.DOCUMENT_AMBIGUOUS: {Field.DOCUMENT: "235402907"},
    ErrorCode.PHONE_INVALID: {Field.PHONE: "não tem"},
    ErrorCode.PHONE_TYPE_INVALID: {Field.PHONE_TYPE: "pager", Field.PHONE: "(11) 3333-3333"},
    ErrorCode.PHONE_DDI_INVALID: {Field.PHONE_DDI: "+5555", Field.PHONE_NUMBER: "33333333"},
    ErrorCode.PHONE_DDD_INVALID: {Field.PHONE_DDD: "1", Field.PHONE_NUMBER: "33333333"},
    ErrorCode.PHONE_DDD_UNKNOWN: {Field.PHONE_DDD: "20", Field.PHONE_NUMBER: "33333333"},
    ErrorCode.PHONE_DDD_REQUIRED: {Field.PHONE_NUMBER: "3333-3333"},
    ErrorCode.PHONE_NUMBER_INVALID: {Field.PHONE_DDD: "11", Field.PHONE_NUMBER: "333-333"},
    ErrorCode.PHONE_NUMBER_REQUIRED: {Field.PHONE_DDD: "11"},
    ErrorCode.PHONE_NUMBER_MOBILE_FORMAT: {Field.PHONE_DDD: "11", Field.PHONE_NUMBER: "387654321"},
    ErrorCode.PHONE_NUMBER_LANDLINE_FORMAT: {
        Field.PHONE_DDD: "11",
        Field.PHONE_NUMBER: "8765-4321",
    },
    ErrorCode.PHONE_NUMBER_FOREIGN_INVALID: {Field.PHONE: "+44 20 1234"},
    ErrorCode.PHONE_EXTENSION_INVALID: {
        Field.PHONE_DDD: "11",
        Field.PHONE_NUMBER: "33333333",
        Field.PHONE_EXTENSION: "1234567",
    },
    ErrorCode.POSTAL_CODE_INVALID: {Field.POSTAL_CODE: "123"},
    ErrorCode.STATE_INVALID: {Field.STATE: "Guanabara"},
}


# Decided outside the row rules: by the validator from the file's shape, by the writer from
# what the account already holds. Their messages are checked below with their parameters.
DECIDED_ELSEWHERE: dict[ErrorCode, dict[str, str]] = {
    ErrorCode.ROW_TOO_MANY_CELLS: {"cells": "18", "columns": "17"},
    ErrorCode.EMAIL_REPEATED_IN_FILE: {"row": "12"},
    ErrorCode.EMAIL_ALREADY_REGISTERED: {},
    ErrorCode.EXTERNAL_CODE_REPEATED_IN_FILE: {"row": "12"},
    ErrorCode.EXTERNAL_CODE_ALREADY_REGISTERED: {},
    ErrorCode.SUBSCRIPTION_PLAN_UNAVAILABLE: {"plan": "Plano Ouro"},
}


# Judged by the custom fields' rules; tests/unit/rules/test_custom_fields.py has an example each.
CUSTOM_FIELD_CODES = {code for code in ErrorCode if code.value.startswith("custom_")}


def test_every_code_has_an_example_row() -> None:
    assert set(ROW_FOR_CODE) == set(ErrorCode) - set(DECIDED_ELSEWHERE) - CUSTOM_FIELD_CODES


@pytest.mark.parametrize(("code", "params"), list(DECIDED_ELSEWHERE.items()))
@pytest.mark.parametrize("locale", ["pt-BR", "en"])
def test_codes_decided_elsewhere_render_complete_messages(
    code: ErrorCode, params: dict[str, str], locale: Locale
) -> None:
    text = render_error(RowError(field=Field.EMAIL, code=code, params=params), locale)
    assert "{" not in text
    assert code.value not in text
    assert all(value in text for value in params.values())


@pytest.mark.parametrize(("code", "row"), list(ROW_FOR_CODE.items()))
@pytest.mark.parametrize("locale", ["pt-BR", "en"])
def test_every_code_renders_a_complete_message(
    code: ErrorCode, row: dict[Field, str], locale: Locale
) -> None:
    # The e-mail is only required for the row that shows a blank required field.
    required = frozenset({Field.EMAIL}) if code is ErrorCode.VALUE_REQUIRED else frozenset()

    result = validate_row({Field.FULL_NAME: "Maria"} | row, required=required)
    errors = [error for error in result.errors if error.code == code]

    assert len(errors) == 1
    message = render_errors(errors, locale)
    assert "{" not in message
    assert code.value not in message


def test_a_full_template_row_in_template_order_validates() -> None:
    assert set(COMPLETE_ROW) == set(TEMPLATE_FIELDS)
    assert validate_row(COMPLETE_ROW).record is not None
