"""数据指标 data standards: an indicator, or a ratio of two, against a target with direction ≥ or ≤."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from checker.handbook.model import Handbook, Standard
from checker.scoring.assessment import ReasonArgs, StandardResult
from checker.scoring.common import Place, normalise_name, normalise_series, result
from checker.scoring.grades import bands_for, grade_for_shortfall


def latest_values(indicators: pd.DataFrame, window: tuple[date, date]) -> pd.DataFrame:
    """Per normalised indicator name (every name seen): the latest value dated inside the window, NaN when
    none is (ties on the date: the last row read)."""
    frame = indicators.reset_index(drop=True)
    key = normalise_series(frame["indicator"])
    start, end = pd.Timestamp(window[0]), pd.Timestamp(window[1])
    inside = ((frame["date"] >= start) & (frame["date"] <= end)).fillna(False).astype(bool).to_numpy()
    chosen = frame.assign(key=key, order=np.arange(len(frame)))[inside]
    chosen = chosen.sort_values(["key", "date", "order"]).drop_duplicates("key", keep="last")
    return chosen.set_index("key")[["value", "date"]].reindex(pd.Index(key.unique()))


def _lookup(latest: pd.DataFrame, name: str) -> tuple[float | None, bool]:
    """(value, had rows) for an indicator name: exact normalised match, else a unique containing name."""
    key = normalise_name(name)
    if key not in latest.index:
        near = [k for k in latest.index if key in str(k) or (len(str(k)) >= 2 and str(k) in key)]
        if len(near) != 1:
            return None, False
        key = near[0]
    value = float(latest["value"].to_numpy(dtype=np.float64)[latest.index.get_loc(key)])
    return (None if np.isnan(value) else value), True


def evaluate_data(
    handbook: Handbook, standard: Standard, place: Place, latest: pd.DataFrame, rejected: int
) -> StandardResult:
    assert standard.data is not None
    spec = standard.data
    names = [spec.indicator] if spec.indicator else [spec.numerator or "", spec.denominator or ""]
    found = [_lookup(latest, n) for n in names]
    values = [v for v, _ in found]
    had_rows = any(h for _, h in found)
    missing = [n for n, v in zip(names, values, strict=True) if v is None]
    if missing:
        args: ReasonArgs
        if not had_rows and rejected:
            status, code, args = "invalid", "data.invalid", (("rejected", rejected),)
        elif had_rows:
            status, code, args = "no_evidence", "data.out_of_window", (("indicators", tuple(missing)),)
        else:
            status, code, args = "no_evidence", "data.none", (("indicators", tuple(missing)),)
        return result(standard, place, status=status, reason_code=code, reason_args=args, target=spec.target)
    if spec.indicator:
        value = float(values[0] or 0.0)
    else:
        numerator, denominator = values
        if not denominator:
            return result(
                standard,
                place,
                status="invalid",
                reason_code="data.zero_denominator",
                reason_args=(("denominator", spec.denominator or ""),),
                target=spec.target,
            )
        value = float(numerator or 0.0) / float(denominator) * spec.scale
    if spec.direction == ">=":
        shortfall = (spec.target - value) / spec.target if spec.target else (0.0 if value >= 0 else 1.0)
    else:
        excess = value - spec.target
        shortfall = excess / spec.target if spec.target else (float("inf") if excess > 0 else 0.0)
    grade = grade_for_shortfall(shortfall, bands_for(handbook, spec.bands), standard.binary)
    score = standard.points * handbook.settings.grade_shares.share(grade)
    args = (
        ("indicator", "/".join(names)),
        ("value", value),
        ("unit", spec.unit),
        ("direction", spec.direction),
        ("target", spec.target),
    )
    return result(
        standard,
        place,
        grade=grade,
        score=score,
        reason_code="data.met" if grade == "A" else "data.short",
        reason_args=args,
        rows=len(names),
        rate=value,
        target=spec.target,
    )
