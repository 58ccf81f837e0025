"""The local stack: `python -m stack up|down|demo`.

up    start the broker, S3 and PostgreSQL as processes, provision them, start every service,
      print the API's address and leave it all running (state in .stack/)
down  stop what `up` started
demo  on a fresh, private stack: import examples/customers.csv through the API, print the
      result, stop everything
"""

import argparse
import asyncio
import csv
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from services.upload.accounts import create_account_in
from shared.settings import DatabaseSettings, KafkaSettings, StorageSettings
from stack.client import ImportClient
from stack.infra import RunningInfra, backend_from_env, start_infra, stop_infra
from stack.provision import provision
from stack.services import RunningServices, start_services, stop_services

ROOT = Path(__file__).resolve().parent.parent
STATE_DIR = ROOT / ".stack"
EXAMPLE = ROOT / "examples" / "customers.csv"


def bring_up(
    state_dir: Path,
    *,
    fixed_ports: bool,
    api_port: int | None,
    replicas: Mapping[str, int] | None = None,
) -> tuple[RunningInfra, RunningServices]:
    """Infrastructure, provisioning, services: the whole product on this machine."""
    infra = start_infra(state_dir, backend=backend_from_env(), fixed_ports=fixed_ports)
    try:
        env = infra.endpoints.as_env()
        os.environ.update(env)
        asyncio.run(provision(KafkaSettings(), StorageSettings(), DatabaseSettings()))
        services = start_services(env, state_dir=state_dir, api_port=api_port, replicas=replicas)
    except BaseException:
        infra.stop()
        raise
    return infra, services


def up() -> None:
    """Start everything and leave it running."""
    STATE_DIR.mkdir(exist_ok=True)
    stop_services(STATE_DIR)
    stop_infra(STATE_DIR)
    infra, services = bring_up(STATE_DIR, fixed_ports=True, api_port=8000)
    print(f"API:        {services.api_url}   (OpenAPI: {services.api_url}/docs)")
    for name, value in infra.endpoints.as_env().items():
        if "SECRET" not in name:
            print(f"{name}={value}")
    print(f"Logs:       {STATE_DIR / 'logs'}")
    account = asyncio.run(
        create_account_in(DatabaseSettings(), name="Conta local", owner_email="dono@local.test")
    )
    print(f"API token:  {account.token}   (Owner of a fresh local account; shown once)")
    print(
        f"  export CUSTOMER_IMPORT_API_URL={services.api_url} CUSTOMER_IMPORT_TOKEN={account.token}"
    )
    print("  .venv/bin/customer-import upload examples/customers.csv --start --follow")
    print("More accounts: .venv/bin/python -m services.upload.accounts create-account --help")
    print("Stop with:  make down")


def down() -> None:
    """Stop what `up` started."""
    stop_services(STATE_DIR)
    stop_infra(STATE_DIR)
    print("stopped")


def demo() -> int:
    """Import the example file on a private stack and print what happened."""
    state_dir = Path(tempfile.mkdtemp(prefix="customer-import-demo-"))
    infra, services = bring_up(state_dir, fixed_ports=False, api_port=None)
    try:
        # The same code as `python -m services.upload.accounts create-account`.
        account = asyncio.run(
            create_account_in(
                DatabaseSettings(), name="Padaria Demo", owner_email="dono@padaria.com.br"
            )
        )
        client = ImportClient(services.api_url, account.token)
        try:
            return _run_demo(client)
        finally:
            client.close()
    finally:
        services.stop()
        infra.stop()
        shutil.rmtree(state_dir, ignore_errors=True)


def _run_demo(client: ImportClient) -> int:
    print(f"Uploading {EXAMPLE.relative_to(ROOT)} ...")
    uploaded = client.upload(EXAMPLE)
    if uploaded.status_code != 201:
        print(f"upload refused ({uploaded.status_code}): {uploaded.text}")
        return 1
    body = uploaded.json()
    print(f"  import {body['id']}: {body['encoding']}, delimiter {body['delimiter']!r}")
    client.start(body["id"])
    final = client.wait_until_final(body["id"])
    counts = final["counts"]
    print(f"Status:  {final['status']}")
    print(
        f"Rows:    total {counts['total']}, created {counts['created']}, "
        f"failed {counts['failed']}, skipped {counts['skipped']}"
    )
    error_link = final["links"]["error_file"]
    if error_link:
        out = ROOT / ".stack" / "demo" / f"{EXAMPLE.stem}-erros.csv"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(client.download(error_link))
        print(f"Error file: {error_link} (saved to {out.relative_to(ROOT)})")
        _print_reasons(out, body["delimiter"], limit=8)
    return 0


def _print_reasons(error_file: Path, delimiter: str, *, limit: int) -> None:
    """The last column of the first rows of an error file: why each row was not imported."""
    with error_file.open(encoding="utf-8-sig", newline="") as text:
        rows = list(csv.reader(text, delimiter=delimiter))[1:]
    for row in rows[:limit]:
        print(f"  {row[-1]}")
    if len(rows) > limit:
        print(f"  ... and {len(rows) - limit} more rows")


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m stack",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=["up", "down", "demo"])
    command = parser.parse_args().command
    if command == "up":
        up()
    elif command == "down":
        down()
    else:
        sys.exit(demo())


if __name__ == "__main__":
    main()
