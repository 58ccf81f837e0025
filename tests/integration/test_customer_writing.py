"""The writer against the real PostgreSQL: idempotent, earliest row wins, reasons for skips."""

import asyncio
import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg
import orjson
import pytest

from services.customer_writer.announcing import WriterPublishers, write_batches, write_partitions
from services.customer_writer.writing import write_batch
from shared.customer import CustomerRecord
from shared.events import (
    CustomersCreated,
    OutcomeKind,
    RowOutcomes,
    RowsValidated,
    ValidRow,
)
from shared.kafka import Outgoing


def batch(
    account_id: uuid.UUID, import_id: uuid.UUID, *rows: tuple[int, str, str | None, str | None]
) -> RowsValidated:
    return RowsValidated.of_rows(
        [
            ValidRow(
                row_no,
                CustomerRecord(full_name=name, email=email, external_code=code).model_dump(),
            )
            for row_no, name, email, code in rows
        ],
        import_id=import_id,
        account_id=account_id,
        first_row_no=rows[0][0],
        last_row_no=rows[-1][0],
    )


async def insert_import(pool: asyncpg.Pool, account_id: uuid.UUID) -> uuid.UUID:
    import_id = uuid.uuid4()
    await pool.execute(
        "INSERT INTO imports (id, account_id, file_name, object_key, size_bytes, status)"
        " VALUES ($1, $2, 'f.csv', 'k', 1, 'processing')",
        import_id,
        account_id,
    )
    return import_id


async def count_customers(pool: asyncpg.Pool, account_id: uuid.UUID) -> int:
    count: int = await pool.fetchval(
        "SELECT count(*) FROM customers WHERE account_id = $1", account_id
    )
    return count


async def test_creates_customers_and_a_redelivery_changes_nothing(pool: asyncpg.Pool) -> None:
    account = uuid.uuid4()
    import_id = await insert_import(pool, account)
    rows = batch(account, import_id, (2, "Ana", "ana@x.com", "C1"), (3, "Bia", None, None))

    first = await write_batch(rows, pool=pool)
    again = await write_batch(rows, pool=pool)

    assert [rows.row_numbers[p] for p in first.created] == [2, 3]
    assert (first.skipped, again.skipped) == ((), ())
    # The redelivery finds the rows it created before: the same customers, nothing new.
    assert again.created == first.created
    assert again.created_ids == first.created_ids
    assert await count_customers(pool, account) == 2


async def test_the_earlier_row_of_a_file_wins_and_the_later_says_where(pool: asyncpg.Pool) -> None:
    account = uuid.uuid4()
    import_id = await insert_import(pool, account)
    written = await write_batch(
        batch(
            account,
            import_id,
            (2, "Ana", "ana@x.com", None),
            (3, "Ana de novo", "ana@x.com", None),
            (4, "Bia", "bia@x.com", "C9"),
            (5, "Bia clone", None, "C9"),
        ),
        pool=pool,
    )
    # Positions in the batch: rows 2 and 4.
    assert written.created == (0, 2)
    assert {o.row_no: o.kind for o in written.skipped} == {
        3: OutcomeKind.DUPLICATE,
        5: OutcomeKind.DUPLICATE,
    }
    by_row = {o.row_no: o.errors for o in written.skipped}
    assert [(e.code, e.params) for e in by_row[3]] == [("email.repeated_in_file", {"row": "2"})]
    assert [(e.code, e.params) for e in by_row[5]] == [
        ("external_code.repeated_in_file", {"row": "4"})
    ]
    assert await count_customers(pool, account) == 2


async def test_a_customer_of_an_earlier_import_is_already_registered(pool: asyncpg.Pool) -> None:
    account = uuid.uuid4()
    earlier = await insert_import(pool, account)
    await write_batch(batch(account, earlier, (2, "Ana", "ana@x.com", "C1")), pool=pool)
    later = await insert_import(pool, account)
    written = await write_batch(batch(account, later, (2, "Ana", "ana@x.com", "C1")), pool=pool)
    (outcome,) = written.skipped
    assert written.created == ()
    assert outcome.kind is OutcomeKind.DUPLICATE
    assert [e.code for e in outcome.errors] == [
        "email.already_registered",
        "external_code.already_registered",
    ]


async def test_accounts_do_not_see_each_others_customers(pool: asyncpg.Pool) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    for account in (first, second):
        import_id = await insert_import(pool, account)
        written = await write_batch(
            batch(account, import_id, (2, "Ana", "ana@x.com", "C1")), pool=pool
        )
        assert (written.created, written.skipped) == ((0,), ())


async def test_consecutive_batches_keep_file_order_and_announce_only_what_was_created(
    pool: asyncpg.Pool,
) -> None:
    account = uuid.uuid4()
    import_id = await insert_import(pool, account)
    announced: list[tuple[str, object]] = []

    async def customer_created(messages: Sequence[Outgoing]) -> list[asyncio.Future[Any]]:
        announced.append(("created", [orjson.loads(m.value)["row_no"] for m in messages]))
        return [_done()]

    async def customers_created(event: CustomersCreated) -> asyncio.Future[Any]:
        announced.append(("batch", list(event.row_numbers)))
        return _done()

    async def row_outcomes(event: RowOutcomes) -> asyncio.Future[Any]:
        announced.append(("outcomes", [(o.row_no, o.kind) for o in event.outcomes]))
        return _done()

    # Row 4 repeats row 2's e-mail in the next batch: the batches are inserted one after the
    # other although the first one's events are built while the second one is inserted.
    batches = [
        batch(account, import_id, (2, "Ana", "ana@x.com", None), (3, "Bia", "bia@x.com", None)),
        batch(account, import_id, (4, "Ana B", "ana@x.com", None), (5, "Caio", None, "C5")),
    ]
    publishers = WriterPublishers(
        customer_created=customer_created,
        customers_created=customers_created,
        row_outcomes=row_outcomes,
    )
    await write_batches(batches, pool=pool, publish=publishers)

    # The outcomes list the skipped rows only: the other rows of a batch were created.
    assert announced == [
        ("created", [2, 3]),
        ("batch", [2, 3]),
        ("outcomes", []),
        ("created", [5]),
        ("batch", [5]),
        ("outcomes", [(4, OutcomeKind.DUPLICATE)]),
    ]
    assert await count_customers(pool, account) == 3
    # A redelivery of both batches announces the same events again and creates nothing.
    announced.clear()
    await write_batches(batches, pool=pool, publish=publishers)
    assert [entry for entry in announced if entry[0] != "outcomes"] == [
        ("created", [2, 3]),
        ("batch", [2, 3]),
        ("created", [5]),
        ("batch", [5]),
    ]
    assert await count_customers(pool, account) == 3


def _done() -> asyncio.Future[Any]:
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    future.set_result(None)
    return future


async def test_custom_values_are_stored_with_the_customer_once(pool: asyncpg.Pool) -> None:
    account = uuid.uuid4()
    import_id = await insert_import(pool, account)
    custom = {"nivel": "Ouro", "desde": "2020-01-05", "novidades": True, "limite": 1234.5}
    rows = RowsValidated.of_rows(
        (
            ValidRow(
                row_no=2,
                customer=CustomerRecord(full_name="Ana", custom_fields=custom).model_dump(),
            ),
            ValidRow(row_no=3, customer=CustomerRecord(full_name="Bia").model_dump()),
        ),
        import_id=import_id,
        account_id=account,
        first_row_no=2,
        last_row_no=3,
    )

    await write_batch(rows, pool=pool)
    await write_batch(rows, pool=pool)

    stored = await pool.fetch(
        "SELECT full_name, custom_fields FROM customers WHERE account_id = $1"
        " ORDER BY source_row_no",
        account,
    )
    assert [(r["full_name"], r["custom_fields"]) for r in stored] == [("Ana", custom), ("Bia", {})]


async def test_partitions_are_written_side_by_side_and_a_failure_surfaces_as_itself(
    pool: asyncpg.Pool,
) -> None:
    account = uuid.uuid4()
    import_id = await insert_import(pool, account)
    one = [
        batch(account, import_id, (2, "Ana", "ana@x.com", None)),
        batch(account, import_id, (3, "Bia", "bia@x.com", None)),
    ]
    other = [batch(account, import_id, (90_000, "Caio", "caio@x.com", None))]
    announced: list[int] = []

    async def customer_created(messages: Sequence[Outgoing]) -> list[asyncio.Future[Any]]:
        announced.extend(orjson.loads(m.value)["row_no"] for m in messages)
        return [_done()]

    async def nothing(event: object) -> asyncio.Future[Any]:
        return _done()

    publishers = WriterPublishers(
        customer_created=customer_created, customers_created=nothing, row_outcomes=nothing
    )
    await write_partitions([one, other], pool=pool, publish=publishers)

    assert sorted(announced) == [2, 3, 90_000]
    # One partition's batches in order, whatever the other partition did meanwhile.
    assert announced.index(2) < announced.index(3)
    assert await count_customers(pool, account) == 3

    async def broker_down(messages: Sequence[Outgoing]) -> list[asyncio.Future[Any]]:
        raise ConnectionError("broker unreachable")

    failing = WriterPublishers(
        customer_created=broker_down, customers_created=nothing, row_outcomes=nothing
    )
    # The retry policy sees the error itself (not an ExceptionGroup) and decides by its kind.
    with pytest.raises(ConnectionError, match="broker unreachable"):
        await write_partitions([one, other], pool=pool, publish=failing)
