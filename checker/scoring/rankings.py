"""Rankings of responsible units (责任单位) and sub-districts (街道) by conformity of their inspections."""

from __future__ import annotations

import pandas as pd

RANKING_COLUMNS = (
    "sites",
    "inspections",
    "problems",
    "conformity",
    "gaps",
    "points_recoverable",
    "total_recoverable",
    "rank",
)
_FLOATS = ("conformity", "points_recoverable", "total_recoverable")
_INTS = ("sites", "inspections", "problems", "gaps")


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
    out["gaps"] = out["problems"]  # until :func:`with_gaps` counts every kind
    out["rank"] = out["conformity"].rank(method="min", ascending=False).astype("int64")
    out = out.reset_index().rename(columns={"index": key})
    out[key] = out[key].astype("string")
    out = out.sort_values(["rank", "problems", key], kind="stable").reset_index(drop=True)
    out["sites"] = out["sites"].astype("int64")
    out["inspections"] = out["inspections"].astype("int64")
    out["problems"] = out["problems"].astype("int64")
    out["gaps"] = out["gaps"].astype("int64")
    return out[[key, *RANKING_COLUMNS]]


def with_gaps(ranking: pd.DataFrame, gaps: pd.DataFrame, key: str) -> pd.DataFrame:
    """The ranking over every gap a unit owns, not only its failing inspections.

    gaps: the unit's gap rows of every kind (site problems, sites not inspected, materials, surveys,
    indicators, standards without evidence, negative-list events); points_recoverable / total_recoverable:
    summed over those rows; a unit that owns gaps but had no inspection joins the ranking (inspections 0,
    conformity empty). rank: 1 = least to recover on the total's scale (ties share the rank), then the
    better conformity, then fewer problems, then name for the order.
    """
    # The three columns it needs, not the whole gaps frame (a 366k-gap round copied 21 columns here).
    needed = [key, "points_recoverable", "total_recoverable"]
    if key in gaps.columns:
        named = (gaps[key].astype("string").fillna("").str.strip() != "").to_numpy(dtype=bool)
        owned = gaps.loc[named, needed]
    else:
        owned = gaps.iloc[0:0]
    by_unit = owned.groupby(owned[key].astype(str), sort=True) if len(owned) else None
    units = pd.Index(ranking[key].astype(str)).union(
        pd.Index(list(by_unit.groups)) if by_unit is not None else pd.Index([], dtype=object)
    )
    out = ranking.assign(**{key: ranking[key].astype(str)}).set_index(key).reindex(units)
    if by_unit is not None:
        out["gaps"] = by_unit.size().reindex(units).fillna(0)
        out["points_recoverable"] = by_unit["points_recoverable"].sum().reindex(units).fillna(0.0)
        out["total_recoverable"] = by_unit["total_recoverable"].sum().reindex(units).fillna(0.0)
    else:
        out["gaps"] = 0
        out["points_recoverable"] = 0.0
        out["total_recoverable"] = 0.0
    for c in _INTS:
        out[c] = out[c].fillna(0).astype("int64")
    out["conformity"] = out["conformity"].astype("float64")
    out = out.rename_axis(key).reset_index()
    order = out.assign(_lost=out["total_recoverable"].round(9), _conf=out["conformity"].fillna(-1.0))
    order = order.sort_values(
        ["_lost", "_conf", "problems", key], ascending=[True, False, True, True], kind="stable"
    )
    out = order.drop(columns=["_lost", "_conf"]).reset_index(drop=True)
    out["rank"] = out["total_recoverable"].round(9).rank(method="min", ascending=True).astype("int64")
    out[key] = out[key].astype("string")
    return out[[key, *RANKING_COLUMNS]]
