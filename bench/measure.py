"""What the bench measures besides the wall clock: RSS, stage windows, the COPY reference."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import orjson
import psutil

from shared.rules.fields import TEMPLATE_FIELDS

SAMPLE_SECONDS = 0.2


class RssSampler:
    """Samples each named process every 200 ms: peak RSS, and CPU seconds (children included)."""

    def __init__(self, pids: Mapping[str, int]) -> None:
        self._processes = {name: psutil.Process(pid) for name, pid in pids.items()}
        self._peak = dict.fromkeys(pids, 0)
        # CPU seconds last seen per (name, pid), the process's children included (PostgreSQL).
        self._cpu: dict[tuple[str, int], float] = {}
        self._cpu_start: dict[tuple[str, int], float] = {}
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        """Start sampling in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop sampling (idempotent)."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join()

    def peak_mb(self) -> dict[str, float]:
        """Peak RSS per process, in MB (of the process alone, not its children)."""
        return {name: peak / 1e6 for name, peak in self._peak.items()}

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds each process (and its children) used while sampled."""
        used = dict.fromkeys(self._processes, 0.0)
        for (name, pid), seconds in self._cpu.items():
            used[name] += seconds - self._cpu_start.get((name, pid), 0.0)
        return used

    def _run(self) -> None:
        first = True
        while not self._stopped.is_set():
            for name, process in self._processes.items():
                try:
                    rss = process.memory_info().rss
                    family = [process, *process.children(recursive=True)]
                except psutil.Error:
                    continue
                self._peak[name] = max(self._peak[name], rss)
                for member in family:
                    try:
                        times = member.cpu_times()
                    except psutil.Error:
                        continue
                    self._cpu[(name, member.pid)] = times.user + times.system
                    if first:
                        self._cpu_start[(name, member.pid)] = times.user + times.system
            first = False
            self._stopped.wait(SAMPLE_SECONDS)


_MARKS = ("Received", "Processed")


def stage_windows(log_dir: Path, *, since: float) -> dict[str, tuple[float, float]]:
    """Per service log: the first "Received" and the last "Processed" at or after `since`."""
    windows: dict[str, tuple[float, float]] = {}
    for log in sorted(log_dir.glob("*.log")):
        first: float | None = None
        last: float | None = None
        with log.open(errors="replace") as lines:
            for line in lines:
                # The services log JSON lines (shared/logs.py); faststream marks each message.
                if not line.startswith("{") or not any(mark in line for mark in _MARKS):
                    continue
                entry = orjson.loads(line)
                if entry["message"] not in _MARKS:
                    continue
                at = datetime.fromisoformat(entry["time"]).timestamp()
                if at < since - 1:
                    continue
                if entry["message"] == "Received" and first is None:
                    first = at
                elif entry["message"] == "Processed":
                    last = at
        if first is not None and last is not None:
            windows[log.stem] = (first, last)
    return windows


def import_timestamps(dsn: str, import_id: str) -> dict[str, float | None]:
    """When the import started and finished, and its first and last customer's creation."""

    async def query() -> dict[str, float | None]:
        connection = await asyncpg.connect(dsn)
        try:
            row = await connection.fetchrow(
                """
                SELECT i.started_at, i.finished_at,
                       (SELECT min(created_at) FROM customers WHERE source_import_id = i.id)
                           AS first_customer_at,
                       (SELECT max(created_at) FROM customers WHERE source_import_id = i.id)
                           AS last_customer_at
                FROM imports i WHERE i.id = $1
                """,
                import_id,
            )
        finally:
            await connection.close()
        return {key: (value.timestamp() if value else None) for key, value in dict(row).items()}

    return asyncio.run(query())


def copy_reference(dsn: str, path: Path) -> dict[str, Any]:
    """Load the file with COPY into a table shaped like customers (same unique indexes)."""
    return asyncio.run(_copy_reference(dsn, path))


async def _copy_reference(dsn: str, path: Path) -> dict[str, Any]:
    columns = [field.value for field in TEMPLATE_FIELDS]
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(
            """
            DROP TABLE IF EXISTS bench_reference;
            DROP TABLE IF EXISTS bench_reference_staging;
            CREATE TABLE bench_reference (LIKE customers INCLUDING ALL);
            ALTER TABLE bench_reference ALTER id SET DEFAULT gen_random_uuid(),
                ALTER account_id SET DEFAULT '00000000-0000-4000-8000-000000000000';
            CREATE UNLOGGED TABLE bench_reference_staging
                (LIKE customers INCLUDING DEFAULTS);
            ALTER TABLE bench_reference_staging ALTER id SET DEFAULT gen_random_uuid(),
                ALTER account_id SET DEFAULT '00000000-0000-4000-8000-000000000000',
                ALTER full_name DROP NOT NULL;
            """
        )
        started = time.perf_counter()
        # The file as is: no validation, no normalisation. Its duplicate keys would abort a
        # plain COPY into the unique indexes, so it goes through a staging table, as ours does.
        await connection.copy_to_table(
            "bench_reference_staging",
            source=str(path),
            columns=columns,
            format="csv",
            header=True,
            delimiter=";",
            encoding="utf-8",
        )
        copied = time.perf_counter()
        listed = ", ".join(["id", "account_id", *columns])
        status = await connection.execute(
            f"INSERT INTO bench_reference ({listed}) "
            f"SELECT {listed} FROM bench_reference_staging WHERE full_name IS NOT NULL "
            "ON CONFLICT DO NOTHING"
        )
        finished = time.perf_counter()
        inserted = int(status.split()[-1])
        rows = await connection.fetchval("SELECT count(*) FROM bench_reference_staging")
        await connection.execute("DROP TABLE bench_reference; DROP TABLE bench_reference_staging")
    finally:
        await connection.close()
    seconds = finished - started
    return {
        "method": "COPY into an unlogged staging table, then one INSERT ... SELECT ... "
        "ON CONFLICT DO NOTHING into a copy of customers with its unique indexes",
        "rows": rows,
        "inserted": inserted,
        "copy_seconds": round(copied - started, 3),
        "insert_seconds": round(finished - copied, 3),
        "seconds": round(seconds, 3),
        "rows_per_second": round(rows / seconds),
    }
