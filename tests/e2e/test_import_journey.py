"""A user's journey: upload, start, wait, check the status, counts, customers and error file."""

import csv
import io
import re
from pathlib import Path

import asyncpg
import pytest

from bench.customers_file import GenerationSummary, generate
from shared.csv_format import SAMPLE_SIZE
from shared.rules.fields import TEMPLATE_FIELDS
from shared.rules.validate import validate_row
from stack.client import ImportClient
from tests.conftest import EXAMPLES
from tests.e2e.conftest import Product, expected_counts

pytestmark = pytest.mark.e2e

EXAMPLE_PARAMETERS = {"rows": 300, "seed": 2026, "delimiter": ";", "encoding": "utf-8-sig"}
EXAMPLE_RATIOS = {"broken_ratio": 0.06, "duplicate_ratio": 0.02}


def failed_row_numbers(summary: GenerationSummary) -> list[int]:
    broken = [row for rows in summary.broken_row_numbers.values() for row in rows]
    duplicates = [
        *summary.duplicate_email_row_numbers,
        *summary.duplicate_external_code_row_numbers,
    ]
    return sorted({*broken, *duplicates})


def spreadsheet_rows(raw: bytes, encoding: str, delimiter: str) -> dict[int, list[str]]:
    """Rows by the line number a spreadsheet shows (header = 1)."""
    reader = csv.reader(io.StringIO(raw.decode(encoding), newline=""), delimiter=delimiter)
    return dict(enumerate(reader, start=1))


async def test_the_example_file_is_imported_with_an_exact_account(
    product: Product, pool: asyncpg.Pool
) -> None:
    example = EXAMPLES / "customers.csv"
    regenerated = io.BytesIO()
    summary = generate(regenerated, **EXAMPLE_PARAMETERS, **EXAMPLE_RATIOS)  # type: ignore[arg-type]
    # The committed example is exactly what the generator makes: its summary is the expectation.
    assert regenerated.getvalue() == example.read_bytes()

    client = product.client()
    uploaded = client.upload(example)
    assert uploaded.status_code == 201, uploaded.text
    body = uploaded.json()
    assert (body["status"], body["encoding"], body["delimiter"]) == ("uploaded", "utf-8-sig", ";")
    client.start(body["id"])
    again = client.start(body["id"])  # starting twice is harmless
    final = client.wait_until_final(again["id"], timeout=120)

    assert final["status"] == "partially_imported"
    assert final["counts"] == expected_counts(summary)
    stored = await pool.fetchval(
        "SELECT count(*) FROM customers WHERE source_import_id = $1", final["id"]
    )
    assert stored == summary.expected_valid

    error_file = client.download(final["links"]["error_file"])
    assert error_file.startswith(b"\xef\xbb\xbf")  # same encoding as the upload, BOM included
    original = spreadsheet_rows(example.read_bytes(), "utf-8-sig", ";")
    errors = spreadsheet_rows(error_file, "utf-8-sig", ";")
    assert errors[1] == [*original[1], "Erros"]
    reported = []
    for cells in list(errors.values())[1:]:
        line = int(re.match(r"Linha (\d+): ", cells[-1]).group(1))  # type: ignore[union-attr]
        reported.append(line)
        # The user's own cells, untouched, so the row can be fixed and uploaded again.
        assert cells[:-1] == original[line] + [""] * (len(original[1]) - len(original[line]))
    assert reported == failed_row_numbers(summary)
    for line in summary.duplicate_email_row_numbers:
        text = next(
            cells[-1] for cells in errors.values() if cells[-1].startswith(f"Linha {line}:")
        )
        assert "«E-mail»" in text


async def test_nul_characters_past_the_sample_change_nothing(
    product: Product, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    # PostgreSQL cannot store NUL. The upload's sample refuses a file that starts with them as
    # binary; further down, one NUL in a cell failed its whole batch at the insert (or, in a
    # rejected row's error, the aggregator's count) and the import ended interrupted.
    generated = io.BytesIO()
    summary = generate(
        generated, rows=2000, seed=7, delimiter=";", encoding="utf-8", **EXAMPLE_RATIOS
    )
    rows = list(csv.reader(io.StringIO(generated.getvalue().decode(), newline=""), delimiter=";"))
    sample_end = len(b"\r\n".join(";".join(row).encode() for row in rows[:1600]))
    assert sample_end > SAMPLE_SIZE
    with_nul = range(1600, len(rows), 7)  # rows[i] is line i + 1
    for index in with_nul:
        rows[index] = [
            f"\x00{cell[:3]}\x00{cell[3:]}\x00" if cell else cell for cell in rows[index]
        ]
    damaged = tmp_path / "clientes.csv"
    with damaged.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)

    client = product.client()
    uploaded = client.upload(damaged)
    assert uploaded.status_code == 201, uploaded.text
    final = client.wait_until_final(client.start(uploaded.json()["id"])["id"], timeout=120)

    assert final["status"] == "partially_imported"
    assert final["counts"] == expected_counts(summary)
    stored = await pool.fetch(
        "SELECT source_row_no, full_name, email FROM customers"
        " WHERE source_import_id = $1 AND source_row_no = ANY($2)",
        final["id"],
        [index + 1 for index in with_nul],
    )
    assert stored
    for customer in stored:
        clean = rows[customer["source_row_no"] - 1]
        expected = validate_row(
            {
                field: cell.replace("\x00", "")
                for field, cell in zip(TEMPLATE_FIELDS, clean, strict=True)
            }
        ).record
        assert expected is not None
        assert (customer["full_name"], customer["email"]) == (expected.full_name, expected.email)
    error_file = client.download(final["links"]["error_file"])
    assert b"\x00" not in error_file


async def test_an_unusable_file_is_refused_with_a_clear_problem(
    product: Product, tmp_path: Path
) -> None:
    # Columns the header does not name are the mapping step's business; a file without a
    # single customer is unusable whatever its columns.
    bad = tmp_path / "contatos.csv"
    bad.write_text("Nome completo;E-mail;Telefone\n", encoding="utf-8")
    response = product.client().upload(bad)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "import.rejected"
    assert problem["problems"][0]["code"] == "file.header_only"
    assert "linha 2" in problem["problems"][0]["message"]


async def test_accounts_are_isolated(product: Product, tmp_path: Path) -> None:
    small = tmp_path / "um.csv"
    small.write_text("Nome completo\nAna\n", encoding="utf-8")
    owner, stranger = product.client(), product.client()
    created = owner.upload(small).json()
    assert stranger.call("GET", f"/v1/imports/{created['id']}").status_code == 404
    assert stranger.call("GET", f"/v1/imports/{created['id']}/files/original").status_code == 404
    assert stranger.call("GET", "/v1/imports").json()["items"] == []
    assert [item["id"] for item in owner.call("GET", "/v1/imports").json()["items"]] == [
        created["id"]
    ]


async def test_an_observer_can_list_imports_but_not_create_one(
    product: Product, tmp_path: Path
) -> None:
    small = tmp_path / "um.csv"
    small.write_text("Nome completo\nAna\n", encoding="utf-8")
    owner = product.client()
    observer = product.member(owner, "Observer")
    me = owner.call("GET", "/v1/me").json()
    created = owner.upload(small).json()
    assert created["created_by"] == me["user_id"]

    refused = observer.upload(small)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "auth.forbidden"
    assert "imports:create" in refused.json()["detail"]
    assert observer.call("POST", f"/v1/imports/{created['id']}/start").status_code == 403
    assert [item["id"] for item in observer.call("GET", "/v1/imports").json()["items"]] == [
        created["id"]
    ]
    assert observer.get(created["id"])["status"] == "uploaded"
    assert observer.download(created["links"]["original_file"]) == small.read_bytes()

    trail = owner.call("GET", f"/v1/audit-events?import_id={created['id']}").json()
    assert [(event["action"], event["user_id"]) for event in trail] == [
        ("import.download_original", observer.call("GET", "/v1/me").json()["user_id"]),
        ("import.upload", me["user_id"]),
    ]


async def test_another_account_sees_nothing_and_no_token_gets_401(
    product: Product, tmp_path: Path
) -> None:
    small = tmp_path / "um.csv"
    small.write_text("Nome completo\nAna\n", encoding="utf-8")
    owner, stranger = product.client(), product.client()
    created = owner.upload(small).json()
    customer = owner.call("POST", "/v1/customers", json={"full_name": "Bia"}).json()
    imports = f"/v1/imports/{created['id']}"
    for method, path in [
        ("GET", imports),
        ("POST", f"{imports}/start"),
        ("GET", f"{imports}/files/original"),
        ("GET", f"{imports}/files/errors"),
        ("POST", f"{imports}/subscriptions/retry"),
        ("GET", f"/v1/customers/{customer['id']}"),
    ]:
        assert stranger.call(method, path).status_code == 404, (method, path)
    assert stranger.call("GET", "/v1/imports").json()["items"] == []
    assert stranger.call("GET", "/v1/customers").json()["items"] == []

    anonymous = ImportClient(product.services.api_url, "cit_000000000000.nope")
    response = anonymous.call("GET", "/v1/imports")
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_token"
