"""HTTP routes of the catalogue: products and plans an import can subscribe customers to."""

from datetime import datetime
from typing import Annotated
from uuid import UUID, uuid4

import asyncpg
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from services.upload import catalogue_repository as repository
from services.upload.access import Action, audit
from services.upload.auth import ChoosesPlans, ManagesPlans
from services.upload.problems import ApiProblemError, not_found
from services.upload.runtime import runtime_of

router = APIRouter(prefix="/v1", tags=["catalogue"])


class NewProduct(BaseModel):
    """A product to add."""

    name: str = Field(min_length=1, max_length=254)


class Product(BaseModel):
    """A product of the account."""

    id: UUID
    name: str


class PricedProduct(BaseModel):
    """A product in a plan, with its price in cents."""

    product_id: UUID
    price_cents: int = Field(ge=0)


class NewPlan(BaseModel):
    """A plan to add."""

    name: str = Field(min_length=1, max_length=254)
    interval_months: int = Field(default=1, ge=1, le=36)
    billing_day: int | None = Field(
        default=None, ge=1, le=28, description="Day of the month charges fall on; none: start day."
    )
    products: list[PricedProduct] = []


class PlanProduct(BaseModel):
    """A product of a plan as shown."""

    product_id: UUID
    name: str
    price_cents: int


class Plan(BaseModel):
    """A plan of the account."""

    id: UUID
    name: str
    interval_months: int
    billing_day: int | None
    active: bool
    products: list[PlanProduct]
    created_at: datetime


class PlanActivation(BaseModel):
    """Activate or deactivate a plan."""

    active: bool


@router.post("/products", status_code=201, response_model=Product)
async def create_product(request: Request, body: NewProduct, caller: ManagesPlans) -> Product:
    """Add a product to the catalogue."""
    async with runtime_of(request).pool.acquire() as connection, connection.transaction():
        record = await repository.insert_product(
            connection, product_id=uuid4(), account_id=caller.account_id, name=body.name
        )
        await audit(connection, caller, Action.PLAN_CREATE_PRODUCT, subject=record["id"])
    return Product(id=record["id"], name=record["name"])


@router.post("/plans", status_code=201, response_model=Plan)
async def create_plan(request: Request, body: NewPlan, caller: ManagesPlans) -> Plan:
    """Add a plan with its priced products."""
    account = caller.account_id
    plan_id = uuid4()
    async with runtime_of(request).pool.acquire() as connection, connection.transaction():
        priced = await repository.insert_plan(
            connection,
            plan_id=plan_id,
            account_id=account,
            name=body.name,
            interval_months=body.interval_months,
            billing_day=body.billing_day,
            product_ids=[p.product_id for p in body.products],
            prices_cents=[p.price_cents for p in body.products],
        )
        if priced != len(body.products):
            raise ApiProblemError(
                422, "plan.unknown_product", "Every product of a plan must be one of your products."
            )
        record = await repository.get_plan(connection, plan_id=plan_id, account_id=account)
        await audit(connection, caller, Action.PLAN_CREATE, subject=plan_id)
    return _plan(record)


def _plan(record: asyncpg.Record | None) -> Plan:
    """A plan just written in this request exists: None here is a bug, not a user error."""
    assert record is not None
    return Plan.model_validate(dict(record))


@router.get("/plans", response_model=list[Plan])
async def list_plans(
    request: Request,
    caller: ChoosesPlans,
    eligible: Annotated[bool, Query(description="Only plans an import may choose.")] = False,
) -> list[Plan]:
    """The account's plans (for whoever manages them or may choose one when starting an import)."""
    async with runtime_of(request).pool.acquire() as connection:
        records = await repository.list_plans(
            connection, account_id=caller.account_id, eligible_only=eligible
        )
    return [Plan.model_validate(dict(record)) for record in records]


@router.patch("/plans/{plan_id}", response_model=Plan)
async def activate_plan(
    request: Request, plan_id: UUID, body: PlanActivation, caller: ManagesPlans
) -> Plan:
    """Activate or deactivate a plan (imports in progress fail the subscriptions that follow)."""
    account = caller.account_id
    async with runtime_of(request).pool.acquire() as connection, connection.transaction():
        if not await repository.set_plan_active(
            connection, plan_id=plan_id, account_id=account, active=body.active
        ):
            raise not_found("plan", plan_id, request)
        record = await repository.get_plan(connection, plan_id=plan_id, account_id=account)
        action = Action.PLAN_ACTIVATE if body.active else Action.PLAN_DEACTIVATE
        await audit(connection, caller, action, subject=plan_id)
    return _plan(record)
