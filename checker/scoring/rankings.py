"""Rankings of responsible units (责任单位) and sub-districts (街道) by conformity of their inspections."""

from __future__ import annotations

import pandas as pd

RANKING_COLUMNS = (
    "sites",
    "inspections",
    "problems",
    "conformity",
    "points_recoverable",
    "total_recoverable",
    "rank",
)
_FLOATS = ("conformity", "points_recoverable", "total_recoverable")


def rank_by(scored: pd.DataFrame, key: str) -> pd.DataFrame:
    """One row per ``key`` value over scored inspection rows (columns site_id, fail, gain, total_gain, ``key``).

    sites: distinct sites inspected; inspections: scored rows (pass/fail, counted once); problems: failing
    rows; conformity: passing / inspections; points_recoverable: Σ of its problems' gains (each gain alone),
    total_recoverable: the same on the total's scale;
    rank: 1 = best conformity (ties share the rank), then fewer problems, then name for the order.
    """
    if scored.empty:
        out = pd.DataFrame({key: pd.Series(dtype="string")})
        for c in RANKING_COLUMNS:
            out[c] = pd.Series(dtype="float64" if c in _FLOATS else "int64")
        return out
    grouped = scored.groupby(key, sort=True, observed=True)
    out = pd.DataFrame(
        {
            "sites": grouped["site_id"].nunique(),
            "inspections": grouped.size(),
            "problems": grouped["fail"].sum(),
            "points_recoverable": grouped["gain"].sum(),
            "total_recoverable": grouped["total_gain"].sum(),
        }
    )
    out["conformity"] = 1.0 - out["problems"] / out["inspections"]
    out["rank"] = out["conformity"].rank(method="min", ascending=False).astype("int64")
    out = out.reset_index().rename(columns={"index": key})
    out[key] = out[key].astype("string")
    out = out.sort_values(["rank", "problems", key], kind="stable").reset_index(drop=True)
    out["sites"] = out["sites"].astype("int64")
    out["inspections"] = out["inspections"].astype("int64")
    out["problems"] = out["problems"].astype("int64")
    return out[[key, *RANKING_COLUMNS]]
