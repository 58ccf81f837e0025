"""SQL of the customers API: one customer at a time, and the account's customer search."""

from datetime import date, datetime
from uuid import UUID

import asyncpg

from shared.customer import CustomerRecord

# The text columns; the custom fields are one jsonb column, last.
_CUSTOMER_COLUMNS: tuple[str, ...] = tuple(
    name for name in CustomerRecord.model_fields if name != "custom_fields"
)
_COLUMN_LIST = ", ".join(_CUSTOMER_COLUMNS)
_VALUES = ", ".join(f"${index}" for index in range(3, 4 + len(_CUSTOMER_COLUMNS)))

# Any unique key already taken (the account's e-mail or external code) leaves the row out;
# the caller then asks who holds it. Race-safe: the unique indexes decide, not a prior SELECT.
INSERT_CUSTOMER = f"""
INSERT INTO customers (id, account_id, {_COLUMN_LIST}, custom_fields)
VALUES ($1, $2, {_VALUES})
ON CONFLICT DO NOTHING
RETURNING *, false AS active
"""

TAKEN_KEYS = """
SELECT EXISTS (SELECT 1 FROM customers WHERE account_id = $1 AND email = $2) AS email,
       EXISTS (SELECT 1 FROM customers WHERE account_id = $1 AND external_code = $3)
           AS external_code
"""

# Active: a subscription whose start date has arrived (subscriptions_customer_start).
_ACTIVE = "EXISTS (SELECT 1 FROM subscriptions s WHERE s.customer_id = c.id AND s.start_date <= $2)"

GET_CUSTOMER = f"""
SELECT c.*, {_ACTIVE} AS active
FROM customers c
WHERE c.id = $3 AND c.account_id = $1
"""

GET_SUBSCRIPTIONS = """
SELECT s.id, s.plan_id, p.name AS plan_name, s.start_date, s.next_billing_date,
       s.payment_method, s.source_import_id, s.created_at
FROM subscriptions s
JOIN plans p ON p.id = s.plan_id
WHERE s.customer_id = $1 AND s.account_id = $2
ORDER BY s.start_date, s.id
"""


def _page(status: str, before_at: str, before_id: str, limit: str) -> str:
    """Status filter, keyset cursor and order shared by the listing and the search."""
    return f"""
  AND ({status}::text IS DISTINCT FROM 'active' OR {_ACTIVE})
  AND ({status}::text IS DISTINCT FROM 'inactive' OR NOT {_ACTIVE})
  AND ({before_at}::timestamptz IS NULL OR (c.created_at, c.id) < ({before_at}, {before_id}::uuid))
ORDER BY c.created_at DESC, c.id DESC
LIMIT {limit}
"""


# Listing walks the newest-first index (customers_account_newest) and stops at the page.
LIST_CUSTOMERS = f"""
SELECT c.*, {_ACTIVE} AS active
FROM customers c
WHERE c.account_id = $1
{_page("$3", "$4", "$5", "$6")}
"""

# Searching finds the matches first, each term through its own index (the name through
# customers_name_trgm, the e-mail and document prefixes through their text_pattern_ops
# indexes, the external code through customers_account_external_code_key), then orders them:
# walking the newest-first index with the terms as a filter would read a whole account
# for a rare term. The matches carry their columns: no second pass over customers.
# A NULL term folds to false once the plan is made for the actual values.
SEARCH_CUSTOMERS = f"""
WITH matches AS MATERIALIZED (
    SELECT c.* FROM customers c
    WHERE c.account_id = $1
      AND (($3::text IS NOT NULL
            AND fold_for_search(c.full_name) LIKE '%' || fold_for_search($3) || '%')
           OR ($4::text IS NOT NULL AND c.email LIKE $4 || '%')
           OR ($5::text IS NOT NULL AND c.document LIKE $5 || '%')
           OR ($6::text IS NOT NULL AND c.external_code = $6))
)
SELECT c.*, {_ACTIVE} AS active
FROM matches c
WHERE TRUE
{_page("$7", "$8", "$9", "$10")}
"""

# A plan cached for "any value" keeps every optional arm and cannot pick the one index each
# search needs; the search is always planned for the values it is given.
_CUSTOM_PLANS = "SET LOCAL plan_cache_mode = force_custom_plan"


async def insert_customer(
    connection: asyncpg.Connection,
    *,
    customer_id: UUID,
    account_id: UUID,
    customer: CustomerRecord,
) -> asyncpg.Record | None:
    """Insert one customer; None when its e-mail or external code is already taken."""
    record: asyncpg.Record | None = await connection.fetchrow(
        INSERT_CUSTOMER,
        customer_id,
        account_id,
        *(getattr(customer, column) for column in _CUSTOMER_COLUMNS),
        customer.custom_fields,
    )
    return record


async def taken_keys(
    connection: asyncpg.Connection,
    *,
    account_id: UUID,
    email: str | None,
    external_code: str | None,
) -> tuple[bool, bool]:
    """Whether another customer of the account holds this e-mail, this external code."""
    record = await connection.fetchrow(TAKEN_KEYS, account_id, email, external_code)
    return bool(record["email"]), bool(record["external_code"])


async def get_customer(
    connection: asyncpg.Connection, *, customer_id: UUID, account_id: UUID, today: date
) -> asyncpg.Record | None:
    """One customer of the account with its `active` flag; None if the account has no such."""
    record: asyncpg.Record | None = await connection.fetchrow(
        GET_CUSTOMER, account_id, today, customer_id
    )
    return record


async def get_subscriptions(
    connection: asyncpg.Connection, *, customer_id: UUID, account_id: UUID
) -> list[asyncpg.Record]:
    """The customer's subscriptions with their plan's name, oldest start first."""
    records: list[asyncpg.Record] = await connection.fetch(
        GET_SUBSCRIPTIONS, customer_id, account_id
    )
    return records


async def search_customers(
    connection: asyncpg.Connection,
    *,
    account_id: UUID,
    today: date,
    name: str | None,
    email_prefix: str | None,
    document_prefix: str | None,
    external_code: str | None,
    status: str | None,
    before: tuple[datetime, UUID] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """The account's customers matching any given term and the status, newest first.

    `name`, `email_prefix` and `document_prefix` are LIKE fragments (wildcards escaped).
    """
    before_at, before_id = before if before else (None, None)
    page = (status, before_at, before_id, limit)
    terms = (name, email_prefix, document_prefix, external_code)
    async with connection.transaction():
        await connection.execute(_CUSTOM_PLANS)
        if all(term is None for term in terms):
            records: list[asyncpg.Record] = await connection.fetch(
                LIST_CUSTOMERS, account_id, today, *page
            )
        else:
            records = await connection.fetch(SEARCH_CUSTOMERS, account_id, today, *terms, *page)
    return records
