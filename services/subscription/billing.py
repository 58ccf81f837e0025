"""Billing-day arithmetic: when a subscription is first charged."""

import calendar
from datetime import date


def first_billing_date(start: date, billing_day: int | None) -> date:
    """The first charge on or after `start`, on the plan's billing day (the start day if None).

    A billing day past the end of a short month falls on its last day.
    """
    if billing_day is None:
        return start
    candidate = _on_day(start.year, start.month, billing_day)
    if candidate >= start:
        return candidate
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    return _on_day(year, month, billing_day)


def _on_day(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))
