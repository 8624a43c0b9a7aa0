"""存在的问题.txt: the shortcomings as a district work summary writes them (一是……二是……三是……).

Themes are the Ⅰ items that lose points, ordered by points lost, each with the concrete figures the
assessment holds (sites, rates, points) and the units concerned, most points recoverable first; then the
next-step plan (下一步工作打算). Nothing here is scored: counts are counts of the assessment's gap rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from checker.report import tables
from checker.report.labels import label
from checker.report.reasons import plan_note_text, reason_text, veto_texts
from checker.report.sanitize import inline_text

if TYPE_CHECKING:
    import pandas as pd

    from checker.scoring.assessment import Assessment, Rollup, StandardResult

MAX_THEMES = 5
MAX_NAMES = 3
EXAMPLE_CHARS = 30


def _pts(value: float) -> str:
    return f"{value:.2f}"


def _short(text: Any) -> str:
    line = inline_text(text).strip()
    return line if len(line) <= EXAMPLE_CHARS else line[: EXAMPLE_CHARS - 1] + "…"


def _join(items: list[str], lang: str) -> str:
    return label("narr.list_sep", lang).join(items)


class _Writer:
    def __init__(self, assessment: Assessment, lang: str) -> None:
        self.a = assessment
        self.lang = lang
        gaps = assessment.gaps
        self.gaps = gaps if "kind" in gaps.columns else gaps.iloc[0:0]
        # Units to press first: most points recoverable (the engine's figure), else the worst-ranked first.
        ranked = assessment.departments
        if "department" not in ranked.columns:
            self.rank: list[str] = []
        elif "total_recoverable" in ranked.columns:
            ordered = ranked.sort_values("total_recoverable", ascending=False, kind="stable")
            self.rank = [inline_text(d) for d in tables.column_values(ordered, "department")]
        else:
            self.rank = [inline_text(d) for d in reversed(tables.column_values(ranked, "department"))]

    def t(self, key: str, **values: Any) -> str:
        return label(key, self.lang).format(**values)

    def departments(self, gaps: pd.DataFrame) -> list[str]:
        """The units concerned, those with most points to recover first (units not ranked come last)."""
        if gaps.empty or "department" not in gaps.columns:
            return []
        found = {inline_text(d) for d in tables.column_values(gaps, "department") if d}
        ordered = [d for d in self.rank if d in found] + sorted(found - set(self.rank))
        return ordered[:MAX_NAMES]

    def theme(self, project: Rollup, standards: list[StandardResult]) -> str:
        lost = project.points - project.score
        head = self.t(
            "narr.theme",
            name=inline_text(project.name) or project.code,
            points=_pts(project.points),
            score=_pts(project.score),
            rate=f"{project.rate:.1%}",
            lost=_pts(lost),
        )
        clauses = [head]
        gaps = (
            self.gaps[self.gaps["project"] == project.code] if "project" in self.gaps.columns else self.gaps
        )
        problems = gaps[gaps["kind"] == "site_problem"]
        if len(problems):
            descriptions = [_short(d) for d in tables.column_values(problems.head(20), "description") if d]
            examples = list(dict.fromkeys(descriptions))[:2]
            cases = sum(int(c or 0) for c in tables.column_values(problems, "cases")) or len(problems)
            clauses.append(
                self.t(
                    "narr.site_problems",
                    n=cases,
                    sites=problems["site"].nunique(),
                    examples=_join([f"“{e}”" for e in examples], self.lang),
                )
            )
        coverage = gaps[gaps["kind"] == "coverage"]
        if len(coverage):
            clauses.append(self.t("narr.coverage", n=coverage["site"].nunique()))
        materials = gaps[gaps["kind"] == "material"]
        if len(materials):
            names = [_short(s) for m in standards for s in m.missing_materials][:MAX_NAMES]
            clauses.append(self.t("narr.materials", n=len(materials), names=_join(names, self.lang) or "—"))
        for s in standards:
            if s.method in ("survey", "data") and s.status in ("partial", "fail") and s.rate is not None:
                # The standard's own reason names the measure, its value, unit and target.
                clauses.append(self.t("narr.shortfall", code=s.code, reason=reason_text(s, self.lang)))
        missing = sum(s.status == "no_evidence" for s in standards)
        if missing:
            clauses.append(self.t("narr.no_evidence", n=missing))
        units = self.departments(gaps)
        if units:
            clauses.append(self.t("narr.departments", names=_join(units, self.lang)))
        return label("narr.clause_sep", self.lang).join(clauses) + label("narr.end", self.lang)

    def tracking(self) -> str:
        """The rectification since the previous round, from the ledger (empty for an unrecorded round)."""
        track = self.a.tracking
        if track is None:
            return ""
        if track.previous is None:
            return self.t("narr.track_first", round=inline_text(track.round), n=len(track.states))
        counts = {
            key: len(getattr(track, key))
            for key in ("closed", "still_open", "overdue", "false_claim", "recurred")
        }
        return self.t("narr.track", previous=inline_text(track.previous), **counts)

    def behind(self) -> list[str]:
        """Units with false claims or overdue problems, furthest behind first (the 通报's order)."""
        track = self.a.tracking
        if track is None or track.accountability.empty:
            return []
        frame = track.accountability
        late = frame[(frame["false_claims"] > 0) | (frame["overdue"] > 0)]
        names = [
            inline_text(d) or label("unassigned", self.lang) for d in tables.column_values(late, "department")
        ]
        return names[:MAX_NAMES]

    def next_steps(self) -> list[str]:
        steps: list[str] = []
        behind = self.behind()
        if behind:
            steps.append(self.t("narr.next_accountability", names=_join(behind, self.lang)))
        dispatched = tables.gaps_of(self.a, *tables.DISPATCHED_KINDS)
        if len(dispatched):
            deadlines = [d for d in tables.column_values(dispatched, "deadline") if d is not None]
            steps.append(
                self.t(
                    "narr.next_dispatch",
                    n=len(dispatched),
                    m=dispatched["department"].fillna("").nunique(),
                    deadline=min(deadlines).isoformat() if deadlines else "—",
                    names=_join(self.departments(dispatched), self.lang) or "—",
                )
            )
        materials = tables.gaps_of(self.a, "material")
        if len(materials):
            start, end = self.a.window
            steps.append(
                self.t("narr.next_materials", n=len(materials), start=start.isoformat(), end=end.isoformat())
            )
        coverage = tables.gaps_of(self.a, "coverage")
        if len(coverage):
            steps.append(self.t("narr.next_coverage", n=coverage["site"].nunique()))
        short = [s for s in self.a.standards if s.status in ("partial", "fail")]
        survey = [s.code for s in short if s.method == "survey"][:MAX_NAMES]
        if survey:
            steps.append(self.t("narr.next_survey", codes=_join(survey, self.lang)))
        data = [s.code for s in short if s.method == "data"][:MAX_NAMES]
        if data:
            steps.append(self.t("narr.next_data", codes=_join(data, self.lang)))
        if self.a.plan_note and len(self.a.plan):
            steps.append(self.t("narr.next_plan", note=inline_text(plan_note_text(self.a, self.lang))))
        return steps


def render_text(assessment: Assessment, lang: str) -> str:
    """The narrative as plain text (UTF-8, LF line ends)."""
    w = _Writer(assessment, lang)
    total = assessment.total
    ordinals = label("narr.ordinals", lang).split("|")
    district = inline_text(assessment.district).strip()
    title = w.t("narr.title", district=district) if district else label("narr.title_plain", lang)
    lines = [title, ""]
    overall = w.t(
        "narr.overall",
        handbook=inline_text(assessment.handbook_name),
        score=_pts(total.score),
        max=_pts(total.max),
        low=_pts(total.low),
        high=_pts(total.high),
        reachable=_pts(total.max_reachable),
    )
    if total.deductions:
        overall += w.t("narr.deductions", d=_pts(total.deductions))
    if total.veto:
        reasons = _join([inline_text(r) for r in veto_texts(assessment, lang)], lang) or label(
            "veto_yes", lang
        )
        overall += w.t("narr.veto", reasons=reasons)
    if assessment.rejected:
        overall += w.t("narr.rejected", n=len(assessment.rejected))
    lines += [overall]
    tracked = w.tracking()
    if tracked:
        lines += ["", tracked]
    lines += ["", label("narr.problems_head", lang)]

    losing = sorted(
        (p for p in tables.projects(assessment) if p.points - p.score > 1e-9),
        key=lambda p: (-(p.points - p.score), p.code),
    )
    if not losing:
        lines.append(label("narr.none", lang))
    for i, project in enumerate(losing[:MAX_THEMES]):
        standards = [s for s in assessment.standards if s.project == project.code]
        sep = "" if lang == "zh" else " "
        lines.append(ordinals[i] + sep + w.theme(project, standards))
    if len(losing) > MAX_THEMES:
        names = [inline_text(p.name) or p.code for p in losing[MAX_THEMES:]]
        lines.append(w.t("narr.others", names=_join(names, lang)))

    steps = w.next_steps()
    if steps:
        lines += ["", label("narr.next_head", lang)]
        for i, step in enumerate(steps):
            prefix = ordinals[i] if i < len(ordinals) else f"({i + 1})"
            lines.append(prefix + ("" if lang == "zh" else " ") + step)
    return "\n".join(lines) + "\n"
