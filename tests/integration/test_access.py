"""API tokens, roles and the audit trail on the real PostgreSQL, through the HTTP routes."""

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from minio import Minio

from services.upload import repository
from services.upload.access import NewAccount, create_account
from services.upload.access_api import router as access_router
from services.upload.api import router as imports_router
from services.upload.customers_api import router as customers_router
from services.upload.file_intake import CheckedFile
from services.upload.precheck import Precheck
from stack.infra import InfraEndpoints
from tests.integration.api_client import api_client


@pytest.fixture
async def client(
    pool: asyncpg.Pool, storage: Minio, bucket: str
) -> AsyncIterator[httpx.AsyncClient]:
    """The routes with the pool and the object store (starting reads the file's header); no
    upload body, no broker."""
    async with api_client(
        pool, imports_router, customers_router, access_router, storage=storage, bucket=bucket
    ) as opened:
        yield opened


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def new_account(pool: asyncpg.Pool) -> NewAccount:
    return await create_account(
        pool, name="Padaria", owner_email=f"dono-{uuid.uuid4().hex[:8]}@padaria.com.br"
    )


async def member(client: httpx.AsyncClient, owner: NewAccount, role: str) -> tuple[str, str]:
    """A new user of the owner's account with this role: (user id, token)."""
    email = f"{uuid.uuid4().hex[:8]}@padaria.com.br"
    user = await client.post(
        "/v1/users",
        json={"name": "Fulano", "email": email, "role": role},
        headers=bearer(owner.token),
    )
    assert user.status_code == 201, user.text
    token = await client.post(f"/v1/users/{user.json()['id']}/tokens", headers=bearer(owner.token))
    assert token.status_code == 201, token.text
    return user.json()["id"], token.json()["token"]


async def insert_import(pool: asyncpg.Pool, account: NewAccount) -> uuid.UUID:
    import_id = uuid.uuid4()
    async with pool.acquire() as connection:
        await repository.insert_import(
            connection,
            import_id=import_id,
            account_id=account.account_id,
            created_by=account.owner_id,
            file_name="clientes.csv",
            # No problem found: an uploaded import.
            file=CheckedFile(
                object_key=f"{account.account_id}/{import_id}",
                size_bytes=10,
                check=Precheck(dialect=None),
            ),
        )
    return import_id


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer nonsense", "Bearer cit_000000000000.secret", "Basic dXNlcjpwdw=="],
)
async def test_no_valid_token_is_401(client: httpx.AsyncClient, authorization: str | None) -> None:
    sent = {"Authorization": authorization} if authorization else {}
    response = await client.get("/v1/imports", headers=sent)

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["code"] == "auth.invalid_token"


async def test_a_token_with_a_wrong_secret_is_401(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    account = await new_account(pool)
    prefix = account.token.partition(".")[0]

    forged = await client.get("/v1/imports", headers=bearer(f"{prefix}.{'A' * 43}"))

    assert forged.status_code == 401
    assert (await client.get("/v1/imports", headers=bearer(account.token))).status_code == 200


async def test_tokens_are_stored_hashed_and_listed_by_prefix(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    account = await new_account(pool)
    prefix, _, secret = account.token.partition(".")

    stored = await pool.fetchrow("SELECT * FROM api_tokens WHERE prefix = $1", prefix)
    listed = await client.get("/v1/tokens", headers=bearer(account.token))

    assert stored is not None
    assert secret.encode() not in bytes(stored["secret_hash"])
    assert len(stored["secret_hash"]) == 32  # SHA-256
    assert listed.json() == [
        {
            "prefix": prefix,
            "user_id": str(account.owner_id),
            "created_at": listed.json()[0]["created_at"],
            "revoked_at": None,
        }
    ]
    assert account.token not in listed.text


async def test_a_revoked_token_is_401(client: httpx.AsyncClient, pool: asyncpg.Pool) -> None:
    owner = await new_account(pool)
    _, token = await member(client, owner, "Support")
    assert (await client.get("/v1/imports", headers=bearer(token))).status_code == 200
    prefix = token.partition(".")[0]

    stranger = await new_account(pool)
    not_theirs = await client.delete(f"/v1/tokens/{prefix}", headers=bearer(stranger.token))
    revoked = await client.delete(f"/v1/tokens/{prefix}", headers=bearer(owner.token))
    again = await client.delete(f"/v1/tokens/{prefix}", headers=bearer(owner.token))

    assert not_theirs.status_code == 404
    assert revoked.status_code == again.status_code == 204
    after = await client.get("/v1/imports", headers=bearer(token))
    assert after.status_code == 401
    assert after.json()["code"] == "auth.invalid_token"


async def test_an_observer_may_list_imports_but_not_create_one(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    owner = await new_account(pool)
    import_id = await insert_import(pool, owner)
    _, token = await member(client, owner, "Observer")

    listed = await client.get("/v1/imports", headers=bearer(token))
    upload = await client.post(
        "/v1/imports?file_name=a.csv", content=b"Nome completo\nAna\n", headers=bearer(token)
    )
    start = await client.post(f"/v1/imports/{import_id}/start", headers=bearer(token))
    add_user = await client.post(
        "/v1/users",
        json={"name": "X", "email": "x@padaria.com.br", "role": "Owner"},
        headers=bearer(token),
    )

    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["items"]] == [str(import_id)]
    assert listed.json()["items"][0]["created_by"] == str(owner.owner_id)
    assert upload.status_code == start.status_code == 403
    assert upload.headers["content-type"] == "application/problem+json"
    assert upload.json()["code"] == "auth.forbidden"
    assert upload.json()["permissions"] == ["imports:create"]
    assert "imports:create" in upload.json()["detail"]
    assert add_user.status_code == 403
    assert add_user.json()["permissions"] == ["users:manage"]


async def test_another_accounts_import_is_not_found(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    owner, stranger = await new_account(pool), await new_account(pool)
    import_id = await insert_import(pool, owner)

    mine = await client.get(f"/v1/imports/{import_id}", headers=bearer(owner.token))
    theirs = await client.get(f"/v1/imports/{import_id}", headers=bearer(stranger.token))
    start = await client.post(f"/v1/imports/{import_id}/start", headers=bearer(stranger.token))
    their_list = await client.get("/v1/imports", headers=bearer(stranger.token))
    their_user = await client.post(
        f"/v1/users/{owner.owner_id}/tokens", headers=bearer(stranger.token)
    )

    assert mine.status_code == 200
    assert theirs.status_code == start.status_code == their_user.status_code == 404
    assert theirs.json()["code"] == "import.not_found"
    assert their_list.json()["items"] == []


async def test_a_custom_role_grants_exactly_its_permissions(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    owner = await new_account(pool)
    await insert_import(pool, owner)
    role = await client.post(
        "/v1/roles",
        json={"name": "Leitura", "permissions": ["imports:view"]},
        headers=bearer(owner.token),
    )
    clash = await client.post(
        "/v1/roles",
        json={"name": "observer", "permissions": ["imports:view"]},
        headers=bearer(owner.token),
    )
    unknown = await client.post(
        "/v1/roles",
        json={"name": "Tudo", "permissions": ["everything"]},
        headers=bearer(owner.token),
    )
    _, token = await member(client, owner, "leitura")

    assert role.status_code == 201
    assert role.json()["permissions"] == ["imports:view"]
    assert role.json()["built_in"] is False
    assert clash.status_code == 409
    assert unknown.status_code == 422
    assert (await client.get("/v1/imports", headers=bearer(token))).status_code == 200
    customers = await client.get("/v1/customers", headers=bearer(token))
    add = await client.post("/v1/customers", json={"full_name": "Ana"}, headers=bearer(token))
    assert customers.status_code == add.status_code == 403
    assert customers.json()["permissions"] == ["customers:view"]
    me = await client.get("/v1/me", headers=bearer(token))
    assert me.json()["permissions"] == ["imports:view"]

    # Another account does not see the role.
    stranger = await new_account(pool)
    refused = await client.post(
        "/v1/users",
        json={"name": "Y", "email": "y@padaria.com.br", "role": "Leitura"},
        headers=bearer(stranger.token),
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "user.unknown_role"


async def test_who_did_what_is_recorded(client: httpx.AsyncClient, pool: asyncpg.Pool) -> None:
    owner = await new_account(pool)
    support_id, token = await member(client, owner, "Support")

    created = await client.post("/v1/customers", json={"full_name": "Ana"}, headers=bearer(token))
    trail = await client.get("/v1/audit-events", headers=bearer(owner.token))

    assert created.status_code == 201
    assert [(e["action"], e["user_id"], e["subject"]) for e in trail.json()][:3] == [
        ("customer.create", support_id, created.json()["id"]),
        ("token.create", str(owner.owner_id), token.partition(".")[0]),
        ("user.create", str(owner.owner_id), support_id),
    ]


def test_the_command_line_creates_an_account_and_an_owner_token(infra: InfraEndpoints) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "services.upload.accounts",
            "create-account",
            "--name",
            "Padaria",
            "--owner-email",
            "dono@padaria.com.br",
        ],
        env={**os.environ, "DATABASE_URL": infra.postgres_dsn},
        capture_output=True,
        text=True,
        check=True,
    )

    printed = dict(
        line.split(":", 1) for line in result.stdout.splitlines() if line.startswith(("acc", "tok"))
    )
    assert uuid.UUID(printed["account"].strip())
    assert printed["token"].strip().startswith("cit_")
