"""Deadlines (整改时限) count from the issue date (交办日期) and never fall on or after the test date."""

from __future__ import annotations

from datetime import date

import pandas as pd

from checker.intake.frames import empty_frame, frame_from_records
from checker.scoring.assessment import Options
from checker.scoring.gaps import deadline, issue_date

TEST = date(2026, 7, 15)


def test_issue_date_defaults_to_the_last_inspection_of_the_round() -> None:
    rows = frame_from_records(
        "inspections",
        [{"site_id": "1", "date": "2026-05-11"}, {"site_id": "2", "date": "2026-06-12"}, {"site_id": "3"}],
    )
    assert issue_date(Options(test_date=TEST), rows) == date(2026, 6, 12)


def test_given_issue_date_wins_but_never_after_the_test() -> None:
    rows = empty_frame("inspections")
    assert issue_date(Options(test_date=TEST, issued=date(2026, 6, 1)), rows) == date(2026, 6, 1)
    assert issue_date(Options(test_date=TEST, issued=date(2026, 8, 1)), rows) == TEST
    assert issue_date(Options(test_date=TEST), rows) == TEST  # no dated inspection at all


def test_deadline_adds_the_days_and_is_pulled_back_before_the_test() -> None:
    assert deadline(date(2026, 6, 12), 7, TEST) == pd.Timestamp("2026-06-19")
    assert deadline(date(2026, 7, 1), 30, TEST) == pd.Timestamp("2026-07-14")  # the day before the test
    assert deadline(TEST, 7, TEST) == pd.Timestamp(TEST)  # issued on the test day: never before the issue
