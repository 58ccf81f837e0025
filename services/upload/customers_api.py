"""HTTP routes of customers: add one with the import's rules, search them, show one."""

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Body, Query, Request
from pydantic import BaseModel

from services.upload.access import Action, audit
from services.upload.account_fields import account_fields
from services.upload.api import LanguageHeader, decode_cursor, encode_cursor
from services.upload.auth import CreatesCustomers, ViewsCustomers
from services.upload.customers import (
    CustomerAlreadyRegisteredError,
    CustomerStatus,
    InputProblem,
    InvalidCustomerError,
    create_customer,
    get_customer,
    read_customer,
    search_customers,
    status_of,
    today_in_brazil,
)
from services.upload.problems import ApiProblemError, locale_of, not_found
from services.upload.runtime import runtime_of
from shared.customer import CustomValue
from shared.rules.errors import Locale, RowError, render_error

router = APIRouter(prefix="/v1", tags=["customers"])


class Customer(BaseModel):
    """A customer of the account, with its values as the rules stored them."""

    id: UUID
    status: CustomerStatus
    full_name: str
    email: str | None
    document: str | None
    document_kind: str | None
    phone_type: str | None
    phone_ddi: str | None
    phone_ddd: str | None
    phone_number: str | None
    phone_extension: str | None
    postal_code: str | None
    street: str | None
    street_number: str | None
    complement: str | None
    district: str | None
    city: str | None
    state: str | None
    notes: str | None
    external_code: str | None
    # The account's custom fields, by key: text, number, true/false, or a date as YYYY-MM-DD.
    custom_fields: dict[str, CustomValue]
    source_import_id: UUID | None
    created_at: datetime


class Subscription(BaseModel):
    """A subscription of the customer to one of the account's plans."""

    id: UUID
    plan_id: UUID
    plan_name: str
    start_date: date
    next_billing_date: date
    payment_method: str
    source_import_id: UUID | None
    created_at: datetime


class CustomerDetail(Customer):
    """A customer with its subscriptions."""

    subscriptions: list[Subscription]


class CustomerPage(BaseModel):
    """One page of customers, newest first; pass next_cursor back for the next one."""

    items: list[Customer]
    next_cursor: str | None


_EXAMPLE = {
    "full_name": "Maria José da Silva",
    "email": "Maria.Silva@Example.com",
    "document": "123.456.789-09",
    "phone": "(11) 98765-4321",
    "postal_code": "01310-100",
    "state": "sp",
    "external_code": "C-0001",
    "custom_fields": {"aniversario": "31/01/1990"},
}


def _customer(record: asyncpg.Record) -> Customer:
    return Customer.model_validate({**dict(record), "status": status_of(record["active"])})


def _error(error: RowError, locale: Locale) -> dict[str, object]:
    return {
        "field": error.field,
        "custom_field": error.custom_field,
        "code": error.code,
        "params": error.params,
        "message": render_error(error, locale),
    }


def _input_error(problem: InputProblem, locale: Locale) -> dict[str, object]:
    return {
        "field": problem.key,
        "custom_field": None,
        "code": problem.code,
        "params": {},
        "message": problem.message(locale),
    }


def _invalid(error: InvalidCustomerError, locale: Locale) -> ApiProblemError:
    errors = [_input_error(p, locale) for p in error.inputs] + [
        _error(e, locale) for e in error.errors
    ]
    detail = " | ".join(str(e["message"]) for e in errors)
    return ApiProblemError(422, "customer.invalid", detail, errors=errors)


@router.post("/customers", status_code=201, response_model=Customer)
async def add_customer(
    request: Request,
    body: Annotated[
        dict[str, Any],
        Body(
            description="Field name -> text, as a spreadsheet cell would hold it; the account's "
            'custom fields under "custom_fields", by key. The account\'s required fields and '
            "custom fields are checked as an import checks them.",
            examples=[_EXAMPLE],
        ),
    ],
    caller: CreatesCustomers,
    accept_language: LanguageHeader = None,
) -> Customer:
    """Add one customer with the import's rules and errors; e-mail and external code unique."""
    locale = locale_of(accept_language)
    pool = runtime_of(request).pool
    async with pool.acquire() as connection:
        fields = await account_fields(connection, account_id=caller.account_id)
    try:
        customer = read_customer(body, required=fields.required, custom_fields=fields.custom_fields)
        record = await create_customer(pool, account_id=caller.account_id, customer=customer)
    except InvalidCustomerError as error:
        raise _invalid(error, locale) from error
    except CustomerAlreadyRegisteredError as error:
        errors = [_error(e, locale) for e in error.errors]
        detail = " | ".join(str(e["message"]) for e in errors)
        raise ApiProblemError(409, error.errors[0].code, detail, errors=errors) from error
    await audit(pool, caller, Action.CUSTOMER_CREATE, subject=record["id"])
    return _customer(record)


@router.get("/customers", response_model=CustomerPage)
async def list_customers(
    request: Request,
    caller: ViewsCustomers,
    q: Annotated[
        str | None,
        Query(
            max_length=254,
            description="Part of the name (any case or accents), the start of the e-mail or "
            "of the CPF/CNPJ (punctuated or not), or the exact external code.",
        ),
    ] = None,
    status: CustomerStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> CustomerPage:
    """The account's customers, newest first, optionally searched and filtered by status."""
    records = await search_customers(
        runtime_of(request).pool,
        account_id=caller.account_id,
        query=q,
        status=status,
        before=decode_cursor(cursor),
        limit=limit + 1,
        today=today_in_brazil(),
    )
    page = records[:limit]
    next_cursor = encode_cursor(page[-1]) if len(records) > limit else None
    return CustomerPage(items=[_customer(r) for r in page], next_cursor=next_cursor)


@router.get("/customers/{customer_id}", response_model=CustomerDetail)
async def show_customer(
    request: Request, customer_id: UUID, caller: ViewsCustomers
) -> CustomerDetail:
    """One customer with its status and subscriptions."""
    found = await get_customer(
        runtime_of(request).pool,
        customer_id=customer_id,
        account_id=caller.account_id,
        today=today_in_brazil(),
    )
    if found is None:
        raise not_found("customer", customer_id, request)
    record, subscriptions = found
    return CustomerDetail(
        **_customer(record).model_dump(),
        subscriptions=[Subscription.model_validate(dict(s)) for s in subscriptions],
    )
