"""The customers API on the real PostgreSQL: one customer with the import's rules, the search."""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from services.upload.access import create_account
from services.upload.catalogue_api import router as catalogue_router
from services.upload.customers import search_terms, today_in_brazil
from services.upload.customers_api import router
from services.upload.customers_repository import LIST_CUSTOMERS, SEARCH_CUSTOMERS
from tests.integration.api_client import api_client

# Valid CPFs (check digits right, not all one digit).
CPF_A = "529.982.247-25"
CPF_B = "111.444.777-35"


@pytest.fixture
async def client(pool: asyncpg.Pool) -> AsyncIterator[httpx.AsyncClient]:
    """The customers routes alone: they only need the pool of the runtime."""
    async with api_client(pool, router) as opened:
        yield opened


@dataclass(frozen=True)
class Account:
    """An account and its Owner's token."""

    id: uuid.UUID
    token: str


AccountFactory = Callable[[], Awaitable[Account]]


@pytest.fixture
def new_account(pool: asyncpg.Pool) -> AccountFactory:
    """Creates an account of the test's own (its Owner may do everything)."""

    async def create() -> Account:
        email = f"dono-{uuid.uuid4().hex[:8]}@padaria.com.br"
        created = await create_account(pool, name="Padaria", owner_email=email)
        return Account(id=created.account_id, token=created.token)

    return create


def headers(account: Account, language: str | None = None) -> dict[str, str]:
    sent = {"Authorization": f"Bearer {account.token}"}
    if language:
        sent["Accept-Language"] = language
    return sent


async def add(client: httpx.AsyncClient, account: Account, **fields: Any) -> dict[str, Any]:
    response = await client.post("/v1/customers", json=fields, headers=headers(account))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def search(
    client: httpx.AsyncClient, account: Account, **params: str | int
) -> dict[str, Any]:
    response = await client.get("/v1/customers", params=params, headers=headers(account))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def names(page: dict[str, Any]) -> list[str]:
    return [item["full_name"] for item in page["items"]]


async def subscribe(pool: asyncpg.Pool, account: Account, customer: str, start: date) -> None:
    plan = uuid.uuid4()
    await pool.execute(
        "INSERT INTO plans (id, account_id, name, interval_months) VALUES ($1, $2, 'Ouro', 1)",
        plan,
        account.id,
    )
    await pool.execute(
        "INSERT INTO subscriptions (id, account_id, customer_id, plan_id, start_date,"
        " payment_method, next_billing_date) VALUES ($1, $2, $3, $4, $5, 'credit_card', $5)",
        uuid.uuid4(),
        account.id,
        uuid.UUID(customer),
        plan,
        start,
    )


async def test_creates_a_customer_with_normalised_values(
    client: httpx.AsyncClient, new_account: AccountFactory, pool: asyncpg.Pool
) -> None:
    account = await new_account()
    created = await add(
        client,
        account,
        full_name="  Maria José da Silva ",
        email="Maria.Silva@Example.COM",
        document=CPF_A,
        phone="(11) 98765-4321",
        postal_code="01310-100",
        state="sp",
        external_code="C-0001",
    )

    stored = await pool.fetchrow("SELECT * FROM customers WHERE id = $1", uuid.UUID(created["id"]))
    assert stored is not None
    assert stored["account_id"] == account.id
    assert (stored["full_name"], stored["email"], stored["document"]) == (
        "Maria José da Silva",
        "maria.silva@example.com",
        "52998224725",
    )
    assert (stored["phone_ddi"], stored["phone_ddd"], stored["phone_number"]) == (
        "55",
        "11",
        "987654321",
    )
    assert (stored["postal_code"], stored["state"], stored["document_kind"]) == (
        "01310100",
        "SP",
        "cpf",
    )
    assert created["status"] == "inactive"
    assert created["email"] == "maria.silva@example.com"


async def test_lists_every_error_in_portuguese_and_in_english(
    client: httpx.AsyncClient, new_account: AccountFactory
) -> None:
    account = await new_account()
    body = {"email": "not-an-email", "document": "123.456.789-00", "state": "XX"}

    pt = await client.post("/v1/customers", json=body, headers=headers(account))
    en = await client.post("/v1/customers", json=body, headers=headers(account, "en-US"))

    assert pt.status_code == en.status_code == 422
    assert pt.headers["content-type"] == "application/problem+json"
    assert pt.json()["code"] == "customer.invalid"
    codes = [(e["field"], e["code"]) for e in pt.json()["errors"]]
    assert codes == [(e["field"], e["code"]) for e in en.json()["errors"]]
    assert set(codes) == {
        ("full_name", "full_name.required"),
        ("email", "email.invalid"),
        ("document", "document.check_digits"),
        ("state", "state.invalid"),
    }
    pt_messages = {e["code"]: e["message"] for e in pt.json()["errors"]}
    en_messages = {e["code"]: e["message"] for e in en.json()["errors"]}
    assert "nome completo em branco" in pt_messages["full_name.required"]
    assert "full name is blank" in en_messages["full_name.required"]
    assert pt_messages["state.invalid"] != en_messages["state.invalid"]


async def test_unknown_fields_and_values_that_are_not_text_are_refused(
    client: httpx.AsyncClient,
    new_account: AccountFactory,
) -> None:
    response = await client.post(
        "/v1/customers",
        json={"full_name": "Ana", "nickname": "Aninha", "street_number": 12},
        headers=headers(await new_account()),
    )

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [
        ("nickname", "field.unknown"),
        ("street_number", "value.not_text"),
    ]
    assert "nickname" in errors[0]["message"]


async def test_an_email_or_external_code_already_in_the_account_is_a_conflict(
    client: httpx.AsyncClient,
    new_account: AccountFactory,
) -> None:
    account = await new_account()
    await add(client, account, full_name="Ana", email="ana@example.com", external_code="A1")

    same_email = await client.post(
        "/v1/customers",
        json={"full_name": "Ana B", "email": "ANA@Example.com"},
        headers=headers(account),
    )
    same_code = await client.post(
        "/v1/customers",
        json={"full_name": "Ana C", "external_code": "A1"},
        headers=headers(account, "en"),
    )
    other_account = await client.post(
        "/v1/customers",
        json={"full_name": "Ana", "email": "ana@example.com", "external_code": "A1"},
        headers=headers(await new_account()),
    )

    assert same_email.status_code == 409
    assert same_email.json()["code"] == "email.already_registered"
    assert "já existe um cliente com este e-mail" in same_email.json()["detail"]
    assert same_code.status_code == 409
    assert same_code.json()["code"] == "external_code.already_registered"
    assert "already exists" in same_code.json()["detail"]
    assert other_account.status_code == 201


async def test_searches_by_name_email_document_and_external_code(
    client: httpx.AsyncClient,
    new_account: AccountFactory,
) -> None:
    account = await new_account()
    await add(client, account, full_name="João Conceição", email="joao@acme.com.br")
    await add(client, account, full_name="Ana Lima", email="ana.lima@acme.com.br", document=CPF_A)
    await add(client, account, full_name="Bia Souza", document=CPF_B, external_code="X-77")
    await add(client, account, full_name="Carla 100% Real_", email="carla@outra.com")

    assert names(await search(client, account, q="CONCEICAO")) == ["João Conceição"]
    assert names(await search(client, account, q="joão conc")) == ["João Conceição"]
    assert names(await search(client, account, q="ANA.LIMA@")) == ["Ana Lima"]
    assert names(await search(client, account, q="lima@acme")) == []  # a prefix, not inside
    assert names(await search(client, account, q="529.982.247-25")) == ["Ana Lima"]
    assert names(await search(client, account, q="111444")) == ["Bia Souza"]
    assert names(await search(client, account, q="X-77")) == ["Bia Souza"]
    assert names(await search(client, account, q="X-7")) == []  # the code is exact
    assert names(await search(client, account, q="100%")) == ["Carla 100% Real_"]
    assert names(await search(client, account, q="a_")) == []  # "_" is not a wildcard
    assert len((await search(client, account))["items"]) == 4


async def test_nul_characters_are_dropped_from_a_customer_and_refused_elsewhere(
    pool: asyncpg.Pool, new_account: AccountFactory
) -> None:
    # PostgreSQL stores no NUL: a customer's fields drop it, as the import's cells do; other
    # text with one is the client's mistake (422), not an internal error.
    account = await new_account()
    async with api_client(pool, router, catalogue_router) as client:
        created = await add(client, account, full_name="Ana\x00 Lima\x00", notes="\x00")
        assert (created["full_name"], created["notes"]) == ("Ana Lima", None)

        for language, words in (("pt-BR", "Remova-o"), ("en", "Remove it")):
            response = await client.post(
                "/v1/products", json={"name": "Pão\x00"}, headers=headers(account, language)
            )
            assert response.status_code == 422
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["code"] == "request.nul_character"
            assert words in response.json()["detail"]


async def test_status_is_active_once_a_subscription_has_started(
    client: httpx.AsyncClient, new_account: AccountFactory, pool: asyncpg.Pool
) -> None:
    account = await new_account()
    today = today_in_brazil()
    started = await add(client, account, full_name="Started Today")
    future = await add(client, account, full_name="Starts Next Month")
    await add(client, account, full_name="No Plan")
    await subscribe(pool, account, started["id"], today)
    await subscribe(pool, account, future["id"], today + timedelta(days=31))

    everyone = await search(client, account)
    active = await search(client, account, status="active")
    inactive = await search(client, account, status="inactive")
    detail = await client.get(f"/v1/customers/{started['id']}", headers=headers(account))

    assert {item["full_name"]: item["status"] for item in everyone["items"]} == {
        "Started Today": "active",
        "Starts Next Month": "inactive",
        "No Plan": "inactive",
    }
    assert names(active) == ["Started Today"]
    assert names(inactive) == ["No Plan", "Starts Next Month"]
    assert names(await search(client, account, q="today", status="inactive")) == []
    assert detail.status_code == 200
    assert detail.json()["status"] == "active"
    [subscription] = detail.json()["subscriptions"]
    assert (subscription["plan_name"], subscription["start_date"]) == ("Ouro", today.isoformat())


async def test_another_accounts_customer_is_not_found(
    client: httpx.AsyncClient, new_account: AccountFactory
) -> None:
    owner, other = await new_account(), await new_account()
    created = await add(client, owner, full_name="Só Meu", external_code="M1")

    mine = await client.get(f"/v1/customers/{created['id']}", headers=headers(owner))
    theirs = await client.get(f"/v1/customers/{created['id']}", headers=headers(other))

    assert mine.status_code == 200
    assert mine.json()["subscriptions"] == []
    assert theirs.status_code == 404
    assert theirs.json()["code"] == "customer.not_found"
    assert (await search(client, other))["items"] == []
    assert (await search(client, other, q="M1"))["items"] == []
    no_token = await client.get("/v1/customers")
    assert no_token.status_code == 401
    assert no_token.json()["code"] == "auth.invalid_token"


async def test_pages_newest_first_with_a_cursor(
    client: httpx.AsyncClient, new_account: AccountFactory
) -> None:
    account = await new_account()
    for number in range(5):
        await add(client, account, full_name=f"Cliente {number}")

    first = await search(client, account, limit=2)
    second = await search(client, account, limit=2, cursor=first["next_cursor"])
    third = await search(client, account, limit=2, cursor=second["next_cursor"])
    bad = await client.get("/v1/customers?cursor=nope", headers=headers(account))

    assert names(first) + names(second) + names(third) == [f"Cliente {n}" for n in range(4, -1, -1)]
    assert third["next_cursor"] is None
    assert bad.status_code == 400


async def test_a_name_search_uses_the_trigram_index_on_a_large_account(pool: asyncpg.Pool) -> None:
    account = uuid.uuid4()
    # 50 000 customers of one account; one in 5 000 is a "Conceição".
    await pool.execute(
        """
        INSERT INTO customers (id, account_id, full_name, email, external_code, created_at)
        SELECT gen_random_uuid(), $1,
               CASE WHEN i % 5000 = 0 THEN 'Maria da Conceição ' || i
                    ELSE 'Cliente Número ' || i END,
               'cliente' || i || '@example.com', 'EXT-' || i,
               now() - i * interval '1 second'
        FROM generate_series(1, 50000) AS i
        """,
        account,
    )
    await pool.execute("ANALYZE customers")
    terms = search_terms("conceicao")
    arguments = (
        account,
        today_in_brazil(),
        terms.name,
        terms.email_prefix,
        terms.document_prefix,
        terms.external_code,
        None,
        None,
        None,
        51,
    )

    async with pool.acquire() as connection, connection.transaction():
        await connection.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        plan = "\n".join(
            row[0] for row in await connection.fetch("EXPLAIN " + SEARCH_CUSTOMERS, *arguments)
        )
        found = await connection.fetch(SEARCH_CUSTOMERS, *arguments)
        listing = (account, today_in_brazil(), "inactive", None, None, 51)
        list_plan = "\n".join(
            row[0] for row in await connection.fetch("EXPLAIN " + LIST_CUSTOMERS, *listing)
        )
    print(f"\nEXPLAIN of a name search on 50 000 customers:\n{plan}")
    print(f"\nEXPLAIN of the inactive customers, first page:\n{list_plan}")

    assert len(found) == 10
    assert "Bitmap Index Scan on customers_name_trgm" in plan
    assert "Seq Scan on customers" not in plan
    # Which index serves the first page depends on what else the session's database holds;
    # what must hold is that the account's customers are never read whole.
    assert "Index Scan using customers_" in list_plan
    assert "Seq Scan on customers" not in list_plan
