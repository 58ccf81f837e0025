"""The wizard through HTTP: account fields, a free-form Windows-1252 file mapped by the user,
its start, the customers stored with their custom values and the error file row by row."""

import csv
import io
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from stack.client import ImportClient
from tests.e2e.conftest import Product

pytestmark = pytest.mark.e2e

CUSTOM_FIELDS: list[dict[str, Any]] = [
    {
        "key": "nivel_fidelidade",
        "label": "Nível de fidelidade",
        "type": "one_of",
        "options": ["Bronze", "Prata", "Ouro"],
    },
    {"key": "cliente_desde", "label": "Cliente desde", "type": "date", "required": True},
    {"key": "aceita_novidades", "label": "Aceita novidades", "type": "boolean"},
    {"key": "limite_credito", "label": "Limite de crédito", "type": "number"},
]

# The user's own header: "Cliente" and "Fidelidade", "Recebe novidades?", "Limite (R$)" match
# nothing; "Correio eletrônico", "Cidade" and "Cliente desde" (a custom field's label) match.
HEADER = [
    "Cliente",
    "Correio eletrônico",
    "Fidelidade",
    "Cliente desde",
    "Recebe novidades?",
    "Limite (R$)",
    "Anotação interna",
    "Cidade",
]
ROWS = [
    # line 2: valid, every way of writing a value the rules accept
    ["Ana Lima", "Ana.Lima@Exemplo.com", "ouro", "05/01/2020", "sim", "1.500,00", "vip", "Recife"],
    # line 3: the account requires the e-mail
    ["Bruno Sá", "", "prata", "10/10/2010", "não", "", "", "Olinda"],
    # line 4: not an option
    ["Célia Gonçalves", "celia@exemplo.com", "Diamante", "01/02/2015", "x", "", "", ""],
    # line 5: no such day, and neither yes nor no
    ["Davi Araújo", "davi@exemplo.com", "", "31/02/2021", "talvez", "100", "", ""],
    # line 6: valid, ISO date, upper-case option, an English "no", a plain number
    ["Conceição Ribeiro", "conceicao@exemplo.com", "PRATA", "2019-12-31", "no", "2500", "", ""],
    # line 7: an ambiguous number, and the required custom date left blank
    ["Érico Lima", "erico@exemplo.com", "bronze", "", "", "1.234", "", ""],
    # line 8: the e-mail of line 2 again (the writer decides it)
    ["Ana L.", "ana.lima@exemplo.com", "", "02/02/2022", "", "", "", ""],
]


def windows_1252_file(tmp_path: Path) -> Path:
    text = io.StringIO()
    csv.writer(text, delimiter=";", lineterminator="\r\n").writerows([HEADER, *ROWS])
    path = tmp_path / "clientes-loja.csv"
    path.write_bytes(text.getvalue().encode("cp1252"))
    return path


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def prepare_account(client: ImportClient) -> None:
    """A help-desk style account: e-mail required, four custom fields."""
    settings = client.call("PUT", "/v1/settings", json={"required_fields": ["email"]})
    assert ok(settings)["required_fields"] == ["full_name", "email"]
    for definition in CUSTOM_FIELDS:
        ok(client.call("POST", "/v1/custom-fields", json=definition), 201)


async def test_the_whole_wizard_with_a_free_form_header_and_custom_fields(
    product: Product, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    client = product.client()
    prepare_account(client)

    uploaded = ok(client.upload(windows_1252_file(tmp_path)), 201)
    import_id = uploaded["id"]
    assert (uploaded["status"], uploaded["encoding"], uploaded["delimiter"]) == (
        "uploaded",
        "cp1252",
        ";",
    )

    # Step 3, as suggested: the name has no column yet, so the import cannot start.
    suggested = ok(client.call("GET", f"/v1/imports/{import_id}/mapping"))
    assert [column["field"] for column in suggested["columns"]] == [
        None,
        "email",
        None,
        "cliente_desde",
        None,
        None,
        None,
        "city",
    ]
    assert suggested["missing_required"] == ["full_name"]
    early = client.call("POST", f"/v1/imports/{import_id}/start")
    assert early.status_code == 422
    assert early.headers["content-type"] == "application/problem+json"
    assert early.json()["code"] == "mapping.missing_required"
    assert "«Nome completo» (full_name)" in early.json()["detail"]

    # The user relates the columns the header did not name.
    mapped = ok(
        client.call(
            "PUT",
            f"/v1/imports/{import_id}/mapping",
            json={
                "columns": [
                    {"column": 0, "field": "full_name"},
                    {"column": 2, "field": "nivel_fidelidade"},
                    {"column": 4, "field": "aceita_novidades"},
                    {"column": 5, "field": "limite_credito"},
                ]
            },
        )
    )
    assert mapped["ready"] is True
    assert mapped["ignored"] == [{"column": 6, "header": "Anotação interna"}]
    assert any("«Anotação interna»" in note and "ignoradas" in note for note in mapped["notes"])
    ok(client.call("PUT", "/v1/mappings/Loja", json={"import_id": import_id}))

    # Review, then start: nothing was imported before.
    review = client.get(import_id)
    assert (review["status"], review["counts"]["created"]) == ("uploaded", 0)
    client.start(import_id)
    final = client.wait_until_final(import_id, timeout=120)

    assert final["status"] == "partially_imported"
    assert {key: final["counts"][key] for key in ("total", "created", "failed", "skipped")} == {
        "total": 7,
        "created": 2,
        "failed": 4,
        "skipped": 1,
    }

    stored = await pool.fetch(
        "SELECT source_row_no, full_name, email, city, custom_fields FROM customers "
        "WHERE source_import_id = $1 ORDER BY source_row_no",
        final["id"],
    )
    assert [dict(record) for record in stored] == [
        {
            "source_row_no": 2,
            "full_name": "Ana Lima",
            "email": "ana.lima@exemplo.com",
            "city": "Recife",
            "custom_fields": {
                "nivel_fidelidade": "Ouro",
                "cliente_desde": "2020-01-05",
                "aceita_novidades": True,
                "limite_credito": 1500,
            },
        },
        {
            "source_row_no": 6,
            "full_name": "Conceição Ribeiro",
            "email": "conceicao@exemplo.com",
            "city": None,
            "custom_fields": {
                "nivel_fidelidade": "Prata",
                "cliente_desde": "2019-12-31",
                "aceita_novidades": False,
                "limite_credito": 2500,
            },
        },
    ]
    # The customers API shows the same values.
    found = ok(client.call("GET", "/v1/customers?q=conceicao@exemplo.com"))["items"]
    assert [item["custom_fields"] for item in found] == [stored[1]["custom_fields"]]

    # The error file: same encoding and delimiter, the user's cells, what to fix per column.
    raw = client.download(final["links"]["error_file"])
    rows = list(csv.reader(io.StringIO(raw.decode("cp1252"), newline=""), delimiter=";"))
    assert rows[0] == [*HEADER, "Erros"]
    by_line = {int(row[-1].split(":")[0].removeprefix("Linha ")): row for row in rows[1:]}
    assert sorted(by_line) == [3, 4, 5, 7, 8]
    for line, row in by_line.items():
        assert row[:-1] == ROWS[line - 2]
    expected = {
        3: ["Coluna «Correio eletrônico»: campo obrigatório em branco."],
        4: [
            "Coluna «Fidelidade»: «Diamante» não é uma das opções. Escreva uma destas: "
            "Bronze, Prata, Ouro."
        ],
        5: [
            "Coluna «Cliente desde»: a data «31/02/2021» não existe no calendário.",
            "Coluna «Recebe novidades?»: «talvez» não é sim nem não.",
        ],
        7: [
            "Coluna «Cliente desde»: campo obrigatório em branco.",
            "Coluna «Limite (R$)»: o número «1.234» é ambíguo: pode ser 1234",
        ],
        8: ["Coluna «Correio eletrônico»: este e-mail já aparece na linha 2 deste arquivo"],
    }
    for line, fragments in expected.items():
        message = by_line[line][-1]
        for fragment in fragments:
            assert fragment in message, (line, message)
    assert "Anotação interna" not in "".join(row[-1] for row in rows[1:])


async def test_a_saved_mapping_starts_another_file_without_choosing_again(
    product: Product, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    client = product.client()
    prepare_account(client)
    first = ok(client.upload(windows_1252_file(tmp_path)), 201)["id"]
    ok(
        client.call(
            "PUT",
            f"/v1/imports/{first}/mapping",
            json={"columns": [{"column": 0, "field": "full_name"}]},
        )
    )
    ok(client.call("PUT", "/v1/mappings/Loja", json={"import_id": first}))

    # Next month's file: the same columns in another order, one customer.
    later = tmp_path / "mes-seguinte.csv"
    later.write_bytes(
        "Cidade;Cliente desde;Correio eletrônico;Cliente\r\n"
        "Natal;03/03/2023;joao@exemplo.com;João Simões\r\n".encode("cp1252")
    )
    second = ok(client.upload(later), 201)["id"]
    applied = ok(
        client.call("PUT", f"/v1/imports/{second}/mapping", json={"saved_mapping": "Loja"})
    )
    assert [column["field"] for column in applied["columns"]] == [
        "city",
        "cliente_desde",
        "email",
        "full_name",
    ]
    client.start(second)
    final = client.wait_until_final(second, timeout=120)
    assert (final["status"], final["counts"]["created"]) == ("imported", 1)
    stored = await pool.fetchrow(
        "SELECT full_name, custom_fields FROM customers WHERE source_import_id = $1", second
    )
    assert dict(stored) == {
        "full_name": "João Simões",
        "custom_fields": {"cliente_desde": "2023-03-03"},
    }
