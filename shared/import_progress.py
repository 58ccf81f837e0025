"""How far an import is, read from its row of the imports table (the aggregator's counters)."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from shared.events import FINAL_STATUSES


def decided_rows(record: Mapping[str, Any]) -> int:
    """Rows that have their outcome: created, failed or skipped."""
    decided: int = record["created_count"] + record["failed_count"] + record["skipped_count"]
    return decided


def progress(record: Mapping[str, Any]) -> float:
    """Share of rows with an outcome: 0 until the row count is known, 1 once final."""
    if record["status"] in FINAL_STATUSES:
        return 1.0
    total: int | None = record["total_rows"]
    if not total:
        return 0.0
    return min(decided_rows(record) / total, 1.0)


def rows_per_second(record: Mapping[str, Any], now: datetime) -> float | None:
    """Rows decided per second since the start: live while processing, the average once final."""
    started: datetime | None = record["started_at"]
    if started is None:
        return None
    ended: datetime = record["finished_at"] or now
    elapsed = (ended - started).total_seconds()
    if elapsed <= 0:
        return None
    return round(decided_rows(record) / elapsed, 1)
