"""SQL of the subscription service."""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

import asyncpg

GET_IMPORT_PLAN = """
SELECT plan_id, subscription_start, payment_method FROM imports WHERE id = $1
"""

# FOR SHARE: a plan being deactivated waits for the batch that already saw it active.
GET_PLAN_FOR_SUBSCRIBING = """
SELECT p.name, p.billing_day,
       p.active AND EXISTS (SELECT 1 FROM plan_products pp WHERE pp.plan_id = p.id) AS available
FROM plans p WHERE p.id = $1
FOR SHARE OF p
"""

INSERT_SUBSCRIPTIONS = """
INSERT INTO subscriptions (id, account_id, customer_id, plan_id, start_date, payment_method,
                           next_billing_date, source_import_id)
SELECT r.id, $1, r.customer_id, $2, $3, $4, $5, $6
FROM unnest($7::uuid[], $8::uuid[]) AS r(id, customer_id)
ON CONFLICT (customer_id, plan_id) DO NOTHING
"""

# New or from an earlier delivery: the same rows either way, so the same events.
GET_SUBSCRIPTIONS = """
SELECT s.id, s.customer_id, s.next_billing_date,
       c.email, c.phone_ddi, c.phone_ddd, c.phone_number
FROM subscriptions s JOIN customers c ON c.id = s.customer_id
WHERE s.plan_id = $1 AND s.customer_id = ANY($2::uuid[])
"""


@dataclass(frozen=True)
class ImportPlan:
    """What an import asked for: a plan, a start date, a payment method."""

    plan_id: UUID
    start_date: date
    payment_method: str


@dataclass(frozen=True)
class PlanState:
    """A plan as it stands now."""

    name: str
    billing_day: int | None
    available: bool


@dataclass(frozen=True)
class StoredSubscription:
    """A subscription with the customer's contact channels."""

    subscription_id: UUID
    customer_id: UUID
    next_billing_date: date
    email: str | None
    phone: str | None


async def get_import_plan(connection: asyncpg.Connection, *, import_id: UUID) -> ImportPlan | None:
    """The plan an import asked for, or None (an import without a plan)."""
    record = await connection.fetchrow(GET_IMPORT_PLAN, import_id)
    if record is None or record["plan_id"] is None:
        return None
    return ImportPlan(record["plan_id"], record["subscription_start"], record["payment_method"])


async def lock_plan(connection: asyncpg.Connection, *, plan_id: UUID) -> PlanState:
    """The plan's state, held until the transaction ends."""
    record = await connection.fetchrow(GET_PLAN_FOR_SUBSCRIBING, plan_id)
    return PlanState(record["name"], record["billing_day"], record["available"])


async def insert_subscriptions(
    connection: asyncpg.Connection,
    *,
    account_id: UUID,
    import_id: UUID,
    plan: ImportPlan,
    next_billing_date: date,
    subscription_ids: list[UUID],
    customer_ids: list[UUID],
) -> None:
    """Subscribe the customers not subscribed to the plan yet."""
    await connection.execute(
        INSERT_SUBSCRIPTIONS,
        account_id,
        plan.plan_id,
        plan.start_date,
        plan.payment_method,
        next_billing_date,
        import_id,
        subscription_ids,
        customer_ids,
    )


async def get_subscriptions(
    connection: asyncpg.Connection, *, plan_id: UUID, customer_ids: list[UUID]
) -> list[StoredSubscription]:
    """The customers' subscriptions to the plan, with their contact channels."""
    records = await connection.fetch(GET_SUBSCRIPTIONS, plan_id, customer_ids)
    return [
        StoredSubscription(
            subscription_id=r["id"],
            customer_id=r["customer_id"],
            next_billing_date=r["next_billing_date"],
            email=r["email"],
            phone=f"+{r['phone_ddi']}{r['phone_ddd'] or ''}{r['phone_number']}"
            if r["phone_number"] and r["phone_ddi"]
            else None,
        )
        for r in records
    ]
