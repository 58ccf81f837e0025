from datetime import date

import pytest

from services.subscription.billing import first_billing_date


@pytest.mark.parametrize(
    ("start", "billing_day", "first"),
    [
        (date(2026, 3, 10), None, date(2026, 3, 10)),  # no billing day: the start day
        (date(2026, 3, 10), 15, date(2026, 3, 15)),  # later this month
        (date(2026, 3, 10), 10, date(2026, 3, 10)),  # the start day itself
        (date(2026, 3, 20), 5, date(2026, 4, 5)),  # passed: next month
        (date(2026, 12, 20), 5, date(2027, 1, 5)),  # across the year end
        (date(2027, 1, 30), 28, date(2027, 2, 28)),  # into a short month
        (date(2028, 2, 1), 28, date(2028, 2, 28)),  # leap year February
        (date(2020, 2, 29), 28, date(2020, 3, 28)),  # start on a leap day
        (date(2025, 1, 1), 1, date(2025, 1, 1)),  # a start date in the past keeps its date
    ],
)
def test_first_billing_date(start: date, billing_day: int | None, first: date) -> None:
    assert first_billing_date(start, billing_day) == first
