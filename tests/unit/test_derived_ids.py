"""Ids derived from what an event reports, and the import a raw message belongs to."""

import uuid

from hypothesis import given
from hypothesis import strategies as st
from pydantic_core import to_json

from shared.events import (
    FileValidated,
    customer_id_for,
    customer_ids_for,
    derived_event_id,
    derived_event_ids,
    import_id_of,
)

row_numbers = st.lists(st.integers(min_value=2, max_value=10_000_000), max_size=50)


@given(import_id=st.uuids(), rows=row_numbers)
def test_customer_ids_of_a_batch_are_each_rows_customer_id(
    import_id: uuid.UUID, rows: list[int]
) -> None:
    batch = customer_ids_for(import_id, rows)
    one_by_one = [customer_id_for(import_id, n) for n in rows]  # uuid.uuid5
    # Built without UUID.__init__: every face of the UUID is uuid5's.
    assert [(u, str(u), u.version, u.variant, hash(u), u.is_safe) for u in batch] == [
        (u, str(u), u.version, u.variant, hash(u), u.is_safe) for u in one_by_one
    ]


@given(import_id=st.uuids(), rows=row_numbers)
def test_event_ids_of_a_batch_are_each_rows_event_id(import_id: uuid.UUID, rows: list[int]) -> None:
    assert derived_event_ids("customer-created", import_id, rows) == [
        derived_event_id("customer-created", import_id, n) for n in rows
    ]


def test_derived_ids_are_stable_and_distinct() -> None:
    import_id = uuid.UUID("0b9e7c52-41d8-4f2a-9a63-5c1e8d7f2b40")
    assert customer_id_for(import_id, 2) == customer_id_for(import_id, 2)
    assert customer_id_for(import_id, 2) != customer_id_for(import_id, 3)
    assert derived_event_id("customer-created", import_id, 2) != customer_id_for(import_id, 2)


def test_the_import_of_a_raw_message_is_read_from_any_body() -> None:
    file_validated = FileValidated(import_id=uuid.uuid4(), account_id=uuid.uuid4(), total_rows=3)
    # Our events (envelope first), any other JSON naming an import, and what names none.
    assert import_id_of(to_json(file_validated)) == str(file_validated.import_id)
    assert import_id_of(b'{"email": "a@x.com", "import_id": "abc"}') == "abc"
    for body in (b"[1, 2]", b"not json", b'{"import_id": 7}', b'{"import_id": "abc"'):
        assert import_id_of(body) is None
