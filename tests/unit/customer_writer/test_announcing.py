"""The writer's events: built without models or re-validation, exactly the validated ones."""

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from pydantic_core import to_json

from services.customer_writer.announcing import batch_created, created_messages
from services.customer_writer.writing import BatchWritten
from shared.customer import CustomerRecord
from shared.events import (
    CustomerCreated,
    CustomersCreated,
    RowsValidated,
    ValidRow,
    derived_event_id,
)


def _rows(first_row_no: int, *customers: CustomerRecord) -> tuple[ValidRow, ...]:
    """Consecutive valid rows, each customer as the validator carries it (plain fields)."""
    return tuple(
        ValidRow(row_no, customer.model_dump())
        for row_no, customer in enumerate(customers, start=first_row_no)
    )


def _batch(rows: tuple[ValidRow, ...], *, first_row_no: int | None = None) -> RowsValidated:
    first = rows[0].row_no if first_row_no is None else first_row_no
    return RowsValidated.of_rows(
        rows,
        import_id=uuid.uuid4(),
        account_id=uuid.uuid4(),
        first_row_no=first,
        last_row_no=rows[-1].row_no,
    )


def _validated_event(
    sent: CustomerCreated, batch: RowsValidated, row: ValidRow, customer_id: uuid.UUID
) -> CustomerCreated:
    """The event as a validated CustomerCreated of this row would be (the sent event's instant)."""
    return CustomerCreated(
        event_id=sent.event_id,
        import_id=batch.import_id,
        account_id=batch.account_id,
        occurred_at=sent.occurred_at,
        customer_id=customer_id,
        row_no=row.row_no,
        customer=CustomerRecord.model_validate(row.customer),
    )


def test_created_messages_are_the_validated_events_bytes() -> None:
    rows = _rows(
        2,
        CustomerRecord(full_name="Ana", email="ana@x.com"),
        CustomerRecord(
            full_name="Bia Conceição",
            document="52998224725",
            document_kind="cpf",
            notes='aspas " e ;',
            custom_fields={"nivel": "ouro", "pontos": 12.5, "ativo": True},
        ),
    )
    batch = _batch(rows)
    ids = (uuid.uuid4(), uuid.uuid4())
    written = BatchWritten(created=(0, 1), created_ids=ids)

    built = created_messages(batch, written)

    for message, row, customer_id in zip(built, rows, ids, strict=True):
        sent = CustomerCreated.model_validate_json(message.value)
        assert message.value == to_json(_validated_event(sent, batch, row, customer_id))
        assert message.key == str(customer_id).encode()
        assert message.correlation_id == str(sent.event_id).encode()
        assert sent.event_id == derived_event_id("customer-created", batch.import_id, row.row_no)


# Any text the rules could keep (control characters, quotes, accents, emoji), any custom value.
_TEXT = st.text(st.characters(exclude_categories=["Cs"]))
_CUSTOMERS = st.builds(
    CustomerRecord,
    full_name=_TEXT,
    email=st.none() | _TEXT,
    notes=st.none() | _TEXT,
    street_number=st.none() | _TEXT,
    custom_fields=st.dictionaries(
        _TEXT,
        st.booleans()
        | st.integers(-(10**15), 10**15)
        | st.floats(allow_nan=False, allow_infinity=False)
        | _TEXT,
        max_size=4,
    ),
)


@given(customers=st.lists(_CUSTOMERS, min_size=1, max_size=5))
def test_any_customer_is_announced_in_the_validated_events_bytes(
    customers: list[CustomerRecord],
) -> None:
    rows = _rows(2, *customers)
    batch = _batch(rows)
    ids = tuple(uuid.uuid4() for _ in rows)
    written = BatchWritten(created=tuple(range(len(rows))), created_ids=ids)

    for message, row, customer_id in zip(created_messages(batch, written), rows, ids, strict=True):
        sent = CustomerCreated.model_validate_json(message.value)
        assert message.value == to_json(_validated_event(sent, batch, row, customer_id))


def test_the_batch_message_names_every_created_customer_and_is_stable() -> None:
    rows = (
        ValidRow(
            row_no=4, customer=CustomerRecord(full_name="Ana", email="ana@x.com").model_dump()
        ),
        ValidRow(
            row_no=6, customer=CustomerRecord(full_name="Bia", document="52998224725").model_dump()
        ),
    )
    batch = _batch(rows, first_row_no=3)
    ids = (uuid.uuid4(), uuid.uuid4())
    written = BatchWritten(created=(0, 1), created_ids=ids)

    event = batch_created(batch, written)

    parsed = CustomersCreated.model_validate_json(to_json(event))
    assert (parsed.import_id, parsed.account_id) == (batch.import_id, batch.account_id)
    assert [(c.row_no, c.customer_id) for c in parsed.customers()] == [(4, ids[0]), (6, ids[1])]
    # A redelivered batch announces itself under the same event id.
    assert batch_created(batch, written).event_id == event.event_id


def test_customers_created_needs_one_customer_id_per_row() -> None:
    with pytest.raises(ValidationError, match="1 customer ids for 2 rows"):
        CustomersCreated(
            import_id=uuid.uuid4(),
            account_id=uuid.uuid4(),
            row_numbers=(4, 6),
            customer_ids=(uuid.uuid4(),),
        )
