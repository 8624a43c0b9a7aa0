"""The rectification plan (整改计划): site fixes chosen greedily by the total points they recover.

Greedy rule: at every step take the site problem whose fix raises the weighted total the most *given the
fixes already chosen* (ties: the standard losing the most points, then the smaller gap id), then recompute that standard's exact draw expectation —
fixes of the same standard interact (gains are not additive), fixes of different standards do not. Stop
when the total reaches the target. Greedy is not guaranteed to be the fewest fixes, but each step is the
best single next fix, and the cumulative totals are exact.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import pandas as pd

from checker.scoring.field import DrawModel, ObservedModel

MAX_STEPS = 20_000
_TINY = 1e-12


@dataclass
class Candidate:
    """One field standard's model and its open site problems, grouped by (stratum, value) key."""

    code: str
    model: DrawModel | ObservedModel
    factor: float  # total points per point of this standard
    problems: dict[tuple[int, int], list[tuple[str, str, str]]]  # key → [(gap id, site, department)], sorted


PLAN_COLUMNS = ("step", "id", "standard", "site", "department", "points_recoverable", "total_gain",
                "cumulative_score")  # fmt: skip


def all_fixed_gain(candidates: list[Candidate]) -> float:
    """Weighted total gained if every open site problem were fixed: each such standard goes to grade A
    (every site in its draw at 0 cases, and 0 ≤ a)."""
    gain = 0.0
    for c in candidates:
        full = c.model.points * float(c.model.shares[0])
        gain += (full - c.model.expected_score()) * c.factor
    return gain


def greedy(
    candidates: list[Candidate], weighted_now: float, deductions: float, target: float
) -> tuple[pd.DataFrame, float, bool]:
    """(plan frame, final total, reached) — the fixes in order until max(0, weighted − deductions) ≥ target."""
    heap: list[tuple[float, float, str, int, int, tuple[int, int]]] = []
    versions = [0] * len(candidates)
    current = [c.model.expected_score() for c in candidates]

    def push(i: int) -> None:
        """Queue standard i's best next fix: most total gain, then (when no single fix gains anything,
        e.g. two sites with 3 cases each drawn 2 of 2) the standard with the most points still lost."""
        c = candidates[i]
        lost = (c.model.points * float(c.model.shares[0]) - current[i]) * c.factor
        best: tuple[float, str, tuple[int, int]] | None = None
        for key, gain in c.model.gains().items():
            rows = c.problems.get(key)
            if not rows:
                continue
            entry = (-max(gain, 0.0) * c.factor, rows[0][0], key)
            if best is None or entry[:2] < best[:2]:
                best = entry
        if best is not None:
            heapq.heappush(heap, (best[0], -lost, best[1], i, versions[i], best[2]))

    for i in range(len(candidates)):
        push(i)
    total = max(0.0, weighted_now - deductions)
    steps: list[tuple[int, str, str, str, str, float, float, float]] = []
    while total < target - _TINY and heap and len(steps) < MAX_STEPS:
        _gain, _lost, _gid, i, version, key = heapq.heappop(heap)
        if version != versions[i]:
            continue
        c = candidates[i]
        gap_id, site, department = c.problems[key].pop(0)
        c.model = c.model.fixed(*key)
        after = c.model.expected_score()
        gain = after - current[i]
        current[i] = after
        weighted_now += gain * c.factor
        total = max(0.0, weighted_now - deductions)
        steps.append((len(steps) + 1, gap_id, c.code, site, department, gain, gain * c.factor, total))
        versions[i] += 1
        push(i)
    plan = pd.DataFrame.from_records(steps, columns=list(PLAN_COLUMNS))
    plan = plan.astype(
        {"step": "int64", "id": "string", "standard": "string", "site": "string", "department": "string",
         "points_recoverable": "float64", "total_gain": "float64", "cumulative_score": "float64"}
    )  # fmt: skip
    return plan, total, total >= target - _TINY
