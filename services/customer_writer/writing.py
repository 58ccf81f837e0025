"""Create the customers of a batch of valid rows, idempotently, and say what became of each row."""

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from services.customer_writer import repository
from services.customer_writer.repository import KeyHolder, SkippedRow
from shared.events import OutcomeKind, RowOutcome, RowsValidated, customer_ids_for
from shared.rules.errors import RowError
from shared.rules.fields import Field


class UnexplainedConflictError(Exception):
    """A row was refused by a unique key no query can find (a concurrent delete): retry it."""


@dataclass(frozen=True)
class BatchWritten:
    """Which rows of the batch have their customer now, with their ids, and the skipped rows.

    Created rows get no outcome object each: at hundreds of rows per batch, nothing reads one
    (the aggregator counts created rows; *customer created* says which customer each became).
    """

    # Positions in the batch (index into its row numbers and columns), in file order.
    created: tuple[int, ...]
    # The customer id of each row of `created`, in the same order.
    created_ids: tuple[UUID, ...]
    # A DUPLICATE outcome, with its reasons, for each row left out.
    skipped: tuple[RowOutcome, ...] = ()


async def write_batch(
    batch: RowsValidated, *, pool: asyncpg.Pool, ids: list[UUID] | None = None
) -> BatchWritten:
    """Insert the batch's customers; a redelivered batch yields the same outcomes, no new rows.

    `ids` are the rows' customer ids (customer_id_for) when the caller derived them already.
    """
    # uuid5 per row is not free: derive each id once and reuse it for the insert and outcomes.
    if ids is None:
        ids = customer_ids(batch)
    rows = batch.row_numbers
    # No explicit transaction: the INSERT is atomic by itself, and BEGIN and COMMIT were two
    # more round trips per batch. What it skipped is explained from committed rows; a
    # redelivery finds its own rows created earlier.
    async with pool.acquire() as connection:
        inserted = await repository.insert_customers(connection, batch=batch, ids=ids)
        if len(inserted) == len(rows):
            # Most batches insert every row: then there is nothing to explain.
            return BatchWritten(created=tuple(range(len(rows))), created_ids=tuple(ids))
        left_out = [position for position, row_no in enumerate(rows) if row_no not in inserted]
        skipped = await repository.explain_skipped(connection, batch=batch, positions=left_out)
    created_earlier = {row.row_no for row in skipped if row.created_earlier}
    duplicates = {row.row_no: row for row in skipped if not row.created_earlier}
    created: list[int] = []
    created_ids: list[UUID] = []
    outcomes: list[RowOutcome] = []
    for position, (row_no, customer_id) in enumerate(zip(rows, ids, strict=True)):
        if row_no in inserted or row_no in created_earlier:
            created.append(position)
            created_ids.append(customer_id)
        else:
            outcomes.append(_duplicate(duplicates[row_no], batch.import_id))
    return BatchWritten(
        created=tuple(created), created_ids=tuple(created_ids), skipped=tuple(outcomes)
    )


def customer_ids(batch: RowsValidated) -> list[UUID]:
    """The customer id of each row of the batch, in order."""
    return customer_ids_for(batch.import_id, batch.row_numbers)


def _duplicate(row: SkippedRow, import_id: UUID) -> RowOutcome:
    errors = [
        _key_error(field, holder, import_id)
        for field, holder in (
            (Field.EMAIL, row.email_holder),
            (Field.EXTERNAL_CODE, row.code_holder),
        )
        if holder is not None
    ]
    if not errors:
        raise UnexplainedConflictError(f"row {row.row_no} conflicts with no visible customer")
    return RowOutcome(row_no=row.row_no, kind=OutcomeKind.DUPLICATE, errors=tuple(errors))


def _key_error(field: Field, holder: KeyHolder, import_id: UUID) -> RowError:
    if holder.import_id == import_id and holder.row_no is not None:
        return RowError(
            field=field, code=f"{field.value}.repeated_in_file", params={"row": str(holder.row_no)}
        )
    return RowError(field=field, code=f"{field.value}.already_registered")
