from typing import Any

import pytest

from services.aggregator.aggregation import final_status
from shared.events import ImportStatus


def record(total: int | None, created: int, failed: int, skipped: int, problems: Any = ()) -> Any:
    return {
        "total_rows": total,
        "created_count": created,
        "failed_count": failed,
        "skipped_count": skipped,
        "problems": list(problems),
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
    ],
)
def test_final_status(counts: Any, status: ImportStatus | None) -> None:
    assert final_status(counts) == status
