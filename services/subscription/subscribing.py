"""Subscribe an import's new customers to its plan, idempotently, and say what became of each."""

from dataclasses import dataclass
from uuid import UUID, uuid5

import asyncpg

from services.subscription import repository
from services.subscription.billing import first_billing_date
from services.subscription.repository import ImportPlan
from shared.events import (
    Contact,
    CustomerRef,
    OutcomeKind,
    RowOutcome,
    SubscriptionCreated,
    derived_event_id,
)
from shared.rules.errors import ErrorCode, RowError

_SUBSCRIPTION_NAMESPACE = UUID("a3f7c9d2-5b1e-4e8a-9c6d-0f2b4d6e8a10")


@dataclass(frozen=True)
class SubscriptionBatch:
    """Each customer's outcome, and the subscriptions to announce."""

    outcomes: tuple[RowOutcome, ...]
    created: tuple[SubscriptionCreated, ...]


def subscription_id_for(customer_id: UUID, plan_id: UUID) -> UUID:
    """A customer's subscription to a plan has one id, on every delivery."""
    return uuid5(_SUBSCRIPTION_NAMESPACE, f"{customer_id}:{plan_id}")


async def subscribe_customers(
    customers: list[CustomerRef],
    *,
    import_id: UUID,
    account_id: UUID,
    plan: ImportPlan,
    pool: asyncpg.Pool,
) -> SubscriptionBatch:
    """Subscribe the customers to the import's plan, or fail them all if it is unavailable."""
    async with pool.acquire() as connection, connection.transaction():
        state = await repository.lock_plan(connection, plan_id=plan.plan_id)
        if not state.available:
            error = RowError(
                field=None,
                code=ErrorCode.SUBSCRIPTION_PLAN_UNAVAILABLE,
                params={"plan": state.name},
            )
            failed = tuple(
                RowOutcome(
                    row_no=c.row_no,
                    kind=OutcomeKind.SUBSCRIPTION_FAILED,
                    errors=(error,),
                    customer_id=c.customer_id,
                )
                for c in customers
            )
            return SubscriptionBatch(outcomes=failed, created=())
        next_billing = first_billing_date(plan.start_date, state.billing_day)
        customer_ids = [c.customer_id for c in customers]
        await repository.insert_subscriptions(
            connection,
            account_id=account_id,
            import_id=import_id,
            plan=plan,
            next_billing_date=next_billing,
            subscription_ids=[subscription_id_for(c, plan.plan_id) for c in customer_ids],
            customer_ids=customer_ids,
        )
        stored = await repository.get_subscriptions(
            connection, plan_id=plan.plan_id, customer_ids=customer_ids
        )
    rows = {c.customer_id: c.row_no for c in customers}
    created = tuple(
        SubscriptionCreated(
            event_id=derived_event_id("subscription-created", s.subscription_id),
            import_id=import_id,
            account_id=account_id,
            subscription_id=s.subscription_id,
            customer_id=s.customer_id,
            row_no=rows[s.customer_id],
            plan_id=plan.plan_id,
            plan_name=state.name,
            start_date=plan.start_date,
            next_billing_date=s.next_billing_date,
            payment_method="credit_card",
            contact=Contact(email=s.email, phone=s.phone),
        )
        for s in stored
    )
    outcomes = tuple(
        RowOutcome(row_no=c.row_no, kind=OutcomeKind.SUBSCRIBED, customer_id=c.customer_id)
        for c in customers
    )
    return SubscriptionBatch(outcomes=outcomes, created=created)
