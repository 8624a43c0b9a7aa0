"""What the ledger adds to a recorded round's reports: each gap's history, the tracking lists, the 通报 table.

Only a round recorded with ``check --record`` has a tracking; every function here returns the plain report
(no added columns, no sections) without one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.report.labels import label

if TYPE_CHECKING:
    import pandas as pd

    from checker.scoring.assessment import Assessment

# Columns a tracked gap gains, from the lifecycle frame (checker.scoring.tracking.LIFECYCLE_COLUMNS).
HISTORY_COLUMNS = ("lifecycle", "first_seen", "rounds_open", "dispatches", "last_status", "last_measure",
                   "last_completed")  # fmt: skip
TRACKING_LISTS = ("closed", "still_open", "overdue", "false_claim", "recurred")


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
