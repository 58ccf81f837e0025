"""The account's required fields: any template field may be required; the full name always is."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.rules.errors import ErrorCode
from shared.rules.fields import TEMPLATE_FIELDS, Field
from shared.rules.validate import DEFAULT_REQUIRED, validate_row
from tests.unit.rules.test_validate_row import COMPLETE_ROW

# The complete row leaves the extension blank; a valid one for the tests that need it.
FILLED = COMPLETE_ROW | {Field.PHONE_EXTENSION: "123"}
REQUIRABLE = [field for field in TEMPLATE_FIELDS if field is not Field.FULL_NAME]


def test_by_default_only_the_full_name_is_required() -> None:
    assert frozenset({Field.FULL_NAME}) == DEFAULT_REQUIRED
    assert validate_row({Field.FULL_NAME: "Ana"}).record is not None
    blank = validate_row({Field.EMAIL: "ana@exemplo.com"})
    assert [(e.field, e.code) for e in blank.errors] == [
        (Field.FULL_NAME, ErrorCode.FULL_NAME_REQUIRED)
    ]


@pytest.mark.parametrize("field", REQUIRABLE, ids=lambda field: field.value)
def test_a_required_field_left_blank_fails_the_row_and_filled_passes(field: Field) -> None:
    required = frozenset({field})
    assert validate_row(FILLED, required=required).record is not None

    # Blank, or absent from the file: the same error. The phone's parts go together: without
    # a number the type, DDI, DDD and extension describe no phone.
    phone_parts = {
        Field.PHONE_TYPE,
        Field.PHONE_DDI,
        Field.PHONE_DDD,
        Field.PHONE_NUMBER,
        Field.PHONE_EXTENSION,
    }
    emptied = phone_parts if field in phone_parts else {field}
    for row in (
        FILLED | dict.fromkeys(emptied, ""),
        {key: value for key, value in FILLED.items() if key not in emptied},
    ):
        result = validate_row(row, required=required)
        assert [(e.field, e.code) for e in result.errors] == [(field, ErrorCode.VALUE_REQUIRED)]


@given(st.sets(st.sampled_from(REQUIRABLE)))
def test_exactly_the_required_fields_a_row_lacks_are_reported_in_template_order(
    required: set[Field],
) -> None:
    result = validate_row({Field.FULL_NAME: "Ana"}, required=frozenset(required))
    assert [e.field for e in result.errors] == [f for f in TEMPLATE_FIELDS if f in required]
    assert {e.code for e in result.errors} <= {ErrorCode.VALUE_REQUIRED}
    assert validate_row(FILLED, required=frozenset(required)).record is not None
