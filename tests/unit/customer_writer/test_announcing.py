"""The writer's events, built without re-validation, are exactly the validated ones."""

import uuid

from pydantic_core import to_json

from services.customer_writer.announcing import created_events
from services.customer_writer.writing import BatchWritten
from shared.customer import CustomerRecord
from shared.events import CustomerCreated, CustomerCreatedRef, RowsValidated, ValidRow


def test_created_events_serialise_like_validated_events() -> None:
    rows = (
        ValidRow(row_no=2, customer=CustomerRecord(full_name="Ana", email="ana@x.com")),
        ValidRow(row_no=3, customer=CustomerRecord(full_name="Bia", document="52998224725")),
    )
    batch = RowsValidated(
        import_id=uuid.uuid4(), account_id=uuid.uuid4(), first_row_no=2, last_row_no=3, rows=rows
    )
    ids = (uuid.uuid4(), uuid.uuid4())
    written = BatchWritten(outcomes=(), created=rows, created_ids=ids)

    built = created_events(batch, written)

    for event, row, customer_id in zip(built, rows, ids, strict=True):
        validated = CustomerCreated(
            event_id=event.event_id,
            import_id=batch.import_id,
            account_id=batch.account_id,
            occurred_at=event.occurred_at,
            customer_id=customer_id,
            row_no=row.row_no,
            customer=row.customer,
        )
        assert to_json(event) == to_json(validated)
        assert CustomerCreated.model_validate_json(to_json(event)) == validated


def test_the_identity_of_a_created_customer_is_read_from_the_whole_event() -> None:
    event = CustomerCreated(
        import_id=uuid.uuid4(),
        account_id=uuid.uuid4(),
        customer_id=uuid.uuid4(),
        row_no=7,
        customer=CustomerRecord(full_name="Ana", email="ana@x.com"),
    )

    ref = CustomerCreatedRef.model_validate_json(to_json(event))

    assert (ref.import_id, ref.account_id, ref.customer_id, ref.row_no) == (
        event.import_id,
        event.account_id,
        event.customer_id,
        7,
    )
