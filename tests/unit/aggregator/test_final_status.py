from typing import Any

import pytest

from services.aggregator.aggregation import final_status
from shared.events import ImportStatus


def record(
    total: int | None,
    created: int,
    failed: int,
    skipped: int,
    problems: Any = (),
    *,
    plan: bool = False,
    subscribed: int = 0,
    subscription_failed: int = 0,
) -> Any:
    return {
        "total_rows": total,
        "created_count": created,
        "failed_count": failed,
        "skipped_count": skipped,
        "problems": list(problems),
        "plan_id": "a-plan" if plan else None,
        "subscribed_count": subscribed,
        "subscription_failed_count": subscription_failed,
    }


@pytest.mark.parametrize(
    ("counts", "status"),
    [
        (record(None, 5, 0, 0), None),  # the validator has not finished reading
        (record(10, 5, 2, 0), None),  # rows still pending
        (record(10, 10, 0, 0), ImportStatus.IMPORTED),
        (record(10, 7, 2, 1), ImportStatus.PARTIALLY_IMPORTED),
        (record(10, 0, 9, 1), ImportStatus.FAILED),
        (record(0, 0, 0, 0, [{"code": "file.header_only"}]), ImportStatus.FAILED),
        # The file broke part-way: what was read was all created, but not the whole file.
        (record(4, 4, 0, 0, [{"code": "file.broken_structure"}]), ImportStatus.PARTIALLY_IMPORTED),
        # With a plan, a created row waits for its subscription outcome.
        (record(10, 10, 0, 0, plan=True, subscribed=9), None),
        (record(10, 10, 0, 0, plan=True, subscribed=10), ImportStatus.IMPORTED),
        (
            record(10, 10, 0, 0, plan=True, subscribed=8, subscription_failed=2),
            ImportStatus.PARTIALLY_IMPORTED,
        ),
        (record(10, 8, 2, 0, plan=True, subscribed=8), ImportStatus.PARTIALLY_IMPORTED),
    ],
)
def test_final_status(counts: Any, status: ImportStatus | None) -> None:
    assert final_status(counts) == status
