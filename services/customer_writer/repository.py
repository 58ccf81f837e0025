"""SQL of the customers table, set-based: one statement per batch of rows."""

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

import asyncpg
import orjson

from shared.events import CUSTOMER_COLUMNS, RowsValidated

# The text columns; custom fields go in one jsonb column, sent as JSON text (NULL: none).
_CUSTOMER_COLUMNS: tuple[str, ...] = tuple(
    name for name in CUSTOMER_COLUMNS if name != "custom_fields"
)
_COLUMN_LIST = ", ".join(_CUSTOMER_COLUMNS)
_ARRAYS = ", ".join(f"${index}::text[]" for index in range(5, 5 + len(_CUSTOMER_COLUMNS)))
_CUSTOM_ARRAY = f"${5 + len(_CUSTOMER_COLUMNS)}::text[]"

# Rows go in file order so that, within a batch, the earlier of two rows sharing an e-mail or
# external code is the one created. Any unique key that is taken (account e-mail, account
# external code, or this very row from an earlier delivery) leaves the row out.
INSERT_CUSTOMERS = f"""
INSERT INTO customers (id, account_id, source_import_id, source_row_no, {_COLUMN_LIST},
                       custom_fields)
SELECT r.id, $1, $2, r.row_no, {", ".join(f"r.{column}" for column in _CUSTOMER_COLUMNS)},
       COALESCE(r.custom_fields::jsonb, '{{}}')
FROM unnest($3::uuid[], $4::int[], {_ARRAYS}, {_CUSTOM_ARRAY})
     AS r(id, row_no, {_COLUMN_LIST}, custom_fields)
ORDER BY r.row_no
ON CONFLICT DO NOTHING
RETURNING source_row_no
"""

# For rows left out: were they created by an earlier delivery, or who holds their keys?
# One index probe per key and row (LATERAL ... LIMIT 1): the plan cannot turn into a scan of
# every customer of the table, however the planner misjudges a young table or a generic plan.
EXPLAIN_SKIPPED = """
SELECT r.row_no,
       own.id IS NOT NULL        AS created_earlier,
       by_email.id IS NOT NULL   AS email_taken,
       by_email.source_import_id AS email_import_id,
       by_email.source_row_no    AS email_row_no,
       by_code.id IS NOT NULL    AS code_taken,
       by_code.source_import_id  AS code_import_id,
       by_code.source_row_no     AS code_row_no
FROM unnest($3::int[], $4::text[], $5::text[]) AS r(row_no, email, external_code)
LEFT JOIN LATERAL (
    SELECT id FROM customers
    WHERE source_import_id = $2 AND source_row_no = r.row_no LIMIT 1
) own ON true
LEFT JOIN LATERAL (
    SELECT id, source_import_id, source_row_no FROM customers
    WHERE account_id = $1 AND email = r.email LIMIT 1
) by_email ON true
LEFT JOIN LATERAL (
    SELECT id, source_import_id, source_row_no FROM customers
    WHERE account_id = $1 AND external_code = r.external_code LIMIT 1
) by_code ON true
ORDER BY r.row_no
"""


@dataclass(frozen=True)
class KeyHolder:
    """The existing customer holding a key: from this import (at a row) or from before."""

    import_id: UUID | None
    row_no: int | None


@dataclass(frozen=True)
class SkippedRow:
    """Why a row was not inserted by this statement."""

    row_no: int
    created_earlier: bool
    email_holder: KeyHolder | None
    code_holder: KeyHolder | None


async def insert_customers(
    connection: asyncpg.Connection, *, batch: RowsValidated, ids: Sequence[UUID]
) -> set[int]:
    """Insert the rows that take no existing key; returns the row numbers inserted."""
    inserted = await connection.fetch(
        INSERT_CUSTOMERS,
        batch.account_id,
        batch.import_id,
        ids,
        batch.row_numbers,
        # The event's columns are the statement's arrays.
        *(batch.column(name) for name in _CUSTOMER_COLUMNS),
        [
            orjson.dumps(fields).decode() if fields else None
            for fields in batch.column("custom_fields")
        ],
    )
    return {record["source_row_no"] for record in inserted}


async def explain_skipped(
    connection: asyncpg.Connection, *, batch: RowsValidated, positions: Sequence[int]
) -> list[SkippedRow]:
    """For the rows at these positions of the batch, which were not inserted, find whether they
    exist already and who holds their keys."""
    emails, codes = batch.column("email"), batch.column("external_code")
    records = await connection.fetch(
        EXPLAIN_SKIPPED,
        batch.account_id,
        batch.import_id,
        [batch.row_numbers[position] for position in positions],
        [emails[position] for position in positions],
        [codes[position] for position in positions],
    )
    return [
        SkippedRow(
            row_no=record["row_no"],
            created_earlier=record["created_earlier"],
            email_holder=_holder(record, "email"),
            code_holder=_holder(record, "code"),
        )
        for record in records
    ]


def _holder(record: asyncpg.Record, key: str) -> KeyHolder | None:
    if not record[f"{key}_taken"]:
        return None
    return KeyHolder(import_id=record[f"{key}_import_id"], row_no=record[f"{key}_row_no"])
