"""The wizard's routes on the real PostgreSQL and S3 server: form upload, corrected file,
preview, plan, review, the template, and the files' retention."""

import io
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from minio import Minio
from minio.error import S3Error

from services.upload.access import NewAccount, create_account
from services.upload.api import router as imports_router
from services.upload.catalogue_api import router as catalogue_router
from services.upload.file_retention import sweep_expired_files
from services.upload.problems import add_problem_handlers
from services.upload.template import router as template_router
from services.upload.wizard_api import router as wizard_router
from shared.storage import LIFECYCLE_DAYS, error_file_key

GOOD = "Nome do cliente;E-mail;Cidade;Apelido\r\nJosé Araújo;JOSE@exemplo.com.br;São Paulo;Zé\r\n"
GOOD += ";sem-nome@exemplo.com.br;Recife;Bia\r\n"


@dataclass(frozen=True)
class Wizard:
    """A client of the routes as the Owner of a new account."""

    http: httpx.AsyncClient
    account: NewAccount

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A request with the Owner's token."""
        return await self.http.request(method, path, **kwargs)


@pytest.fixture
async def wizard(pool: asyncpg.Pool, storage: Minio, bucket: str) -> AsyncIterator[Wizard]:
    app = FastAPI()
    for router in (template_router, wizard_router, imports_router, catalogue_router):
        app.include_router(router)
    add_problem_handlers(app)
    settings = SimpleNamespace(
        max_file_bytes=5 * 1024 * 1024, storage=SimpleNamespace(bucket=bucket)
    )
    app.state.runtime = SimpleNamespace(pool=pool, storage=storage, settings=settings)
    account = await create_account(
        pool, name="Padaria", owner_email=f"dono-{uuid.uuid4().hex[:8]}@padaria.com.br"
    )
    transport = httpx.ASGITransport(app=app)
    owner = {"Authorization": f"Bearer {account.token}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", headers=owner
    ) as http:
        yield Wizard(http, account)


async def test_the_template_downloads_with_a_file_name(wizard: Wizard) -> None:
    response = await wizard.call("GET", "/v1/imports/template?delimiter=semicolon")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert (
        "modelo-importacao-clientes-ponto-e-virgula.csv" in response.headers["content-disposition"]
    )
    assert response.content.decode("utf-8-sig").startswith("Nome completo;E-mail;CPF ou CNPJ;")
    anonymous = await wizard.http.get("/v1/imports/template", headers={"Authorization": ""})
    assert anonymous.status_code == 401


async def test_a_rejected_import_takes_a_corrected_form_upload_then_previews_and_reviews(
    wizard: Wizard, storage: Minio, bucket: str, pool: asyncpg.Pool
) -> None:
    rejected = await wizard.call(
        "POST",
        "/v1/imports?file_name=clientes.csv",
        # An .xlsx workbook sent instead of its CSV export.
        content=b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",
        headers={"Content-Type": "text/csv"},
    )
    assert rejected.status_code == 422
    import_id = rejected.json()["import_id"]
    assert "CSV UTF-8" in rejected.json()["detail"]
    first_key = await _object_key(pool, import_id)
    refused = await wizard.call("GET", f"/v1/imports/{import_id}/review")
    assert refused.status_code == 409
    assert refused.json()["code"] == "import.rejected"

    corrected = await wizard.call(
        "PUT",
        f"/v1/imports/{import_id}/file",
        files={"file": ("clientes corrigido.csv", io.BytesIO(GOOD.encode("cp1252")), "text/csv")},
    )

    assert corrected.status_code == 200, corrected.text
    body = corrected.json()
    assert (body["id"], body["status"], body["file_name"]) == (
        import_id,
        "uploaded",
        "clientes corrigido.csv",
    )
    assert (body["encoding"], body["delimiter"]) == ("cp1252", ";")
    assert body["detection"]["delimiter"]["value"] == ";"
    assert body["detection"]["encoding"]["alternatives"] == [{"value": "utf-8", "confidence": 0.0}]
    assert body["problems"] == []
    with pytest.raises(S3Error):
        storage.stat_object(bucket, first_key)

    preview = await wizard.call("GET", f"/v1/imports/{import_id}/preview?rows=5")
    assert preview.status_code == 200, preview.text
    shown = preview.json()
    assert [(c["header"], c["field"]) for c in shown["mapping"]["columns"]] == [
        ("Nome do cliente", "full_name"),
        ("E-mail", "email"),
        ("Cidade", "city"),
        ("Apelido", None),
    ]
    assert shown["mapping"]["ignored"] == [{"column": 3, "header": "Apelido"}]
    good, bad = shown["rows"]
    assert good["valid"] is True
    assert good["values"]["email"] == "jose@exemplo.com.br"
    assert good["values"]["city"] == "São Paulo"
    assert bad["line"] == 3
    assert [e["code"] for e in bad["errors"]] == ["full_name.required"]
    assert bad["errors"][0]["column"] == "Nome do cliente"
    assert "Preencha o nome do cliente" in bad["errors"][0]["message"]
    assert shown["estimate"] | {"note": ""} == {
        "rows_in_file": 2,
        "valid_rows": 1,
        "exact": True,
        "sample_rows": 2,
        "sample_valid_rows": 1,
        "note": "",
    }

    plan_id = await _plan(wizard)
    no_ack = await wizard.call(
        "PUT",
        f"/v1/imports/{import_id}/plan",
        json={"plan_id": plan_id, "start_date": "2026-12-01", "acknowledge_charges": False},
    )
    assert no_ack.status_code == 422
    assert no_ack.json()["code"] == "plan.charges_not_acknowledged"
    chosen = await wizard.call(
        "PUT",
        f"/v1/imports/{import_id}/plan",
        json={"plan_id": plan_id, "start_date": "2026-12-01", "acknowledge_charges": True},
    )
    assert chosen.status_code == 200, chosen.text

    review = (await wizard.call("GET", f"/v1/imports/{import_id}/review")).json()
    assert review["file_name"] == "clientes corrigido.csv"
    assert (review["customers_to_import"], review["customers_exact"]) == (2, True)
    assert review["estimated_valid_customers"] == 1
    assert review["ready_to_start"] is True
    assert review["plan"]["name"] == "Clube do Café"
    assert (review["start_date"], review["payment_method"]) == ("2026-12-01", "credit_card")
    assert review["cannot_be_undone"] is True
    assert "não pode ser desfeita" in review["warning"]
    assert "Clube do Café" in review["warning"]
    assert review["mapping"]["ready"] is True
    assert any("Apelido" in note for note in review["mapping"]["notes"])

    async with pool.acquire() as connection:
        await connection.execute(
            "UPDATE imports SET status = 'processing', started_at = now() WHERE id = $1",
            uuid.UUID(import_id),
        )
    late = await wizard.call(
        "PUT",
        f"/v1/imports/{import_id}/file?file_name=outro.csv",
        content=GOOD.encode(),
        headers={"Content-Type": "text/csv", "Accept-Language": "en"},
    )
    assert late.status_code == 409
    assert late.headers["content-type"] == "application/problem+json"
    assert late.json()["code"] == "import.already_started"
    assert "Create a new import" in late.json()["detail"]


async def test_a_form_upload_without_a_file_is_a_clear_problem(wizard: Wizard) -> None:
    response = await wizard.call(
        "POST", "/v1/imports", data={"file_name": "x.csv"}, files={"x": ("", b"")}
    )
    assert response.status_code in {400, 422}
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"].startswith("upload.")


async def test_the_sweep_removes_old_files_prunes_ledgers_and_links_answer_410(
    wizard: Wizard, storage: Minio, bucket: str, pool: asyncpg.Pool
) -> None:
    created = await wizard.call(
        "POST",
        "/v1/imports",
        files={"file": ("antigo.csv", io.BytesIO(GOOD.encode()), "text/csv")},
    )
    assert created.status_code == 201, created.text
    import_id = uuid.UUID(created.json()["id"])
    original = await _object_key(pool, str(import_id))
    errors = error_file_key(wizard.account.account_id, import_id)
    storage.put_object(bucket, errors, io.BytesIO(b"x"), 1)
    async with pool.acquire() as connection:
        # Finished on 2026-01-05 with one failed row and one subscription outcome.
        await connection.execute(
            """UPDATE imports SET created_at = '2026-01-05T12:00:00Z',
                   status = 'partially_imported', started_at = '2026-01-05T12:01:00Z',
                   finished_at = '2026-01-05T12:01:10Z',
                   total_rows = 2, rows_validated = 2, created_count = 1, failed_count = 1,
                   error_file_key = $2
               WHERE id = $1""",
            import_id,
            errors,
        )
        await connection.execute(
            "INSERT INTO import_row_failures VALUES ($1, 3, 'invalid', $2::jsonb)",
            import_id,
            json.dumps([]),
        )
        await connection.execute(
            "INSERT INTO import_subscription_outcomes VALUES ($1, 2, true)", import_id
        )

    # One day short of two months: nothing goes.
    kept = await sweep_expired_files(
        pool, storage, bucket, now=datetime(2026, 3, 4, 12, tzinfo=UTC)
    )
    assert import_id not in kept.expired
    now = datetime(2026, 3, 5, 12, 0, 1, tzinfo=UTC)
    swept = await sweep_expired_files(pool, storage, bucket, now=now)

    # Every other import of the session was created today: only this one is two months old.
    assert swept.expired == (import_id,)
    for key in (original, errors):
        with pytest.raises(S3Error):
            storage.stat_object(bucket, key)
    async with pool.acquire() as connection:
        assert (
            await connection.fetchval(
                "SELECT count(*) FROM import_row_failures WHERE import_id = $1", import_id
            )
            == 0
        )
        assert (
            await connection.fetchval(
                "SELECT count(*) FROM import_subscription_outcomes WHERE import_id = $1", import_id
            )
            == 0
        )
    details = (await wizard.call("GET", f"/v1/imports/{import_id}")).json()
    assert details["files_expired_at"] == "2026-03-05T12:00:01Z"
    assert (details["counts"]["created"], details["counts"]["failed"]) == (1, 1)
    assert details["rows_per_second"] == 0.2
    for link in (details["links"]["original_file"], details["links"]["error_file"]):
        gone = await wizard.call("GET", link)
        assert gone.status_code == 410
        assert gone.headers["content-type"] == "application/problem+json"
        assert gone.json()["code"] == "file.expired"
        assert gone.json()["expired_at"] == "2026-03-05T12:00:01+00:00"
        assert "2 meses" in gone.json()["detail"]
    assert (await wizard.call("GET", f"/v1/imports/{import_id}/preview")).status_code == 410
    again = await sweep_expired_files(pool, storage, bucket, now=now)
    assert again.expired == ()


def test_the_bucket_deletes_import_files_after_the_retention(storage: Minio, bucket: str) -> None:
    lifecycle = storage.get_bucket_lifecycle(bucket)
    assert lifecycle is not None
    assert [
        (r.rule_id, r.rule_filter and r.rule_filter.prefix, r.expiration and r.expiration.days)
        for r in lifecycle.rules
    ] == [("import-files-retention", "accounts/", LIFECYCLE_DAYS)]


async def _object_key(pool: asyncpg.Pool, import_id: str) -> str:
    async with pool.acquire() as connection:
        key: str = await connection.fetchval(
            "SELECT object_key FROM imports WHERE id = $1", uuid.UUID(import_id)
        )
    return key


async def _plan(wizard: Wizard) -> str:
    product = await wizard.call("POST", "/v1/products", json={"name": "Cesta"})
    plan = await wizard.call(
        "POST",
        "/v1/plans",
        json={
            "name": "Clube do Café",
            "billing_day": 10,
            "products": [{"product_id": product.json()["id"], "price_cents": 4990}],
        },
    )
    assert plan.status_code == 201, plan.text
    plan_id: str = plan.json()["id"]
    return plan_id
