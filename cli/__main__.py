"""customer-import: the command line for operators and scripts.

    customer-import upload clientes.csv --start --follow
    customer-import upload clientes.csv --map "Cliente=full_name" --map "Lixo=" --start
    customer-import upload clientes.csv --mapping "Planilha da loja" --start
    customer-import follow IMPORT_ID
    customer-import errors IMPORT_ID -o clientes-erros.csv
    customer-import list --status partially_imported

The API address and token come from CUSTOMER_IMPORT_API_URL and CUSTOMER_IMPORT_TOKEN (or
--api-url / --token). Exit status: 0 imported, 3 partially imported, 4 failed or refused.
"""

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from tqdm import tqdm

from stack.client import FINAL, ImportClient

EXIT_CODES = {"imported": 0, "partially_imported": 3, "failed": 4}


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run one command."""
    args = _parser().parse_args(argv)
    if not args.token:
        sys.exit("customer-import: set CUSTOMER_IMPORT_TOKEN or pass --token")
    client = ImportClient(args.api_url, args.token, language=args.language)
    try:
        sys.exit(args.run(client, args))
    except httpx.HTTPStatusError as error:
        sys.exit(f"customer-import: {_problem(error.response)}")
    finally:
        client.close()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="customer-import",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--api-url", default=os.environ.get("CUSTOMER_IMPORT_API_URL", "http://127.0.0.1:8000")
    )
    parser.add_argument("--token", default=os.environ.get("CUSTOMER_IMPORT_TOKEN"))
    parser.add_argument("--language", default="pt-BR", choices=["pt-BR", "en"])
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    upload = commands.add_parser("upload", help="upload a CSV (and start it)")
    upload.add_argument("file", type=Path)
    upload.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=FIELD",
        help="read the column (its header) as this field or custom field key; empty: ignore it",
    )
    upload.add_argument("--mapping", metavar="NAME", help="apply a saved mapping first")
    upload.add_argument("--start", action="store_true", help="start the import (cannot be undone)")
    upload.add_argument("--follow", action="store_true", help="show progress until it ends")
    upload.set_defaults(run=_upload)

    follow = commands.add_parser("follow", help="show an import's progress until it ends")
    follow.add_argument("import_id")
    follow.set_defaults(run=lambda client, args: _follow(client, args.import_id))

    errors = commands.add_parser("errors", help="download an import's error file")
    errors.add_argument("import_id")
    errors.add_argument("-o", "--output", type=Path)
    errors.set_defaults(run=_errors)

    listing = commands.add_parser("list", help="list imports, newest first")
    listing.add_argument("--status")
    listing.add_argument("--limit", type=int, default=20)
    listing.set_defaults(run=_list)
    return parser


def _upload(client: ImportClient, args: argparse.Namespace) -> int:
    response = client.upload(args.file)
    if response.status_code != 201:
        print(f"refused: {_problem(response)}", file=sys.stderr)
        return EXIT_CODES["failed"]
    body = response.json()
    print(f"{body['id']}  {body['file_name']}  {body['encoding']}  delimiter {body['delimiter']!r}")
    mapping = _map_columns(client, body["id"], args.map, args.mapping)
    if not args.start:
        return 0
    if not mapping["ready"]:
        print("not started: " + " ".join(mapping["notes"]), file=sys.stderr)
        return EXIT_CODES["failed"]
    client.start(body["id"])
    return _follow(client, body["id"]) if args.follow else 0


def _map_columns(
    client: ImportClient, import_id: str, choices: list[str], saved: str | None
) -> dict[str, Any]:
    """Apply the user's column choices (by header) and print how every column will be read."""
    path = f"/v1/imports/{import_id}/mapping"
    current = client.call("GET", path)
    current.raise_for_status()
    mapping: dict[str, Any] = current.json()
    if choices or saved:
        by_header = {column["header"]: column["column"] for column in mapping["columns"]}
        by_header |= {column["header"]: column["column"] for column in mapping["ignored"]}
        columns = []
        for choice in choices:
            header, separator, field = choice.partition("=")
            if not separator or header not in by_header:
                known = ", ".join(f"«{name}»" for name in by_header)
                raise SystemExit(
                    f"customer-import: --map {choice!r}: use COLUMN=FIELD, COLUMN one of {known}"
                )
            columns.append({"column": by_header[header], "field": field or None})
        chosen = client.call("PUT", path, json={"columns": columns, "saved_mapping": saved})
        chosen.raise_for_status()
        mapping = chosen.json()
    for column in mapping["columns"]:
        print(f"  «{column['header']}» → {column['field'] or '(ignored)'}")
    for column in mapping["ignored"]:
        print(f"  «{column['header']}» → (ignored)")
    return mapping


def _follow(client: ImportClient, import_id: str) -> int:
    current = client.get(import_id)
    with tqdm(total=current["counts"]["total"] or 0, unit="rows", desc="importing") as bar:
        while current["status"] not in FINAL:
            counts = current["counts"]
            bar.total = counts["total"] or counts["validated"]
            bar.n = counts["created"] + counts["failed"] + counts["skipped"]
            bar.refresh()
            time.sleep(0.5)
            current = client.get(import_id)
        bar.total = bar.n = current["counts"]["total"] or 0
        bar.refresh()
    _print_summary(current)
    return EXIT_CODES[current["status"]]


def _print_summary(current: dict[str, Any]) -> None:
    counts = current["counts"]
    print(
        f"{current['status']}: {counts['created']} created, {counts['failed']} failed, "
        f"{counts['skipped']} skipped of {counts['total']}"
    )
    for problem in current["problems"]:
        print(f"  {problem['message']}")
    if current["links"]["error_file"]:
        print(f"error file: customer-import errors {current['id']}")


def _errors(client: ImportClient, args: argparse.Namespace) -> int:
    current = client.get(args.import_id)
    if not current["links"]["error_file"]:
        print("this import has no error file", file=sys.stderr)
        return 0
    output = args.output or Path(current["file_name"].removesuffix(".csv") + "-erros.csv")
    output.write_bytes(client.download(current["links"]["error_file"]))
    print(output)
    return 0


def _list(client: ImportClient, args: argparse.Namespace) -> int:
    query = f"/v1/imports?limit={args.limit}" + (f"&status={args.status}" if args.status else "")
    response = client.call("GET", query)
    response.raise_for_status()
    for item in response.json()["items"]:
        counts = item["counts"]
        print(
            f"{item['id']}  {item['created_at'][:19]}  {item['status']:<18}  "
            f"{counts['created']}/{counts['total'] or '?'}  {item['file_name']}"
        )
    return 0


def _problem(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"{response.status_code} {response.text[:200]}"
    return f"{response.status_code} {body.get('code')}: {body.get('detail')}"


if __name__ == "__main__":
    main()
