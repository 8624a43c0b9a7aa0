"""What the ledger adds to a recorded round's reports: each gap's history, the tracking lists, the 通报 table.

Only a round recorded with ``check --record`` has a tracking; every function here returns the plain report
(no added columns, no sections) without one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.report import tables
from checker.report.labels import label

if TYPE_CHECKING:
    import pandas as pd

    from checker.scoring.assessment import Assessment

# Columns a tracked gap gains, from the lifecycle frame (checker.scoring.tracking.LIFECYCLE_COLUMNS).
HISTORY_COLUMNS = ("lifecycle", "first_seen", "rounds_open", "dispatches", "last_status", "last_measure",
                   "last_completed")  # fmt: skip
TRACKING_LISTS = ("closed", "still_open", "overdue", "false_claim", "recurred")
LISTING_ORDER = ("false_claim", "recurred", "overdue", "still_open", "closed")
# The columns of the 整改跟踪 listing: which list a problem is on, then what the ledger knows of it.
LISTING_COLUMNS = ("list", "id", "lifecycle", "department", "first_seen", "rounds_open", "last_status",
                   "last_completed")  # fmt: skip


def gaps_with_history(assessment: Assessment, gaps: pd.DataFrame | None = None) -> pd.DataFrame:
    """``gaps`` (default: all of the assessment's) with the history columns, when the round is tracked."""
    frame = assessment.gaps if gaps is None else gaps
    track = assessment.tracking
    if track is None:
        return frame
    states = track.states.reindex(frame["id"].astype(str).to_numpy())
    out = frame.copy()
    for column in HISTORY_COLUMNS:
        out[column] = states[column].to_numpy()
    out["rounds_open"] = out["rounds_open"].fillna(0).astype("int64")
    out["dispatches"] = out["dispatches"].fillna(0).astype("int64")
    return out


def lifecycle_text(state: object, lang: str) -> str:
    return label(f"life.{state}", lang) if isinstance(state, str) and state else ""


def dispatch_order(gaps: pd.DataFrame) -> pd.DataFrame:
    """A department's gaps as its 交办单 lists them: claimed fixes that still fail first, then recurred,
    then overdue, then the rest in the report's order (by points recoverable)."""
    if "lifecycle" not in gaps.columns:
        return gaps
    first = {"false_claim": 0, "recurred": 1, "overdue": 2}
    rank = gaps["lifecycle"].map(first).fillna(3)
    return gaps.assign(_order=rank.to_numpy()).sort_values("_order", kind="stable").drop(columns="_order")


def tracking_listing(assessment: Assessment, lang: str) -> tables.Table:
    """Every problem on a tracking list, list by list, the lists that call for action first (falsely claimed,
    recurred, overdue, then still open and closed); a problem on two lists (overdue and still open) shows
    under both."""
    track = assessment.tracking
    if track is None:
        return tables.Table(list(LISTING_COLUMNS), {c: [] for c in LISTING_COLUMNS}, 0)
    rows = [(key, pid) for key in LISTING_ORDER for pid in getattr(track, key)]
    states = track.states
    data: dict[str, list[object]] = {
        "list": [label(f"track.{k}", lang) for k, _ in rows],
        "id": [p for _, p in rows],
        "lifecycle": [lifecycle_text(states.at[p, "lifecycle"], lang) for _, p in rows],
    }
    for column in LISTING_COLUMNS[3:]:
        data[column] = [tables.plain(states.at[p, column]) for _, p in rows]
    return tables.Table(list(LISTING_COLUMNS), data, len(rows))
