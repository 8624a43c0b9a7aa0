"""Date windows: the document window (材料时间范围) and the negative list's look-back."""

from __future__ import annotations

import calendar
from datetime import date

from checker.handbook.model import DocumentWindow


def add_months(day: date, months: int) -> date:
    """The same day ``months`` months later (earlier when negative), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def document_window(test_date: date, spec: DocumentWindow) -> tuple[date, date]:
    """The inclusive window of whole calendar months ending ``end_offset_months`` before the test month.

    E.g. a test on 2017-08-15 with 12 months ending 1 month before → 2016-08-01 … 2017-07-31 (the
    published example: "for an August 2017 test, August 2016 – July 2017"). With an offset of 0 the
    window ends on the test date itself (the test month counts up to the test day).
    """
    if spec.end_offset_months == 0:
        end = test_date
    else:
        last_month = add_months(test_date.replace(day=1), -spec.end_offset_months)
        end = last_month.replace(day=calendar.monthrange(last_month.year, last_month.month)[1])
    start = add_months(end.replace(day=1), -(spec.months - 1))
    return start, end


def lookback_start(test_date: date, months: int) -> date:
    """First day of a look-back of ``months`` months ending on the test date (both ends inclusive)."""
    return add_months(test_date, -months)
