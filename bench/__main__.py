"""`make bench`: import a generated file through the whole product and measure it.

    python -m bench [--rows N] [--seed S] [--replicas N] [--partitions N]

Generates (once, cached under bench/data/) a realistic file, starts a private local stack with
every service as its own process, uploads the file over HTTP, starts the import and waits for
its final status, sampling each service's RSS every 200 ms. Then, on the same PostgreSQL, loads
the same file with `COPY` into a table shaped like `customers` (the reference). Writes
bench/results/<timestamp>.json and prints a short table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.customers_file import generate
from bench.measure import (
    RssSampler,
    copy_reference,
    import_timestamps,
    stage_windows,
)
from stack.client import ImportClient

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "bench" / "data"
RESULTS_DIR = ROOT / "bench" / "results"


@dataclass
class Options:
    """What one bench run does."""

    rows: int
    seed: int
    replicas: int
    partitions: int
    keep_state: bool = False
    extra_env: dict[str, str] = field(default_factory=dict)


def bench_file(rows: int, seed: int) -> tuple[Path, dict[str, Any]]:
    """The generated file for (rows, seed) and its summary, generated on first use."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / f"customers-{rows}-seed{seed}.csv"
    summary_path = path.with_suffix(".json")
    if not (path.exists() and summary_path.exists()):
        print(f"generating {rows:,} rows into {path.relative_to(ROOT)} ...", flush=True)
        partial = path.with_suffix(".partial")
        with partial.open("wb", buffering=1 << 20) as out:
            summary = generate(out, rows=rows, seed=seed)
        partial.replace(path)
        summary_path.write_text(json.dumps(summary.as_dict(), ensure_ascii=False))
    summary_data: dict[str, Any] = json.loads(summary_path.read_text())
    return path, summary_data


def run(options: Options) -> dict[str, Any]:
    """One measured import of the generated file, plus the COPY reference."""
    # Imported late: the stack module configures the environment of the services it starts.
    from services.upload.accounts import create_account_in
    from shared.settings import DatabaseSettings
    from stack.__main__ import bring_up

    path, summary = bench_file(options.rows, options.seed)
    state_dir = Path(tempfile.mkdtemp(prefix="customer-import-bench-"))
    os.environ["KAFKA_PARTITIONS"] = str(options.partitions)
    os.environ.update(options.extra_env)
    replicas = {"validator": options.replicas, "customer-writer": options.replicas}
    print(f"starting the stack in {state_dir} ...", flush=True)
    infra, services = bring_up(state_dir, fixed_ports=False, api_port=None, replicas=replicas)
    try:
        # An account and its owner's API token, as the demo creates them.
        account = asyncio.run(
            create_account_in(
                DatabaseSettings(),
                name="Bench",
                owner_email=f"bench-{uuid.uuid4().hex}@exemplo.com",
            )
        )
    except BaseException:
        services.stop()
        infra.stop()
        raise
    client = ImportClient(services.api_url, account.token)
    sampler = RssSampler(
        {p.process.name: p.process.pid for p in services.processes}
        | {p.name: p.pid for p in infra.processes}
    )
    try:
        sampler.start()
        print(f"uploading {path.name} ({path.stat().st_size / 1e6:.1f} MB) ...", flush=True)
        t0 = time.time()
        uploaded = client.upload(path)
        t_uploaded = time.time()
        if uploaded.status_code != 201:
            raise RuntimeError(f"upload refused ({uploaded.status_code}): {uploaded.text}")
        import_id = uploaded.json()["id"]
        client.start(import_id)
        print("importing ...", flush=True)
        final = client.wait_until_final(import_id, timeout=3600, poll=0.1)
        t_final = time.time()
        sampler.stop()
        error_link = final["links"]["error_file"]
        error_bytes = len(client.download(error_link)) if error_link else 0
        dsn = infra.endpoints.postgres_dsn
        stamps = import_timestamps(dsn, import_id)
        stages = stage_windows(state_dir / "logs", since=t0)
        print("COPY reference ...", flush=True)
        reference = copy_reference(dsn, path)
    finally:
        sampler.stop()
        client.close()
        services.stop()
        infra.stop()
        if not options.keep_state:
            shutil.rmtree(state_dir, ignore_errors=True)

    service_names = {p.process.name for p in services.processes}
    rows = options.rows
    wall = t_final - t0
    counts = final["counts"]
    stage_rates: dict[str, Any] = {
        "upload": _stage(t0, t_uploaded, rows),
        "processing (start to final status)": _stage(
            stamps.get("started_at"), stamps.get("finished_at"), rows
        ),
        "write (first to last customer created_at)": _stage(
            stamps.get("first_customer_at"), stamps.get("last_customer_at"), counts["created"]
        ),
    }
    for service, window in stages.items():
        stage_rates[f"{service} (first received to last processed, from its log)"] = _stage(
            window[0], window[1], rows
        )
    rate = rows / wall
    cpu_seconds = sampler.cpu_seconds()
    cpu_per_row = sum(cpu_seconds.values()) / rows
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": rows,
        "seed": options.seed,
        "file_bytes": path.stat().st_size,
        "replicas": options.replicas,
        "partitions": options.partitions,
        "cpus": os.cpu_count(),
        "status": final["status"],
        "counts": counts,
        "expected_valid": summary["expected_valid"],
        "wall_seconds": round(wall, 3),
        "rows_per_second": round(rate),
        "stages": stage_rates,
        "peak_rss_mb": {
            name: round(mb, 1) for name, mb in sampler.peak_mb().items() if name in service_names
        },
        "cpu_seconds": {name: round(s, 1) for name, s in cpu_seconds.items()},
        # Every process's CPU per row, and the rate all the machine's cores could sustain at that
        # cost: how far the pipeline's shape is from the machine's limit.
        "cpu_microseconds_per_row": round(cpu_per_row * 1e6, 1),
        "cpu_bound_rows_per_second": round((os.cpu_count() or 1) / cpu_per_row),
        "error_file_bytes": error_bytes,
        "reference": reference,
        "ratio_to_copy_reference": round(rate / reference["rows_per_second"], 3),
    }


def _stage(start: float | None, end: float | None, rows: int) -> dict[str, Any]:
    if start is None or end is None or end <= start:
        return {"seconds": None, "rows_per_second": None}
    return {"seconds": round(end - start, 3), "rows_per_second": round(rows / (end - start))}


def print_table(result: dict[str, Any]) -> None:
    """A short human summary of one result."""
    counts = result["counts"]
    ref = result["reference"]
    lines = [
        f"rows {result['rows']:,}  replicas {result['replicas']}  "
        f"partitions {result['partitions']}  status {result['status']}",
        f"counts: total {counts['total']:,} created {counts['created']:,} "
        f"failed {counts['failed']:,} skipped {counts['skipped']:,} "
        f"(generator expects {result['expected_valid']:,} valid)",
        f"{'end to end':<62} {result['wall_seconds']:>8.1f} s "
        f"{result['rows_per_second']:>9,} rows/s",
    ]
    for name, stage in result["stages"].items():
        if stage["seconds"] is not None:
            lines.append(
                f"  {name:<60} {stage['seconds']:>8.1f} s {stage['rows_per_second']:>9,} rows/s"
            )
    lines.append(
        f"{'COPY reference (staging COPY + INSERT ON CONFLICT)':<62} "
        f"{ref['seconds']:>8.1f} s {ref['rows_per_second']:>9,} rows/s"
    )
    lines.append(f"ratio to the COPY reference: {result['ratio_to_copy_reference']:.2f}")
    rss = result["peak_rss_mb"].items()
    lines.append("peak RSS: " + ", ".join(f"{k} {v:.0f} MB" for k, v in rss))
    lines.append(
        "CPU seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in result["cpu_seconds"].items())
    )
    lines.append(
        f"CPU per row: {result['cpu_microseconds_per_row']:.0f} µs, all processes; "
        f"{result['cpus']} cores at that cost: {result['cpu_bound_rows_per_second']:,} rows/s"
    )
    lines.append(f"error file: {result['error_file_bytes']:,} bytes")
    print("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--rows", type=int, default=int(os.environ.get("ROWS", "1000000")))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SEED", "20261121")))
    parser.add_argument("--replicas", type=int, default=int(os.environ.get("REPLICAS", "1")))
    parser.add_argument(
        "--partitions", type=int, default=int(os.environ.get("KAFKA_PARTITIONS", "4"))
    )
    parser.add_argument("--keep-state", action="store_true", help="keep the logs of the run")
    args = parser.parse_args(argv)
    result = run(
        Options(
            rows=args.rows,
            seed=args.seed,
            replicas=args.replicas,
            partitions=args.partitions,
            keep_state=args.keep_state,
        )
    )
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{args.rows}r-{args.replicas}x.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print_table(result)
    print(f"written {out.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
