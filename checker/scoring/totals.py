"""Totals: raw-point rollups Ⅲ → Ⅱ → Ⅰ and per method, and the method-weighted total with its range."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from checker.handbook.model import METHOD_LABELS_ZH, METHODS, Handbook
from checker.scoring.assessment import NegativeEvent, Rollup, StandardResult, Total

# Method groups of the weighted total: data standards are weighed with the documents (网上申报).
GROUPS: dict[str, tuple[str, ...]] = {
    "document": ("document", "data"),
    "field": ("field",),
    "survey": ("survey",),
}
UNKNOWN = ("no_evidence", "invalid")  # counted at 0 in the score and low, at full marks in high


def _rollup(level: str, code: str, name: str, results: Iterable[StandardResult]) -> Rollup:
    rs = [r for r in results if r.status != "not_applicable"]
    score = sum(r.score for r in rs)
    return Rollup(
        level=level,  # type: ignore[arg-type]
        code=code,
        name=name,
        points=sum(r.points for r in rs),
        score=score,
        low=score,
        high=score + sum(r.points - r.score for r in rs if r.status in UNKNOWN),
        standards=len(rs),
        passed=sum(r.status == "pass" for r in rs),
        no_evidence=sum(r.status == "no_evidence" for r in rs),
    )


def rollups(handbook: Handbook, results: dict[str, StandardResult], gw: GroupWeights) -> list[Rollup]:
    """Projects, then indicators, then contents, then methods, each in handbook order."""
    projects, indicators, contents = [], [], []
    for p in handbook.projects:
        projects.append(
            _rollup(
                "project",
                p.code,
                p.name,
                (results[s.code] for i in p.indicators for c in i.contents for s in c.standards),
            )
        )
        for i in p.indicators:
            indicators.append(
                _rollup(
                    "indicator", i.code, i.name, (results[s.code] for c in i.contents for s in c.standards)
                )
            )
            for c in i.contents:
                contents.append(_rollup("content", c.code, c.name, (results[s.code] for s in c.standards)))
    methods = []
    for m in METHODS:
        r = _rollup("method", m, METHOD_LABELS_ZH[m], (r for r in results.values() if r.method == m))
        factor = gw.factor(m)
        methods.append(replace(r, weighted=r.score * factor, weighted_max=r.points * factor))
    return projects + indicators + contents + methods


@dataclass(frozen=True)
class GroupWeights:
    """Per method group: its weight on the pack's scale and its applicable raw points."""

    weight: dict[str, float]
    points: dict[str, float]

    def factor(self, method: str) -> float:
        """Total points per raw point of a standard of this method (0 when the group has no points)."""
        group = next(g for g, ms in GROUPS.items() if method in ms)
        pts = self.points[group]
        return self.weight[group] / pts if pts else 0.0


def group_weights(handbook: Handbook, results: Iterable[StandardResult]) -> GroupWeights:
    settings = handbook.settings
    raw = {g: float(getattr(settings.method_weights, g)) for g in GROUPS}
    scale = settings.total_points / sum(raw.values()) if sum(raw.values()) else 0.0
    points = dict.fromkeys(GROUPS, 0.0)
    for r in results:
        if r.status != "not_applicable":
            group = next(g for g, ms in GROUPS.items() if r.method in ms)
            points[group] += r.points
    return GroupWeights({g: w * scale for g, w in raw.items()}, points)


def weighted(results: Iterable[StandardResult], gw: GroupWeights, *, high: bool = False) -> float:
    """Σ over groups of weight × group score / group applicable points (unknowns at full when ``high``)."""
    total = 0.0
    for r in results:
        if r.status == "not_applicable":
            continue
        score = r.points if high and r.status in UNKNOWN else r.score
        total += score * gw.factor(r.method)
    return total


def total(results: list[StandardResult], events: list[NegativeEvent], gw: GroupWeights) -> Total:
    maximum = sum(w for g, w in gw.weight.items() if gw.points[g] > 0)
    deductions = sum(e.deduction for e in events)
    veto = any(e.veto for e in events)
    score = max(0.0, weighted(results, gw) - deductions)
    high = max(0.0, weighted(results, gw, high=True) - deductions)
    return Total(
        score=score,
        max=maximum,
        low=score,
        high=high,
        max_reachable=0.0 if veto else max(0.0, maximum - deductions),
        deductions=deductions,
        veto=veto,
    )
