"""The import wizard driven through HTTP like a web page would, every service a process."""

import asyncio
import os
import sys
import uuid

import asyncpg
import httpx
import pytest

from stack.client import ImportClient
from tests.e2e.conftest import Product

pytestmark = pytest.mark.e2e

# What Excel in Brazil saves: Windows-1252, semicolons, a header of the user's own words.
SPREADSHEET = (
    "Razão Social;Endereço de e-mail;CNPJ/CPF;Celular;Município;UF;Apelido\r\n"
    "José Araújo;JOSE.ARAUJO@exemplo.com.br;529.982.247-25;(11) 98765-4321;São Paulo;sp;Zé\r\n"
    "Conceição Ltda;contato@conceicao.com.br;11.222.333/0001-81;(21) 3333-4444;Niterói;RJ;\r\n"
    ";sem-nome@exemplo.com.br;;;Recife;PE;Bia\r\n"
    "Ana Lúcia;ana@exemplo;;;Maceió;AL;\r\n"
)


def _http(product: Product, token: str, language: str = "pt-BR") -> httpx.Client:
    return httpx.Client(
        base_url=product.services.api_url,
        headers={"Authorization": f"Bearer {token}", "Accept-Language": language},
        timeout=60,
    )


async def test_the_wizard_from_template_to_details_for_a_windows_1252_semicolon_file(
    product: Product,
) -> None:
    token = product.owner_token()
    http, client = _http(product, token), ImportClient(product.services.api_url, token)

    template = http.get("/v1/imports/template", params={"delimiter": "semicolon"})
    assert template.status_code == 200
    assert template.content.startswith(b"\xef\xbb\xbfNome completo;E-mail;")
    assert "ponto-e-virgula.csv" in template.headers["content-disposition"]

    uploaded = http.post(
        "/v1/imports",
        files={"file": ("clientes março.csv", SPREADSHEET.encode("cp1252"), "text/csv")},
    )
    assert uploaded.status_code == 201, uploaded.text
    created = uploaded.json()
    assert (created["file_name"], created["status"]) == ("clientes março.csv", "uploaded")
    assert created["detection"]["encoding"]["value"] == "cp1252"
    assert created["detection"]["delimiter"] == {
        "value": ";",
        "confidence": 1.0,
        "alternatives": [],
    }
    import_id = created["id"]

    preview = http.get(f"/v1/imports/{import_id}/preview", params={"rows": 3}).json()
    assert [(c["header"], c["field"]) for c in preview["mapping"]["columns"]] == [
        ("Razão Social", "full_name"),
        ("Endereço de e-mail", "email"),
        ("CNPJ/CPF", "document"),
        ("Celular", "phone"),
        ("Município", "city"),
        ("UF", "state"),
        ("Apelido", None),
    ]
    first, second, third = preview["rows"]
    assert first["values"]["full_name"] == "José Araújo"
    assert first["values"]["email"] == "jose.araujo@exemplo.com.br"
    assert (first["values"]["phone_ddd"], first["values"]["phone_number"]) == ("11", "987654321")
    assert (first["values"]["state"], first["values"]["city"]) == ("SP", "São Paulo")
    assert second["values"]["document_kind"] == "cnpj"
    assert third["valid"] is False
    assert third["errors"][0]["column"] == "Razão Social"
    assert preview["estimate"]["rows_in_file"] == 4
    assert preview["estimate"]["valid_rows"] == 2
    assert preview["estimate"]["exact"] is True

    review = http.get(f"/v1/imports/{import_id}/review").json()
    assert review["file_name"] == "clientes março.csv"
    assert review["customers_to_import"] == 4
    assert review["ready_to_start"] is True
    assert review["plan"] is None
    assert review["mapping"]["ignored"] == [{"column": 6, "header": "Apelido"}]
    assert "não pode ser desfeita" in review["warning"]

    started = client.start(import_id)
    assert started["status"] in {"processing", "partially_imported"}
    final = client.wait_until_final(import_id, timeout=120)

    assert final["status"] == "partially_imported"
    assert (final["counts"]["created"], final["counts"]["failed"]) == (2, 2)
    assert final["rows_per_second"] is not None
    assert final["rows_per_second"] > 0
    assert final["links"]["error_file"] is not None
    late = http.put(
        f"/v1/imports/{import_id}/file",
        files={"file": ("outro.csv", b"Nome\nAna\n", "text/csv")},
    )
    assert late.status_code == 409
    assert late.json()["code"] == "import.already_started"


async def test_a_rejected_file_is_corrected_on_the_same_import_then_imported(
    product: Product,
) -> None:
    token = product.owner_token()
    http, client = _http(product, token, "en"), ImportClient(product.services.api_url, token)
    # Saved before the rows were pasted in: only the header.
    broken = b"Nome completo;E-mail\r\n"

    rejected = http.post("/v1/imports", params={"file_name": "clientes.csv"}, content=broken)

    assert rejected.status_code == 422
    assert rejected.headers["content-type"] == "application/problem+json"
    problem = rejected.json()
    assert problem["code"] == "import.rejected"
    assert problem["problems"][0]["line"] == 1
    assert "only the header" in problem["detail"]
    import_id = problem["import_id"]
    assert client.get(import_id)["status"] == "rejected"
    refused = http.post(f"/v1/imports/{import_id}/start")
    assert refused.status_code == 409

    corrected = http.put(
        f"/v1/imports/{import_id}/file",
        params={"file_name": "clientes-corrigido.csv"},
        content=b"Nome completo,E-mail\nAna,ana@exemplo.com.br\nBia,bia@exemplo.com.br\n",
        headers={"Content-Type": "text/csv"},
    )

    assert corrected.status_code == 200, corrected.text
    assert (corrected.json()["id"], corrected.json()["status"]) == (import_id, "uploaded")
    assert corrected.json()["problems"] == []
    client.start(import_id)
    final = client.wait_until_final(import_id, timeout=120)
    assert final["status"] == "imported"
    assert final["file_name"] == "clientes-corrigido.csv"
    assert final["counts"]["created"] == 2
    original = client.download(final["links"]["original_file"])
    assert original.startswith(b"Nome completo,E-mail\n")


async def test_an_expired_file_answers_410_and_the_import_stays(
    product: Product, pool: asyncpg.Pool
) -> None:
    token = product.owner_token()
    http, client = _http(product, token), ImportClient(product.services.api_url, token)
    uploaded = http.post(
        "/v1/imports",
        params={"file_name": "antigo.csv"},
        content=b"Nome completo;E-mail\nAna;ana@exemplo\nBia;bia@exemplo.com.br\n",
    )
    assert uploaded.status_code == 201, uploaded.text
    import_id = uploaded.json()["id"]
    client.start(import_id)
    final = client.wait_until_final(import_id, timeout=120)
    assert final["links"]["error_file"] is not None
    # The import happened long ago: the sweep's clock is set two months and a day after it.
    await pool.execute(
        "UPDATE imports SET created_at = '2020-01-10T09:00:00Z' WHERE id = $1",
        uuid.UUID(import_id),
    )

    sweep = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.upload.file_retention",
        "--now",
        "2020-03-11T09:00:00+00:00",
        env={**os.environ, **product.env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(sweep.communicate(), timeout=60)

    assert sweep.returncode == 0, stderr.decode()
    assert "1 imports had their files expired" in stdout.decode()
    details = client.get(import_id)
    assert details["files_expired_at"] == "2020-03-11T09:00:00Z"
    assert details["counts"] == final["counts"]
    assert details["status"] == final["status"]
    for link in (details["links"]["original_file"], details["links"]["error_file"]):
        gone = http.get(link)
        assert gone.status_code == 410
        assert gone.headers["content-type"] == "application/problem+json"
        assert gone.json()["code"] == "file.expired"
        assert "2020-03-11" in gone.json()["detail"]
