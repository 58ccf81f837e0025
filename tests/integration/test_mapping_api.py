"""Required fields, custom fields and the mapping step on the real PostgreSQL and S3 server."""

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from minio import Minio

from services.upload.access import NewAccount, create_account
from services.upload.access_api import router as access_router
from services.upload.account_fields_api import router as account_fields_router
from services.upload.api import router as imports_router
from services.upload.customers_api import router as customers_router
from services.upload.imports import MappingIncompleteError, start_import
from services.upload.mapping_api import router as mapping_router
from shared.events import FileAccepted
from shared.rules.custom_fields import CustomFieldDefinition, CustomFieldType
from shared.rules.fields import Field
from tests.integration.api_client import api_client

LOYALTY = {
    "key": "nivel_fidelidade",
    "label": "Nível de fidelidade",
    "type": "one_of",
    "options": ["Bronze", "Prata", "Ouro"],
}
BIRTHDAY = {"key": "aniversario", "label": "Aniversário", "type": "date", "required": True}
# A header no synonym recognises but "Correio eletrônico", and the custom field by its label.
FREE_FORM = (
    "Cliente;Correio eletrônico;Fidelidade;Observação interna\n"
    "Ana Lima;ana@exemplo.com;ouro;cliente antiga\n"
).encode()


@pytest.fixture
async def client(
    pool: asyncpg.Pool, storage: Minio, bucket: str
) -> AsyncIterator[httpx.AsyncClient]:
    """Upload, mapping, settings, customers and users routes, with the pool and the S3 server."""
    async with api_client(
        pool,
        imports_router,
        mapping_router,
        account_fields_router,
        customers_router,
        access_router,
        storage=storage,
        bucket=bucket,
    ) as opened:
        yield opened


async def new_account(pool: asyncpg.Pool) -> NewAccount:
    return await create_account(
        pool, name="Padaria", owner_email=f"dono-{uuid.uuid4().hex[:8]}@padaria.com.br"
    )


def bearer(account: NewAccount | str, language: str | None = None) -> dict[str, str]:
    token = account if isinstance(account, str) else account.token
    sent = {"Authorization": f"Bearer {token}"}
    if language:
        sent["Accept-Language"] = language
    return sent


async def member_token(client: httpx.AsyncClient, owner: NewAccount, role: str) -> str:
    email = f"{role.lower()}-{uuid.uuid4().hex[:6]}@padaria.com.br"
    user = await client.post(
        "/v1/users", json={"name": role, "email": email, "role": role}, headers=bearer(owner)
    )
    token = await client.post(f"/v1/users/{user.json()['id']}/tokens", headers=bearer(owner))
    issued: str = token.json()["token"]
    return issued


async def upload(client: httpx.AsyncClient, account: NewAccount, body: bytes) -> str:
    response = await client.post(
        "/v1/imports",
        params={"file_name": "clientes.csv"},
        content=body,
        headers={**bearer(account), "Content-Type": "text/csv"},
    )
    assert response.status_code == 201, response.text
    import_id: str = response.json()["id"]
    return import_id


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    return body


# --- required fields ----------------------------------------------------------------------------


async def test_only_the_full_name_is_required_until_the_account_requires_more(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    owner = await new_account(pool)
    first = await client.get("/v1/settings", headers=bearer(owner))
    assert first.json() == {"required_fields": ["full_name"]}

    changed = await client.put(
        "/v1/settings", json={"required_fields": ["postal_code", "email"]}, headers=bearer(owner)
    )
    assert changed.json() == {"required_fields": ["full_name", "email", "postal_code"]}
    again = await client.get("/v1/settings", headers=bearer(owner))
    assert again.json() == changed.json()
    # Another account is untouched.
    other = await new_account(pool)
    untouched = await client.get("/v1/settings", headers=bearer(other))
    assert untouched.json() == {"required_fields": ["full_name"]}


async def test_an_unknown_required_field_is_refused_saying_which_fields_exist(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    owner = await new_account(pool)
    sent = {"required_fields": ["email", "telefone", "phone"]}
    pt = await client.put("/v1/settings", json=sent, headers=bearer(owner))
    body = assert_problem(pt, 422, "settings.unknown_field")
    assert body["fields"] == ["telefone", "phone"]
    assert "«telefone», «phone»: não são campos" in body["detail"]
    assert "phone_number" in body["detail"]
    en = await client.put("/v1/settings", json=sent, headers=bearer(owner, "en"))
    assert "not fields that can be required" in en.json()["detail"]
    unchanged = await client.get("/v1/settings", headers=bearer(owner))
    assert unchanged.json() == {"required_fields": ["full_name"]}


async def test_support_reads_the_settings_a_manager_changes_them_an_observer_neither(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    owner = await new_account(pool)
    support = await member_token(client, owner, "Support")
    manager = await member_token(client, owner, "Manager")
    observer = await member_token(client, owner, "Observer")
    sent = {"required_fields": ["email"]}
    assert (await client.get("/v1/settings", headers=bearer(support))).status_code == 200
    refused = await client.put("/v1/settings", json=sent, headers=bearer(support))
    assert assert_problem(refused, 403, "auth.forbidden")["permissions"] == ["settings:manage"]
    assert (await client.put("/v1/settings", json=sent, headers=bearer(manager))).status_code == 200
    assert (await client.get("/v1/settings", headers=bearer(observer))).status_code == 403
    me = await client.get("/v1/me", headers=bearer(manager))
    assert "settings:manage" in me.json()["permissions"]


# --- custom fields ------------------------------------------------------------------------------


async def test_custom_fields_are_added_listed_changed_and_removed(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    owner = await new_account(pool)
    added = await client.post("/v1/custom-fields", json=LOYALTY, headers=bearer(owner))
    assert added.status_code == 201, added.text
    assert added.json() == {**LOYALTY, "required": False}
    await client.post("/v1/custom-fields", json=BIRTHDAY, headers=bearer(owner))

    listed = await client.get("/v1/custom-fields", headers=bearer(owner))
    assert [item["key"] for item in listed.json()["items"]] == ["nivel_fidelidade", "aniversario"]

    changed = await client.put(
        "/v1/custom-fields/nivel_fidelidade",
        json={**LOYALTY, "options": ["Prata", "Ouro", "Diamante"], "required": True},
        headers=bearer(owner),
    )
    assert changed.json()["options"] == ["Prata", "Ouro", "Diamante"]
    assert changed.json()["required"] is True

    assert (
        await client.delete("/v1/custom-fields/aniversario", headers=bearer(owner))
    ).status_code == 204
    gone = await client.delete("/v1/custom-fields/aniversario", headers=bearer(owner))
    assert_problem(gone, 404, "custom_field.not_found")
    listed = await client.get("/v1/custom-fields", headers=bearer(owner))
    assert [item["key"] for item in listed.json()["items"]] == ["nivel_fidelidade"]
    # Another account has none of them.
    other = await new_account(pool)
    assert (await client.get("/v1/custom-fields", headers=bearer(other))).json() == {"items": []}


@pytest.mark.parametrize(
    ("sent", "code", "fragment"),
    [
        ({**LOYALTY, "key": "Nível"}, "custom_field.key_invalid", "letras minúsculas"),
        ({**LOYALTY, "key": "email"}, "custom_field.key_reserved", "campo do modelo"),
        ({**LOYALTY, "options": []}, "custom_field.options_missing", "precisa de opções"),
        ({**LOYALTY, "options": ["Ouro", "OURO"]}, "custom_field.options_repeated", "repetidas"),
        ({**BIRTHDAY, "options": ["x"]}, "custom_field.options_not_allowed", "one_of"),
        ({**BIRTHDAY, "label": "E-mail"}, "custom_field.name_taken", "«E-mail»"),
        ({**BIRTHDAY, "label": "  "}, "custom_field.label_blank", "nome"),
    ],
)
async def test_a_custom_field_that_cannot_work_is_refused_with_how_to_fix_it(
    client: httpx.AsyncClient, pool: asyncpg.Pool, sent: dict[str, Any], code: str, fragment: str
) -> None:
    owner = await new_account(pool)
    response = await client.post("/v1/custom-fields", json=sent, headers=bearer(owner))
    body = assert_problem(response, 422, code)
    assert fragment in body["detail"]
    assert (await client.get("/v1/custom-fields", headers=bearer(owner))).json() == {"items": []}


async def test_a_custom_field_key_is_taken_once(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    owner = await new_account(pool)
    await client.post("/v1/custom-fields", json=LOYALTY, headers=bearer(owner))
    again = await client.post(
        "/v1/custom-fields", json={**LOYALTY, "label": "Outro"}, headers=bearer(owner, "en")
    )
    body = assert_problem(again, 409, "custom_field.exists")
    assert "PUT /v1/custom-fields/nivel_fidelidade" in body["detail"]


# --- the mapping step ---------------------------------------------------------------------------


async def test_a_free_form_header_is_suggested_then_mapped_by_the_user(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    owner = await new_account(pool)
    await client.put("/v1/settings", json={"required_fields": ["email"]}, headers=bearer(owner))
    await client.post(
        "/v1/custom-fields", json={**LOYALTY, "label": "Fidelidade"}, headers=bearer(owner)
    )
    # Not rejected at upload: which column holds the name is the mapping step's question.
    import_id = await upload(client, owner, FREE_FORM)

    suggested = (await client.get(f"/v1/imports/{import_id}/mapping", headers=bearer(owner))).json()
    assert [(c["header"], c["field"], c["chosen"]) for c in suggested["columns"]] == [
        ("Cliente", None, False),
        ("Correio eletrônico", "email", False),
        ("Fidelidade", "nivel_fidelidade", False),
        ("Observação interna", None, False),
    ]
    assert suggested["missing_required"] == ["full_name"]
    assert suggested["ready"] is False
    assert any("«Cliente», «Observação interna»" in note for note in suggested["notes"])
    assert {
        "field": "nivel_fidelidade",
        "label": "Fidelidade",
        "custom": True,
        "required": False,
    } in suggested["fields"]
    english = await client.get(f"/v1/imports/{import_id}/mapping", headers=bearer(owner, "en"))
    assert any("«Full name» (full_name)" in note for note in english.json()["notes"])
    assert any("will be ignored" in note for note in english.json()["notes"])

    chosen = await client.put(
        f"/v1/imports/{import_id}/mapping",
        json={"columns": [{"column": 0, "field": "full_name"}]},
        headers=bearer(owner),
    )
    assert chosen.status_code == 200, chosen.text
    view = chosen.json()
    assert [(c["field"], c["chosen"]) for c in view["columns"]] == [
        ("full_name", True),
        ("email", False),
        ("nivel_fidelidade", False),
        (None, False),
    ]
    assert view["ignored"] == [{"column": 3, "header": "Observação interna"}]
    assert view["ready"] is True
    # The choice is kept: the next GET shows it.
    again = (await client.get(f"/v1/imports/{import_id}/mapping", headers=bearer(owner))).json()
    assert again["columns"] == view["columns"]


async def test_a_mapping_without_a_required_field_is_refused_and_nothing_is_kept(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    owner = await new_account(pool)
    await client.put("/v1/settings", json={"required_fields": ["email"]}, headers=bearer(owner))
    import_id = await upload(client, owner, FREE_FORM)
    sent = {"columns": [{"column": 0, "field": "full_name"}, {"column": 1, "field": None}]}

    pt = await client.put(f"/v1/imports/{import_id}/mapping", json=sent, headers=bearer(owner))
    body = assert_problem(pt, 422, "mapping.missing_required")
    assert body["missing_required"] == ["email"]
    assert "campos obrigatórios «E-mail» (email)" in body["detail"]
    assert f"PUT /v1/imports/{import_id}/mapping" in body["detail"]
    en = await client.put(
        f"/v1/imports/{import_id}/mapping", json=sent, headers=bearer(owner, "en")
    )
    assert "No column of the spreadsheet is mapped" in en.json()["detail"]

    kept = (await client.get(f"/v1/imports/{import_id}/mapping", headers=bearer(owner))).json()
    assert not any(column["chosen"] for column in kept["columns"])


async def test_choices_naming_no_column_or_no_field_are_each_explained(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    owner = await new_account(pool)
    import_id = await upload(client, owner, FREE_FORM)
    sent = {
        "columns": [
            {"column": 0, "field": "nome"},
            {"column": 1, "field": "full_name"},
            {"column": 2, "field": "full_name"},
            {"column": 9, "field": "email"},
        ]
    }
    response = await client.put(
        f"/v1/imports/{import_id}/mapping", json=sent, headers=bearer(owner)
    )
    body = assert_problem(response, 422, "mapping.unknown_field")
    assert [(p["code"], p["column"]) for p in body["problems"]] == [
        ("mapping.unknown_field", 0),
        ("mapping.field_twice", 2),
        ("mapping.unknown_column", 9),
    ]
    assert "«nome» (coluna 0) não é um campo" in body["detail"]
    assert "colunas 1 e 2" in body["detail"]
    assert "o arquivo tem 4 colunas, numeradas de 0 a 3" in body["detail"]


async def test_another_accounts_import_has_no_mapping_to_see_or_change(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    owner, stranger = await new_account(pool), await new_account(pool)
    import_id = await upload(client, owner, FREE_FORM)
    path = f"/v1/imports/{import_id}/mapping"
    assert_problem(await client.get(path, headers=bearer(stranger)), 404, "import.not_found")
    refused = await client.put(path, json={"columns": []}, headers=bearer(stranger))
    assert_problem(refused, 404, "import.not_found")


async def test_a_saved_mapping_is_reused_on_a_file_in_another_order(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    owner = await new_account(pool)
    await client.post("/v1/custom-fields", json=LOYALTY, headers=bearer(owner))
    first = await upload(client, owner, FREE_FORM)
    await client.put(
        f"/v1/imports/{first}/mapping",
        json={
            "columns": [
                {"column": 0, "field": "full_name"},
                {"column": 2, "field": "nivel_fidelidade"},
            ]
        },
        headers=bearer(owner),
    )
    saved = await client.put(
        "/v1/mappings/Planilha da loja", json={"import_id": first}, headers=bearer(owner)
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["columns"] == [
        {"header": "Cliente", "field": "full_name"},
        {"header": "Correio eletrônico", "field": "email"},
        {"header": "Fidelidade", "field": "nivel_fidelidade"},
        {"header": "Observação interna", "field": None},
    ]

    reordered = "fidelidade;CLIENTE;Correio eletronico\nprata;Bia Souza;bia@exemplo.com\n"
    second = await upload(client, owner, reordered.encode())
    applied = await client.put(
        f"/v1/imports/{second}/mapping",
        json={"saved_mapping": "Planilha da loja"},
        headers=bearer(owner),
    )
    assert applied.status_code == 200, applied.text
    assert [(c["field"], c["chosen"]) for c in applied.json()["columns"]] == [
        ("nivel_fidelidade", True),
        ("full_name", True),
        ("email", True),
    ]
    listed = (await client.get("/v1/mappings", headers=bearer(owner))).json()
    assert [item["name"] for item in listed["items"]] == ["Planilha da loja"]

    unknown = await client.put(
        f"/v1/imports/{second}/mapping", json={"saved_mapping": "Outra"}, headers=bearer(owner)
    )
    assert "GET /v1/mappings" in assert_problem(unknown, 404, "mapping.saved_not_found")["detail"]
    deleted = await client.delete("/v1/mappings/Planilha da loja", headers=bearer(owner))
    assert deleted.status_code == 204
    assert (await client.get("/v1/mappings", headers=bearer(owner))).json() == {"items": []}


async def test_an_observer_cannot_map_columns(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    owner = await new_account(pool)
    observer = await member_token(client, owner, "Observer")
    import_id = await upload(client, owner, FREE_FORM)
    response = await client.get(f"/v1/imports/{import_id}/mapping", headers=bearer(observer))
    assert assert_problem(response, 403, "auth.forbidden")["permissions"] == ["imports:create"]


# --- the start: a snapshot of what the validator needs ------------------------------------------


async def test_the_start_publishes_the_effective_mapping_and_the_accounts_fields(
    client: httpx.AsyncClient, pool: asyncpg.Pool, storage: Minio, bucket: str
) -> None:
    owner = await new_account(pool)
    await client.put("/v1/settings", json={"required_fields": ["email"]}, headers=bearer(owner))
    await client.post(
        "/v1/custom-fields", json={**LOYALTY, "label": "Fidelidade"}, headers=bearer(owner)
    )
    import_id = await upload(client, owner, FREE_FORM)
    published: list[FileAccepted] = []

    async def publish(event: FileAccepted) -> None:
        published.append(event)

    async def start() -> None:
        await start_import(
            import_id=uuid.UUID(import_id),
            account_id=owner.account_id,
            started_by=owner.owner_id,
            plan=None,
            pool=pool,
            storage=storage,
            bucket=bucket,
            publish=publish,
        )

    with pytest.raises(MappingIncompleteError) as refused:
        await start()
    assert refused.value.mapping.missing_required == ("full_name",)
    assert published == []

    await client.put(
        f"/v1/imports/{import_id}/mapping",
        json={"columns": [{"column": 0, "field": "full_name"}]},
        headers=bearer(owner),
    )
    await start()
    (event,) = published
    assert event.mapping == {0: "full_name", 1: "email", 2: "nivel_fidelidade"}
    assert event.required_fields == (Field.FULL_NAME, Field.EMAIL)
    assert event.custom_fields == (
        CustomFieldDefinition(
            key="nivel_fidelidade",
            label="Fidelidade",
            type=CustomFieldType.ONE_OF,
            options=("Bronze", "Prata", "Ouro"),
        ),
    )
    # Started: the mapping can no longer change.
    late = await client.put(
        f"/v1/imports/{import_id}/mapping", json={"columns": []}, headers=bearer(owner)
    )
    assert "processing" in assert_problem(late, 409, "import.not_mappable")["detail"]


# --- one customer with the account's fields -----------------------------------------------------


async def test_one_customer_is_judged_by_the_accounts_required_and_custom_fields(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    owner = await new_account(pool)
    await client.put("/v1/settings", json={"required_fields": ["email"]}, headers=bearer(owner))
    await client.post("/v1/custom-fields", json=LOYALTY, headers=bearer(owner))
    await client.post("/v1/custom-fields", json=BIRTHDAY, headers=bearer(owner))

    refused = await client.post(
        "/v1/customers",
        json={
            "full_name": "Ana Lima",
            "custom_fields": {"nivel_fidelidade": "Diamante", "cor": "azul"},
        },
        headers=bearer(owner),
    )
    body = assert_problem(refused, 422, "customer.invalid")
    assert [(e["field"], e["custom_field"], e["code"]) for e in body["errors"]] == [
        ("custom_fields.cor", None, "custom_field.unknown"),
        ("email", None, "value.required"),
        (None, "nivel_fidelidade", "custom_option.invalid"),
        (None, "aniversario", "value.required"),
    ]
    assert "Coluna «Nível de fidelidade»: «Diamante» não é uma das opções" in body["detail"]
    assert "Os campos são: nivel_fidelidade, aniversario" in body["detail"]

    created = await client.post(
        "/v1/customers",
        json={
            "full_name": "Ana Lima",
            "email": "ana@exemplo.com",
            "custom_fields": {"nivel_fidelidade": "ouro", "aniversario": "17/05/1990"},
        },
        headers=bearer(owner),
    )
    assert created.status_code == 201, created.text
    assert created.json()["custom_fields"] == {
        "nivel_fidelidade": "Ouro",
        "aniversario": "1990-05-17",
    }
    shown = await client.get(f"/v1/customers/{created.json()['id']}", headers=bearer(owner))
    assert shown.json()["custom_fields"] == created.json()["custom_fields"]
