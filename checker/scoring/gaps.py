"""The gaps frame (问题清单): site problems, standard gaps, coverage, materials, survey/data, negative events.

Ids are stable across re-runs of the same round: "P-" + 10 hex digits of a keyed SipHash (pandas'
``hash_array`` with its fixed key) of "kind|standard|site|detail" — computed column-wise, not per row.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from checker.scoring.assessment import GAP_COLUMNS

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
    block = pd.DataFrame(data, index=pd.RangeIndex(length))
    key = columns["key"]
    values = key.to_numpy(dtype=object) if isinstance(key, pd.Series) else key
    block["id"] = stable_ids(pd.Series(values, index=block.index, dtype="string"))
    return block


def finish(blocks: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate, type every column, sort by points recoverable (desc) then id."""
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
    gaps["deadline"] = pd.to_datetime(gaps["deadline"]).astype("datetime64[ns]")
    gaps = gaps.sort_values(["points_recoverable", "id"], ascending=[False, True], kind="stable")
    return gaps[list(GAP_COLUMNS)].reset_index(drop=True)


def deadline_after(day: date, days: int) -> pd.Timestamp:
    return pd.Timestamp(day + timedelta(days=days))
