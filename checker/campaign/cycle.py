"""The cycle score (创建周期得分): the three annual results of a 创建周期 weighted into one score.

Pure functions over plain values, documented in ``docs/history.md`` ("The cycle score"):

* year *k* of the cycle (1, 2, 3) is calendar year ``first_year + k - 1`` and weighs ``w_k`` (the pack's
  ``settings.cycle_weights``);
* the round that counts for a year is its official round (the last one, when several are marked), else
  its last recorded round (by 交办日期, then recording order); a year without a round has no score yet;
* **score** (so far) is the weighted mean of the years that have a score, ``Σ w_k s_k / Σ w_k`` over those
  years — the cycle score itself once every year has one; **low** and **high** are the same mean over the
  rounds' own ranges (an official result has no range);
* a year is **settled** when its result is official or when a later year already has a round (its last
  round stands); the others are **open**: the current year and the years to come;
* for a target ``T``, the open years must score on average
  ``required = (T · Σ_all w − Σ_settled w_k s_k) / Σ_open w_k``;
  it is reachable when ``required ≤ total_points``; when it is ``≤ 0`` the target is already secured and
  ``required`` is reported as 0. With no open year left, ``required`` is None and ``reachable`` says whether
  the cycle score reached the target.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

__all__ = ["CycleRound", "CycleScore", "CycleYear", "cycle_score"]


@dataclass(frozen=True)
class CycleRound:
    """What the cycle needs of a round."""

    name: str
    year: int
    issued: date
    seq: int
    official: bool
    total: float
    low: float
    high: float


@dataclass(frozen=True)
class CycleYear:
    index: int  # 1, 2, 3
    year: int
    weight: float
    round: str | None
    official: bool
    score: float | None
    low: float | None
    high: float | None
    settled: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "round": self.round,
            "score": _r(self.score),
            "official": self.official,
            "basis": None if self.round is None else ("official" if self.official else "last"),
            "weight": self.weight,
            "low": _r(self.low),
            "high": _r(self.high),
            "settled": self.settled,
        }


@dataclass(frozen=True)
class CycleScore:
    weights: dict[int, float]
    years: tuple[CycleYear, ...]
    score: float | None
    low: float | None
    high: float | None
    target: float | None
    required: float | None
    reachable: bool | None
    total_points: float

    @property
    def open_years(self) -> list[int]:
        return [y.year for y in self.years if not y.settled]

    def as_json(self) -> dict[str, Any]:
        return {
            "weights": {str(k): v for k, v in self.weights.items()},
            "years": [y.as_json() for y in self.years],
            "score": _r(self.score),
            "low": _r(self.low),
            "high": _r(self.high),
            "target": self.target,
            "required": _r(self.required),
            "reachable": self.reachable,
            "open_years": self.open_years,
        }


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def counted_round(rounds: Sequence[CycleRound]) -> CycleRound | None:
    """The round that counts for a year: the last official one, else the last one."""
    if not rounds:
        return None
    ordered = sorted(rounds, key=lambda r: (r.issued, r.seq))
    official = [r for r in ordered if r.official]
    return (official or ordered)[-1]


def cycle_score(
    rounds: Sequence[CycleRound],
    weights: Mapping[int, float],
    first_year: int,
    *,
    target: float | None = None,
    total_points: float = 100.0,
) -> CycleScore:
    """The cycle score of ``rounds`` (any years; those outside the cycle are ignored)."""
    indexes = sorted(weights)
    by_year: dict[int, list[CycleRound]] = {}
    for r in rounds:
        by_year.setdefault(r.year, []).append(r)
    last_year_with_round = max((first_year + k - 1 for k in indexes if by_year.get(first_year + k - 1)),
                               default=None)  # fmt: skip
    years: list[CycleYear] = []
    for k in indexes:
        year = first_year + k - 1
        chosen = counted_round(by_year.get(year, []))
        later = last_year_with_round is not None and year < last_year_with_round
        settled = chosen is not None and (chosen.official or later)
        if chosen is None:
            years.append(CycleYear(k, year, float(weights[k]), None, False, None, None, None, False))
            continue
        bottom, top = (chosen.total, chosen.total) if chosen.official else (chosen.low, chosen.high)
        years.append(
            CycleYear(
                k, year, float(weights[k]), chosen.name, chosen.official, chosen.total, bottom, top, settled
            )
        )
    known = [y for y in years if y.score is not None and y.weight > 0]
    known_weight = sum(y.weight for y in known)
    score: float | None = None
    low: float | None = None
    high: float | None = None
    if known_weight > 0:
        score = sum(y.weight * (y.score or 0.0) for y in known) / known_weight
        low = sum(y.weight * (y.low or 0.0) for y in known) / known_weight
        high = sum(y.weight * (y.high or 0.0) for y in known) / known_weight
    required: float | None = None
    reachable: bool | None = None
    if target is not None:
        all_weight = sum(float(weights[k]) for k in indexes)
        open_weight = sum(y.weight for y in years if not y.settled)
        banked = sum(y.weight * (y.score or 0.0) for y in years if y.settled)
        if open_weight > 0:
            need = (target * all_weight - banked) / open_weight
            reachable = need <= total_points + 1e-9
            required = max(0.0, need)
        else:
            reachable = score is not None and score >= target - 1e-9
    return CycleScore(
        {k: float(weights[k]) for k in indexes},
        tuple(years),
        score,
        low,
        high,
        target,
        required,
        reachable,
        total_points,
    )
