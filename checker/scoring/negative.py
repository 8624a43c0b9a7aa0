"""负面清单 negative list: incidents inside their look-back deduct points from the total or veto it."""

from __future__ import annotations

from datetime import date

import pandas as pd

from checker.handbook.model import Handbook
from checker.scoring.assessment import NegativeEvent
from checker.scoring.common import normalise_series
from checker.scoring.window import lookback_start


def negative_events(handbook: Handbook, incidents: pd.DataFrame, test_date: date) -> list[NegativeEvent]:
    """Incidents whose item is a negative-list code (compared NFKC, no spaces, case-folded), dated from
    ``lookback_months`` before the test date up to the test date, both inclusive; sorted by date, code."""
    if incidents.empty or not handbook.negative_list:
        return []
    keys = normalise_series(incidents["item"])
    items = {normalise_series(pd.Series([n.code], dtype="string")).iloc[0]: n for n in handbook.negative_list}
    frame = incidents.assign(key=keys)
    frame = frame[frame["key"].isin(list(items)) & frame["date"].notna()]
    events: list[NegativeEvent] = []
    for key, group in frame.groupby("key", sort=True):  # one loop per negative-list item, not per row
        item = items[str(key)]
        start = pd.Timestamp(lookback_start(test_date, item.lookback_months))
        inside = group[(group["date"] >= start) & (group["date"] <= pd.Timestamp(test_date))]
        for rec in inside.to_dict("records"):  # the events themselves: a handful
            events.append(
                NegativeEvent(
                    code=item.code,
                    text=item.text,
                    date=rec["date"].date(),
                    note="" if pd.isna(rec["note"]) else str(rec["note"]),
                    deduction=item.deduction,
                    veto=item.veto,
                    evidence=f"{rec['_file']} › {rec['_sheet']} › {rec['_row']}",
                )
            )
    return sorted(events, key=lambda e: (e.date, e.code, e.evidence))
