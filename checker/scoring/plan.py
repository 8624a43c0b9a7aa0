"""The rectification plan (整改计划): fixes of every kind chosen greedily by total points per unit of cost.

A fix is a site problem (its standard's exact draw expectation recomputed after it: fixes of the same
standard interact, gains are not additive), a document standard's missing materials (all of them, one step:
the standard then scores full), a survey rate or an indicator raised to its target. Each kind has a cost
(``settings.plan_costs``, default 1 each; a document step costs one per material). Greedy rule: at every
step take the fix with the most weighted-total gain per unit of cost *given the fixes already chosen*
(ties: the standard losing the most points, then the smaller gap id). Stop when the total reaches the
target. Greedy is not guaranteed to be the cheapest plan, but each step is the best next fix per cost, and
the cumulative totals are exact.
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


@dataclass(frozen=True)
class Flat:
    """A fix whose gain does not depend on other fixes: a document standard's materials, a survey, an
    indicator. ``gain`` is in the standard's points, ``total_gain`` on the total's scale."""

    gap_id: str
    kind: str
    code: str
    department: str
    gain: float
    total_gain: float
    cost: float


PLAN_COLUMNS = ("step", "id", "kind", "standard", "site", "department", "cost", "points_recoverable",
                "total_gain", "cumulative_score")  # fmt: skip


def all_fixed_gain(candidates: list[Candidate]) -> float:
    """Weighted total gained if every open site problem were fixed: each such standard goes to grade A
    (every site in its draw at 0 cases, and 0 ≤ a)."""
    gain = 0.0
    for c in candidates:
        full = c.model.points * float(c.model.shares[0])
        gain += (full - c.model.expected_score()) * c.factor
    return gain


def greedy(
    candidates: list[Candidate],
    weighted_now: float,
    deductions: float,
    target: float,
    flat: list[Flat] | None = None,
    field_cost: float = 1.0,
) -> tuple[pd.DataFrame, float, bool]:
    """(plan frame, final total, reached) — the fixes in order until max(0, weighted − deductions) ≥ target."""
    # (−gain per cost, −points still lost, gap id, candidate index (−1 − k for flat fix k), version, key)
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
            entry = (-max(gain, 0.0) * c.factor / field_cost, rows[0][0], key)
            if best is None or entry[:2] < best[:2]:
                best = entry
        if best is not None:
            heapq.heappush(heap, (best[0], -lost, best[1], i, versions[i], best[2]))

    for i in range(len(candidates)):
        push(i)
    fixes = flat or []
    for k, f in enumerate(fixes):
        heapq.heappush(heap, (-max(f.total_gain, 0.0) / f.cost, -f.total_gain, f.gap_id, -1 - k, 0, (0, 0)))
    total = max(0.0, weighted_now - deductions)
    steps: list[tuple[int, str, str, str, str, str, float, float, float, float]] = []
    while total < target - _TINY and heap and len(steps) < MAX_STEPS:
        _gain, _lost, _gid, i, version, key = heapq.heappop(heap)
        if i < 0:
            f = fixes[-1 - i]
            weighted_now += f.total_gain
            total = max(0.0, weighted_now - deductions)
            steps.append((len(steps) + 1, f.gap_id, f.kind, f.code, "", f.department, f.cost, f.gain,
                          f.total_gain, total))  # fmt: skip
            continue
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
        steps.append((len(steps) + 1, gap_id, "site_problem", c.code, site, department, field_cost, gain,
                      gain * c.factor, total))  # fmt: skip
        versions[i] += 1
        push(i)
    plan = pd.DataFrame.from_records(steps, columns=list(PLAN_COLUMNS))
    plan = plan.astype(
        {"step": "int64", "id": "string", "kind": "string", "standard": "string", "site": "string",
         "department": "string", "cost": "float64", "points_recoverable": "float64", "total_gain": "float64",
         "cumulative_score": "float64"}
    )  # fmt: skip
    return plan, total, total >= target - _TINY
