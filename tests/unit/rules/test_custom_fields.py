"""Custom registration fields: every type, lenient on writing, strict on meaning."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from shared.customer import CustomValue
from shared.rules.custom_fields import (
    CustomFieldDefinition,
    CustomFieldType,
    InvalidCustomValueError,
    custom_value,
    validate_custom_values,
    with_custom_values,
)
from shared.rules.errors import ErrorCode, RowError, render_error
from shared.rules.fields import Field
from shared.rules.validate import validate_row

TEXT = CustomFieldDefinition(key="empresa", label="Empresa", type=CustomFieldType.TEXT)
NUMBER = CustomFieldDefinition(key="limite", label="Limite de crédito", type=CustomFieldType.NUMBER)
DATE = CustomFieldDefinition(key="aniversario", label="Aniversário", type=CustomFieldType.DATE)
BOOLEAN = CustomFieldDefinition(key="newsletter", label="Newsletter", type=CustomFieldType.BOOLEAN)
ONE_OF = CustomFieldDefinition(
    key="nivel",
    label="Nível",
    type=CustomFieldType.ONE_OF,
    options=("Bronze", "Prata", "Ouro", "Platina Única"),
)


@pytest.mark.parametrize(
    ("definition", "written", "stored"),
    [
        (TEXT, "  Padaria\u00a0Pão Quente ", "Padaria Pão Quente"),
        (TEXT, "1E10 não é notação", "1E10 não é notação"),
        (NUMBER, "1234", 1234),
        (NUMBER, "-12", -12),
        (NUMBER, "+7", 7),
        (NUMBER, "1.234,56", 1234.56),
        (NUMBER, "1,234.56", 1234.56),
        (NUMBER, "1.234.567", 1234567),
        (NUMBER, "1,234,567", 1234567),
        (NUMBER, "12,5", 12.5),
        (NUMBER, "12.5", 12.5),
        (NUMBER, "0,234", 0.234),
        (NUMBER, "1234,567", 1234.567),
        (NUMBER, ",5", 0.5),
        (NUMBER, "R$ 1.500,00", 1500),
        (NUMBER, "1 234,50", 1234.5),
        (NUMBER, "\u22123,5", -3.5),
        (DATE, "05/01/2026", "2026-01-05"),
        (DATE, "5/1/2026", "2026-01-05"),
        (DATE, "05-01-2026", "2026-01-05"),
        (DATE, "05.01.2026", "2026-01-05"),
        (DATE, "05/01/2026 00:00", "2026-01-05"),
        (DATE, "2026-01-05", "2026-01-05"),
        (DATE, "2026/01/05", "2026-01-05"),
        (DATE, "2026-01-05T13:45:00Z", "2026-01-05"),
        (DATE, "29/02/2024", "2024-02-29"),
        (BOOLEAN, "sim", True),
        (BOOLEAN, "SIM", True),
        (BOOLEAN, "Não", False),
        (BOOLEAN, "nao", False),
        (BOOLEAN, "S", True),
        (BOOLEAN, "n", False),
        (BOOLEAN, "yes", True),
        (BOOLEAN, "No", False),
        (BOOLEAN, "x", True),
        (BOOLEAN, "X", True),
        (BOOLEAN, "1", True),
        (BOOLEAN, "0", False),
        (BOOLEAN, "Verdadeiro", True),
        (BOOLEAN, "false", False),
        (ONE_OF, "ouro", "Ouro"),
        (ONE_OF, "OURO", "Ouro"),
        (ONE_OF, " prata ", "Prata"),
        (ONE_OF, "platina unica", "Platina Única"),
        (ONE_OF, "Platina-Única", "Platina Única"),
    ],
)
def test_a_value_written_the_usual_ways_is_stored_in_one_form(
    definition: CustomFieldDefinition, written: str, stored: CustomValue
) -> None:
    value = custom_value(definition, written)
    assert value == stored
    assert type(value) is type(stored)


@pytest.mark.parametrize(
    ("definition", "written", "code"),
    [
        (TEXT, "a" * 255, ErrorCode.VALUE_TOO_LONG),
        (TEXT, "1,19876E+10", ErrorCode.VALUE_SCIENTIFIC_NOTATION),
        (TEXT, "Jo\ufffdo", ErrorCode.VALUE_INVALID_CHARACTERS),
        (NUMBER, "doze", ErrorCode.CUSTOM_NUMBER_INVALID),
        (NUMBER, "12a", ErrorCode.CUSTOM_NUMBER_INVALID),
        (NUMBER, "1.2.3,4,5", ErrorCode.CUSTOM_NUMBER_INVALID),
        (NUMBER, "12.34.56", ErrorCode.CUSTOM_NUMBER_INVALID),
        (NUMBER, "1,23.456", ErrorCode.CUSTOM_NUMBER_INVALID),
        (NUMBER, "1.234", ErrorCode.CUSTOM_NUMBER_AMBIGUOUS),
        (NUMBER, "1,234", ErrorCode.CUSTOM_NUMBER_AMBIGUOUS),
        (NUMBER, "999.999", ErrorCode.CUSTOM_NUMBER_AMBIGUOUS),
        (NUMBER, "1234567890123456", ErrorCode.CUSTOM_NUMBER_TOO_LONG),
        (NUMBER, "1,19876E+10", ErrorCode.VALUE_SCIENTIFIC_NOTATION),
        (DATE, "ontem", ErrorCode.CUSTOM_DATE_INVALID),
        (DATE, "5/1/226", ErrorCode.CUSTOM_DATE_INVALID),
        (DATE, "31/02/2026", ErrorCode.CUSTOM_DATE_NOT_A_DAY),
        (DATE, "12/25/2026", ErrorCode.CUSTOM_DATE_NOT_A_DAY),
        (DATE, "2026-13-01", ErrorCode.CUSTOM_DATE_NOT_A_DAY),
        (DATE, "29/02/2025", ErrorCode.CUSTOM_DATE_NOT_A_DAY),
        (DATE, "05/01/26", ErrorCode.CUSTOM_DATE_TWO_DIGIT_YEAR),
        (DATE, "46027", ErrorCode.CUSTOM_DATE_SERIAL_NUMBER),
        (BOOLEAN, "talvez", ErrorCode.CUSTOM_BOOLEAN_INVALID),
        (BOOLEAN, "2", ErrorCode.CUSTOM_BOOLEAN_INVALID),
        (ONE_OF, "Diamante", ErrorCode.CUSTOM_OPTION_INVALID),
        (ONE_OF, "Our", ErrorCode.CUSTOM_OPTION_INVALID),
    ],
)
def test_a_value_that_means_nothing_certain_is_explained(
    definition: CustomFieldDefinition, written: str, code: ErrorCode
) -> None:
    with pytest.raises(InvalidCustomValueError) as raised:
        custom_value(definition, written)
    assert raised.value.code is code


def test_every_custom_code_has_an_example_above() -> None:
    examples = {
        ErrorCode.CUSTOM_NUMBER_INVALID,
        ErrorCode.CUSTOM_NUMBER_AMBIGUOUS,
        ErrorCode.CUSTOM_NUMBER_TOO_LONG,
        ErrorCode.CUSTOM_DATE_INVALID,
        ErrorCode.CUSTOM_DATE_NOT_A_DAY,
        ErrorCode.CUSTOM_DATE_TWO_DIGIT_YEAR,
        ErrorCode.CUSTOM_DATE_SERIAL_NUMBER,
        ErrorCode.CUSTOM_BOOLEAN_INVALID,
        ErrorCode.CUSTOM_OPTION_INVALID,
    }
    assert examples == {code for code in ErrorCode if code.value.startswith("custom_")}


@pytest.mark.parametrize(
    ("definition", "written", "pt", "en"),
    [
        (NUMBER, "1.234", ["1234", "1,2340"], ["1234", "1.2340"]),
        (NUMBER, "doze", ["«doze»", "1234,56"], ["«doze»", "1234.56"]),
        (NUMBER, "1234567890123456", ["15 dígitos", "texto"], ["15 digits", "text"]),
        (DATE, "31/02/2026", ["não existe", "dia/mês/ano"], ["does not exist", "day/month"]),
        (DATE, "05/01/26", ["4 dígitos"], ["4 digits"]),
        (DATE, "46027", ["05/01/2026", "Formate a coluna"], ["05/01/2026", "Format the column"]),
        (BOOLEAN, "talvez", ["«talvez»", "sim ou não"], ["«talvez»", "yes or no"]),
        (ONE_OF, "Diamante", ["Bronze, Prata, Ouro"], ["Bronze, Prata, Ouro"]),
    ],
)
def test_messages_say_what_to_write_instead(
    definition: CustomFieldDefinition, written: str, pt: list[str], en: list[str]
) -> None:
    _, (error,) = validate_custom_values({definition.key: written}, [definition])
    named = error.model_copy(update={"column": definition.label})
    assert (error.field, error.custom_field) == (None, definition.key)
    for locale, fragments in (("pt-BR", pt), ("en", en)):
        text = render_error(named, locale)  # type: ignore[arg-type]
        assert text.startswith(("Coluna «", "Column «"))
        assert definition.label in text
        assert "{" not in text
        for fragment in fragments:
            assert fragment in text, (locale, text)


def test_a_required_custom_field_left_blank_is_reported_and_optional_ones_are_not() -> None:
    required = CustomFieldDefinition(
        key="matricula", label="Matrícula", type=CustomFieldType.TEXT, required=True
    )
    values, errors = validate_custom_values(
        {"matricula": "  ", "empresa": ""}, [required, TEXT, BOOLEAN]
    )
    assert values == {}
    assert errors == (
        RowError(field=None, custom_field="matricula", code=ErrorCode.VALUE_REQUIRED),
    )


def test_every_problem_of_the_custom_values_is_reported_with_the_rows_own() -> None:
    row = validate_row({Field.FULL_NAME: "", Field.EMAIL: "x@"})
    combined = with_custom_values(row, {"limite": "muito", "nivel": "Diamante"}, [NUMBER, ONE_OF])
    assert combined.record is None
    assert [(e.field, e.custom_field, e.code) for e in combined.errors] == [
        (Field.FULL_NAME, None, ErrorCode.FULL_NAME_REQUIRED),
        (Field.EMAIL, None, ErrorCode.EMAIL_INVALID),
        (None, "limite", ErrorCode.CUSTOM_NUMBER_INVALID),
        (None, "nivel", ErrorCode.CUSTOM_OPTION_INVALID),
    ]


def test_a_valid_row_carries_its_custom_values_in_the_record() -> None:
    combined = with_custom_values(
        validate_row({Field.FULL_NAME: "Ana"}),
        {"limite": "1.500,00", "aniversario": "17/05/1990", "newsletter": "x", "nivel": ""},
        [NUMBER, DATE, BOOLEAN, ONE_OF],
    )
    assert combined.record is not None
    assert combined.record.custom_fields == {
        "limite": 1500,
        "aniversario": "1990-05-17",
        "newsletter": True,
    }


@pytest.mark.parametrize(
    ("definition", "sent", "stored"),
    [
        (NUMBER, 1234.5, 1234.5),
        (NUMBER, 7, 7),
        (BOOLEAN, True, True),
        (BOOLEAN, False, False),
        (TEXT, 42, "42"),
        (ONE_OF, "prata", "Prata"),
    ],
)
def test_json_values_sent_to_the_api_are_taken_as_they_are(
    definition: CustomFieldDefinition, sent: CustomValue, stored: CustomValue
) -> None:
    assert custom_value(definition, sent) == stored


def test_a_yes_no_sent_for_a_number_is_not_a_number() -> None:
    with pytest.raises(InvalidCustomValueError) as raised:
        custom_value(NUMBER, True)
    assert raised.value.code is ErrorCode.CUSTOM_NUMBER_INVALID


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_a_number_written_the_brazilian_way_reads_back_the_same(number: Decimal) -> None:
    sign = "-" if number < 0 else ""
    integer, _, fraction = f"{abs(number):.2f}".partition(".")
    grouped = f"{int(integer):,}".replace(",", ".")
    written = f"{sign}{grouped},{fraction}"
    assert custom_value(NUMBER, written) == pytest.approx(float(number), abs=1e-9)


@given(st.integers(min_value=-(10**14), max_value=10**14))
def test_an_integer_written_with_english_thousands_reads_back_exactly(number: int) -> None:
    # One separator and three digits ("12,345") is ambiguous: its own test says so.
    assume(not 1000 <= abs(number) <= 999_999)
    assert custom_value(NUMBER, f"{number:,}") == number


@given(st.integers(min_value=1000, max_value=999_999), st.sampled_from([",", "."]))
def test_one_thousands_separator_alone_is_always_ambiguous(number: int, separator: str) -> None:
    written = f"{number:,}".replace(",", separator)
    with pytest.raises(InvalidCustomValueError) as raised:
        custom_value(NUMBER, written)
    assert raised.value.code is ErrorCode.CUSTOM_NUMBER_AMBIGUOUS
    assert raised.value.params["thousands"] == str(number)


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)))
def test_a_date_written_day_first_or_iso_is_the_same_day(day: date) -> None:
    assert custom_value(DATE, day.strftime("%d/%m/%Y")) == day.isoformat()
    assert custom_value(DATE, day.isoformat()) == day.isoformat()


@given(st.sampled_from(ONE_OF.options), st.sampled_from([str.upper, str.lower, str.title]))
def test_an_option_in_any_case_is_the_option(option: str, case: object) -> None:
    assert callable(case)
    assert custom_value(ONE_OF, case(option)) == option
