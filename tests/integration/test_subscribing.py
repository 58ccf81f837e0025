"""Subscriptions on the real PostgreSQL: once per customer, failures counted once, retries."""

import uuid
from datetime import date

import asyncpg

from services.aggregator.aggregation import record_outcomes
from services.subscription.repository import ImportPlan
from services.subscription.subscribing import subscribe_customers
from shared.events import CustomerRef, OutcomeKind, RowOutcomes, Stage


async def account_with_plan(
    pool: asyncpg.Pool, *, billing_day: int | None
) -> tuple[uuid.UUID, uuid.UUID]:
    account, plan, product = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await pool.execute(
        "INSERT INTO products (id, account_id, name) VALUES ($1, $2, 'Café')", product, account
    )
    await pool.execute(
        "INSERT INTO plans (id, account_id, name, interval_months, billing_day)"
        " VALUES ($1, $2, 'Ouro', 1, $3)",
        plan,
        account,
        billing_day,
    )
    await pool.execute("INSERT INTO plan_products VALUES ($1, $2, 4990)", plan, product)
    return account, plan


async def import_with_customers(
    pool: asyncpg.Pool, account: uuid.UUID, plan: uuid.UUID, rows: int
) -> tuple[uuid.UUID, list[CustomerRef]]:
    import_id = uuid.uuid4()
    await pool.execute(
        "INSERT INTO imports (id, account_id, file_name, object_key, size_bytes, status, plan_id,"
        " subscription_start, payment_method, total_rows, created_count)"
        " VALUES ($1, $2, 'f.csv', 'k', 1, 'processing', $3, '2026-11-30', 'credit_card', $4, $4)",
        import_id,
        account,
        plan,
        rows,
    )
    customers = []
    for row_no in range(2, rows + 2):
        customer_id = uuid.uuid4()
        await pool.execute(
            "INSERT INTO customers (id, account_id, full_name, email, phone_ddi, phone_ddd,"
            " phone_number, source_import_id, source_row_no)"
            " VALUES ($1, $2, 'Ana', $3, '55', '11', '987654321', $4, $5)",
            customer_id,
            account,
            f"ana{row_no}@x.com",
            import_id,
            row_no,
        )
        customers.append(CustomerRef(row_no=row_no, customer_id=customer_id))
    return import_id, customers


async def test_subscribes_once_and_a_redelivery_announces_the_same(pool: asyncpg.Pool) -> None:
    account, plan_id = await account_with_plan(pool, billing_day=5)
    import_id, customers = await import_with_customers(pool, account, plan_id, rows=3)
    plan = ImportPlan(plan_id=plan_id, start_date=date(2026, 11, 30), payment_method="credit_card")

    first = await subscribe_customers(
        customers, import_id=import_id, account_id=account, plan=plan, pool=pool
    )
    again = await subscribe_customers(
        customers, import_id=import_id, account_id=account, plan=plan, pool=pool
    )

    assert [o.kind for o in first.outcomes] == [OutcomeKind.SUBSCRIBED] * 3
    assert {e.event_id for e in first.created} == {e.event_id for e in again.created}
    assert (
        await pool.fetchval("SELECT count(*) FROM subscriptions WHERE plan_id = $1", plan_id) == 3
    )
    event = next(e for e in first.created if e.row_no == 2)
    assert event.next_billing_date == date(2026, 12, 5)
    assert event.contact.email == "ana2@x.com"
    assert event.contact.phone == "+5511987654321"


async def test_a_deactivated_plan_fails_then_a_retry_succeeds_and_counts_once(
    pool: asyncpg.Pool,
) -> None:
    account, plan_id = await account_with_plan(pool, billing_day=None)
    import_id, customers = await import_with_customers(pool, account, plan_id, rows=2)
    plan = ImportPlan(plan_id=plan_id, start_date=date(2026, 11, 30), payment_method="credit_card")
    await pool.execute("UPDATE plans SET active = false WHERE id = $1", plan_id)

    failed = await subscribe_customers(
        customers, import_id=import_id, account_id=account, plan=plan, pool=pool
    )
    assert [o.kind for o in failed.outcomes] == [OutcomeKind.SUBSCRIPTION_FAILED] * 2
    assert failed.outcomes[0].errors[0].params == {"plan": "Ouro"}

    def outcomes(batch: tuple) -> RowOutcomes:  # type: ignore[type-arg]
        return RowOutcomes(
            import_id=import_id,
            account_id=account,
            stage=Stage.SUBSCRIPTION,
            first_row_no=2,
            last_row_no=3,
            rows_seen=2,
            outcomes=batch,
        )

    for _ in range(2):  # delivered twice: counted once
        recorded = await record_outcomes(outcomes(failed.outcomes), pool=pool)
    assert recorded.record is not None
    assert (recorded.record["subscribed_count"], recorded.record["subscription_failed_count"]) == (
        0,
        2,
    )
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM import_row_failures WHERE import_id = $1", import_id
        )
        == 2
    )

    await pool.execute("UPDATE plans SET active = true WHERE id = $1", plan_id)
    retried = await subscribe_customers(
        customers, import_id=import_id, account_id=account, plan=plan, pool=pool
    )
    recovered = await record_outcomes(outcomes(retried.outcomes), pool=pool)
    assert recovered.reopened
    assert recovered.record is not None
    assert (
        recovered.record["subscribed_count"],
        recovered.record["subscription_failed_count"],
    ) == (2, 0)
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM import_row_failures WHERE import_id = $1", import_id
        )
        == 0
    )
    # A late duplicate of the failure cannot undo the success.
    late = await record_outcomes(outcomes(failed.outcomes), pool=pool)
    assert late.record is not None
    assert (late.record["subscribed_count"], late.record["subscription_failed_count"]) == (2, 0)
