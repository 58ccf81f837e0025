"""Valid rows travel column by column and come back as the same customers."""

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from pydantic_core import to_json

from shared.customer import CustomerRecord
from shared.events import CUSTOMER_COLUMNS, RowsValidated, ValidRow

text = st.text(max_size=12)
optional_text = st.none() | text
customers = st.builds(
    CustomerRecord,
    full_name=text,
    email=optional_text,
    document_kind=st.none() | st.sampled_from(["cpf", "cnpj"]),
    notes=optional_text,
    external_code=optional_text,
    custom_fields=st.dictionaries(
        st.sampled_from(["nivel", "desde", "novidades", "limite"]),
        text | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False),
    ),
)


@given(st.lists(customers, max_size=20))
def test_rows_come_back_as_the_same_customers(records: list[CustomerRecord]) -> None:
    rows = [
        ValidRow(row_no, customer.model_dump()) for row_no, customer in enumerate(records, start=2)
    ]
    event = RowsValidated.of_rows(
        rows,
        import_id=uuid.uuid4(),
        account_id=uuid.uuid4(),
        first_row_no=2,
        last_row_no=len(rows) + 1,
    )

    received = RowsValidated.model_validate_json(to_json(event))

    assert received.row_numbers == tuple(row.row_no for row in rows)
    values = received.customer_values()
    assert values == [customer.model_dump() for customer in records]
    # In CustomerRecord's field order: a customer's JSON is the same either way.
    assert [to_json(v) for v in values] == [to_json(customer) for customer in records]


def test_columns_of_another_length_than_the_rows_are_refused() -> None:
    event = RowsValidated.of_rows(
        [
            ValidRow(2, CustomerRecord(full_name="Ana").model_dump()),
            ValidRow(3, CustomerRecord(full_name="Bia").model_dump()),
        ],
        import_id=uuid.uuid4(),
        account_id=uuid.uuid4(),
        first_row_no=2,
        last_row_no=3,
    )
    body = event.model_dump(mode="json")
    body["columns"]["email"] = [None]
    body["columns"]["city"] = [None, None, "Recife"]

    with pytest.raises(ValidationError, match=r"columns \['email', 'city'\] do not have one value"):
        RowsValidated.model_validate(body)


def test_every_customer_field_is_a_column() -> None:
    assert tuple(CustomerRecord.model_fields) == CUSTOMER_COLUMNS
