"""The gaps frame (问题清单): site problems, standard gaps, coverage, materials, survey/data, negative events.

Ids are stable across re-runs of the same round: "P-" + 10 hex digits of a keyed SipHash (pandas'
``hash_array`` with its fixed key) of "kind|standard|site|detail" — computed column-wise, not per row.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import numpy as np
import pandas as pd

from checker.scoring.assessment import GAP_COLUMNS, Options

_HEX = np.frombuffer(b"0123456789abcdef", dtype="S1")
_TEXT = ("id", "kind", "standard", "project", "method", "site", "site_name", "site_type", "street",
         "department", "description", "required", "photo", "evidence")  # fmt: skip


def stable_ids(keys: pd.Series) -> pd.Series:
    """ "P-" + the top 40 bits of a 64-bit SipHash of each key, as 10 lowercase hex digits."""
    if keys.empty:
        return pd.Series([], dtype="string", index=keys.index)
    hashed = pd.util.hash_array(keys.astype(str).to_numpy(dtype=object))
    top = (hashed >> np.uint64(24)).astype(np.uint64)
    shifts = np.arange(36, -1, -4, dtype=np.uint64)
    digits = ((top[:, None] >> shifts) & np.uint64(0xF)).astype(np.int64)
    text = np.ascontiguousarray(_HEX[digits]).view("S10").ravel().astype(str)
    return pd.Series(np.char.add("P-", text), index=keys.index, dtype="string")


def empty_gaps() -> pd.DataFrame:
    return finish([])


def frame(columns: dict[str, object], length: int) -> pd.DataFrame:
    """One block of gaps: scalars are broadcast, missing columns left blank; id from the ``key`` column."""
    data = {c: columns.get(c, "" if c in _TEXT else None) for c in GAP_COLUMNS if c != "id"}
    deadline = data.get("deadline")
    if isinstance(deadline, pd.Timestamp):  # typed here: a column of Timestamp objects is slow to convert
        data["deadline"] = np.full(length, deadline.to_datetime64(), dtype="datetime64[ns]")
    block = pd.DataFrame(data, index=pd.RangeIndex(length))
    key = columns["key"]
    values = key.to_numpy(dtype=object) if isinstance(key, pd.Series) else key
    block["id"] = stable_ids(pd.Series(values, index=block.index, dtype="string"))
    return block


def finish(blocks: list[pd.DataFrame], factors: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Concatenate, type every column, sort by recoverable points on the total's scale (desc) then id.

    ``factors`` (method → total points per standard point) sets ``total_recoverable``; without it the
    blocks' own values are kept.
    """
    blocks = [b for b in blocks if len(b)]
    gaps = (
        pd.concat(blocks, ignore_index=True)
        if blocks
        else pd.DataFrame({c: pd.Series(dtype="object") for c in GAP_COLUMNS})
    )
    for c in _TEXT:
        gaps[c] = gaps[c].astype("string").fillna("")
    gaps["cases"] = gaps["cases"].fillna(0).astype("int64")
    for c in ("points_lost", "points_recoverable"):
        gaps[c] = gaps[c].fillna(0.0).astype("float64").round(10)
    if factors is not None:
        gaps["total_recoverable"] = gaps["points_recoverable"] * (
            gaps["method"].astype(object).map(factors).astype("float64").fillna(0.0)
        )
    gaps["total_recoverable"] = gaps["total_recoverable"].fillna(0.0).astype("float64").round(10)
    gaps["deadline"] = pd.to_datetime(gaps["deadline"]).astype("datetime64[ns]")
    gaps = gaps.sort_values(
        ["total_recoverable", "points_recoverable", "id"], ascending=[False, False, True], kind="stable"
    )
    return gaps[list(GAP_COLUMNS)].reset_index(drop=True)


def issue_date(options: Options, inspections: pd.DataFrame) -> date:
    """交办日期: the given one, else the last inspection date of the round, else the test date; never later
    than the test date."""
    if options.issued is not None:
        day = options.issued
    else:
        dates = inspections["date"].dropna() if "date" in inspections else pd.Series(dtype="datetime64[ns]")
        day = dates.max().date() if len(dates) else options.test_date
    return min(day, options.test_date)


def deadline(issued: date, days: int, test_date: date) -> pd.Timestamp:
    """``issued`` + ``days``, pulled back to the day before the test when it would fall on or after it
    (a fix after the assessors came is worth nothing), but never before the issue date."""
    due = issued + timedelta(days=days)
    if due >= test_date:
        due = max(issued, test_date - timedelta(days=1))
    return pd.Timestamp(due)
