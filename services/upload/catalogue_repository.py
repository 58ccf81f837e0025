"""SQL of the account's catalogue: products and plans."""

from uuid import UUID

import asyncpg

INSERT_PRODUCT = """
INSERT INTO products (id, account_id, name) VALUES ($1, $2, $3) RETURNING *
"""

INSERT_PLAN = """
INSERT INTO plans (id, account_id, name, interval_months, billing_day)
VALUES ($1, $2, $3, $4, $5) RETURNING id
"""

# Only the account's own products can be priced in its plans.
INSERT_PLAN_PRODUCTS = """
INSERT INTO plan_products (plan_id, product_id, price_cents)
SELECT $1, p.id, r.price_cents
FROM unnest($3::uuid[], $4::bigint[]) AS r(product_id, price_cents)
JOIN products p ON p.id = r.product_id AND p.account_id = $2
"""

_PLAN_VIEW = """
SELECT p.id, p.name, p.interval_months, p.billing_day, p.active, p.created_at,
       coalesce(jsonb_agg(jsonb_build_object('product_id', pp.product_id,
                                             'name', pr.name,
                                             'price_cents', pp.price_cents)
                          ORDER BY pr.name) FILTER (WHERE pp.product_id IS NOT NULL),
                '[]'::jsonb) AS products
FROM plans p
LEFT JOIN plan_products pp ON pp.plan_id = p.id
LEFT JOIN products pr ON pr.id = pp.product_id
"""

GET_PLAN = _PLAN_VIEW + "WHERE p.id = $1 AND p.account_id = $2 GROUP BY p.id"

# Eligible for an import: active and with at least one product (the reference product's rule).
LIST_PLANS = (
    _PLAN_VIEW
    + """
WHERE p.account_id = $1
GROUP BY p.id
HAVING NOT $2::bool OR (p.active AND count(pp.product_id) > 0)
ORDER BY p.name, p.id
"""
)

SET_PLAN_ACTIVE = "UPDATE plans SET active = $3 WHERE id = $1 AND account_id = $2 RETURNING id"


async def insert_product(
    connection: asyncpg.Connection, *, product_id: UUID, account_id: UUID, name: str
) -> asyncpg.Record:
    """Add a product to the account's catalogue."""
    record: asyncpg.Record = await connection.fetchrow(INSERT_PRODUCT, product_id, account_id, name)
    return record


async def insert_plan(
    connection: asyncpg.Connection,
    *,
    plan_id: UUID,
    account_id: UUID,
    name: str,
    interval_months: int,
    billing_day: int | None,
    product_ids: list[UUID],
    prices_cents: list[int],
) -> int:
    """Add a plan with its priced products; returns how many products were the account's own."""
    await connection.execute(INSERT_PLAN, plan_id, account_id, name, interval_months, billing_day)
    status: str = await connection.execute(
        INSERT_PLAN_PRODUCTS, plan_id, account_id, product_ids, prices_cents
    )
    return int(status.split()[-1])


async def get_plan(
    connection: asyncpg.Connection, *, plan_id: UUID, account_id: UUID
) -> asyncpg.Record | None:
    """One plan of the account with its products."""
    record: asyncpg.Record | None = await connection.fetchrow(GET_PLAN, plan_id, account_id)
    return record


async def list_plans(
    connection: asyncpg.Connection, *, account_id: UUID, eligible_only: bool
) -> list[asyncpg.Record]:
    """The account's plans; with eligible_only, those an import may choose."""
    records: list[asyncpg.Record] = await connection.fetch(LIST_PLANS, account_id, eligible_only)
    return records


async def set_plan_active(
    connection: asyncpg.Connection, *, plan_id: UUID, account_id: UUID, active: bool
) -> bool:
    """Activate or deactivate a plan; False if the account has no such plan."""
    return await connection.fetchval(SET_PLAN_ACTIVE, plan_id, account_id, active) is not None
