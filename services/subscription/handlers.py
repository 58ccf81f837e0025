"""The subscription service's subscribers: created customers and retries in; outcomes out."""

import asyncio
from uuid import UUID

import asyncpg
from faststream.kafka import KafkaRouter
from faststream.middlewares import AckPolicy

from services.subscription import repository
from services.subscription.repository import ImportPlan
from services.subscription.settings import SubscriptionSettings
from services.subscription.subscribing import SubscriptionBatch, subscribe_customers
from shared import topics
from shared.events import (
    CustomerRef,
    CustomersCreated,
    RowOutcomes,
    Stage,
    SubscriptionRetryRequested,
)
from shared.kafka import consumer_options, customer_key, import_key, outgoing, publish_many


def build_router(settings: SubscriptionSettings, pool: asyncpg.Pool) -> KafkaRouter:
    """Declare the subscription service's publishers and subscribers."""
    router = KafkaRouter(prefix=settings.kafka.topic_prefix)
    row_outcomes = router.publisher(topics.ROW_OUTCOMES)
    subscription_created = router.publisher(topics.SUBSCRIPTION_CREATED)
    # An import's plan never changes once started: read it once per import.
    plans: dict[UUID, ImportPlan | None] = {}

    async def plan_of(import_id: UUID) -> ImportPlan | None:
        if import_id not in plans:
            if len(plans) >= 10_000:
                plans.clear()  # bounded: a re-read costs one query per import
            async with pool.acquire() as connection:
                plans[import_id] = await repository.get_import_plan(connection, import_id=import_id)
        return plans[import_id]

    async def subscribe(import_id: UUID, account_id: UUID, customers: list[CustomerRef]) -> None:
        plan = await plan_of(import_id)
        if plan is None:
            return  # the import asked for no plan
        batch = await subscribe_customers(
            customers, import_id=import_id, account_id=account_id, plan=plan, pool=pool
        )
        await publish(batch, import_id, account_id)

    async def publish(batch: SubscriptionBatch, import_id: UUID, account_id: UUID) -> None:
        sent = await publish_many(
            subscription_created, [outgoing(e, customer_key(e.customer_id)) for e in batch.created]
        )
        rows = [outcome.row_no for outcome in batch.outcomes]
        sent.append(
            await row_outcomes.publish(
                RowOutcomes(
                    import_id=import_id,
                    account_id=account_id,
                    stage=Stage.SUBSCRIPTION,
                    first_row_no=min(rows),
                    last_row_no=max(rows),
                    rows_seen=len(rows),
                    outcomes=batch.outcomes,
                ),
                key=import_key(import_id),
                no_confirm=True,
            )
        )
        await asyncio.gather(*sent)

    # The internal per-batch form of *customer created*: one message per batch of rows.
    @router.subscriber(
        topics.CUSTOMERS_CREATED,
        **consumer_options(settings.kafka, group_id="subscription.customers-created"),
        # Redelivered after a failure: subscriptions are keyed by (customer, plan) and
        # outcomes are counted once per row.
        ack_policy=AckPolicy.NACK_ON_ERROR,
    )
    async def on_customers_created(event: CustomersCreated) -> None:
        # Most imports ask for no plan: their customers are not even listed.
        if await plan_of(event.import_id) is not None:
            await subscribe(event.import_id, event.account_id, event.customers())

    @router.subscriber(
        topics.SUBSCRIPTION_RETRIES,
        **consumer_options(settings.kafka, group_id="subscription.retries"),
        ack_policy=AckPolicy.NACK_ON_ERROR,
    )
    async def on_retry_requested(event: SubscriptionRetryRequested) -> None:
        await subscribe(event.import_id, event.account_id, list(event.customers))

    return router
