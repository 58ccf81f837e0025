"""The operators' command line, run as a process against the running product."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES
from tests.e2e.conftest import Product

pytestmark = pytest.mark.e2e


def cli(product: Product, token: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CUSTOMER_IMPORT_API_URL": product.services.api_url,
        "CUSTOMER_IMPORT_TOKEN": token,
    }
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


async def test_upload_follow_download_and_list(product: Product, tmp_path: Path) -> None:
    token = product.owner_token()
    uploaded = cli(
        product,
        token,
        "upload",
        str(EXAMPLES / "customers.csv"),
        "--start",
        "--follow",
        cwd=tmp_path,
    )
    assert uploaded.returncode == 3, uploaded.stderr  # partially imported
    import_id = uploaded.stdout.split()[0]
    assert "partially_imported: 276 created, 18 failed, 6 skipped of 300" in uploaded.stdout

    errors = cli(product, token, "errors", import_id, cwd=tmp_path)
    assert errors.returncode == 0, errors.stderr
    error_file = tmp_path / "customers-erros.csv"
    assert error_file.read_text(encoding="utf-8-sig").startswith("Nome completo;")

    listed = cli(product, token, "list", cwd=tmp_path)
    assert import_id in listed.stdout
    assert "partially_imported" in listed.stdout


async def test_a_bad_token_is_refused_clearly(product: Product, tmp_path: Path) -> None:
    refused = cli(product, "cit_000000000000.wrong", "list", cwd=tmp_path)
    assert refused.returncode != 0
    assert "401 auth.invalid_token" in refused.stderr


async def test_a_free_form_header_is_mapped_from_the_command_line(
    product: Product, tmp_path: Path
) -> None:
    token = product.owner_token()
    path = tmp_path / "planilha.csv"
    path.write_text(
        "Cliente;Correio;Lixo\nAna Lima;ana@exemplo.com;x\nBia Souza;bia@exemplo.com;y\n",
        encoding="utf-8",
    )
    # No header names the customer's name: the import is not started, and the user is told.
    unmapped = cli(product, token, "upload", str(path), "--start", cwd=tmp_path)
    assert unmapped.returncode == 4
    assert "not started:" in unmapped.stderr

    mapped = cli(
        product,
        token,
        "upload",
        str(path),
        "--map",
        "Cliente=full_name",
        "--map",
        "Correio=email",
        "--map",
        "Lixo=",
        "--start",
        "--follow",
        cwd=tmp_path,
    )
    assert mapped.returncode == 0, mapped.stderr
    assert "«Cliente» → full_name" in mapped.stdout
    assert "«Lixo» → (ignored)" in mapped.stdout
    assert "imported: 2 created, 0 failed, 0 skipped of 2" in mapped.stdout

    wrong = cli(product, token, "upload", str(path), "--map", "Nome=full_name", cwd=tmp_path)
    assert wrong.returncode != 0
    assert "«Cliente»" in wrong.stderr
