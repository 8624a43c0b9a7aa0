"""存在的问题.txt: the shortcomings as a district work summary writes them (一是……二是……三是……).

Written as an office writes its 存在的问题 and 下一步工作打算: each Ⅰ item that loses points is a judgement
("…有待于进一步加强") followed by what was found, in prose with plain numbers — the problems found on site
with examples, the sites not inspected, the materials by name, each survey and indicator as "…为 79.0%，低于
85% 的目标" — and the units that can recover most of it. Codes, confidence intervals and sample sizes stay in
the tables of the other reports; negative-list events have their own item. Nothing here is scored: counts
are counts of the assessment's gap rows and figures are the engine's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from checker.report import tables
from checker.report.labels import label
from checker.report.reasons import veto_texts
from checker.report.sanitize import inline_text

if TYPE_CHECKING:
    import pandas as pd

    from checker.scoring.assessment import Assessment, Rollup, StandardResult

MAX_THEMES = 5
MAX_NAMES = 3
MAX_EXAMPLES = 2
EXAMPLE_CHARS = 30
NARRATIVE_COLUMNS = ("kind", "project", "site", "department", "description", "required", "cases", "deadline",
                     "total_recoverable")  # fmt: skip
# A standard's text usually ends in what it asks ("…达到目标值"); the measure is what comes before.
_ASKS = ("达到目标值", "达到目标", "符合要求")


def _num(value: float, digits: int = 2) -> str:
    """A number as a summary writes it: no trailing zeros (55.5, 13, 42.5)."""
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _float(value: object) -> float:
    return float(value) if isinstance(value, (int, float)) else 0.0


def _short(text: Any) -> str:
    line = inline_text(text).strip()
    return line if len(line) <= EXAMPLE_CHARS else line[: EXAMPLE_CHARS - 1] + "…"


def _join(items: list[str], lang: str) -> str:
    return label("narr.list_sep", lang).join(items)


def _measure(result: StandardResult) -> str | None:
    """What a survey or data standard measures, in words: its text without the demand (达到目标值); None
    when the text does not end in a demand this module knows."""
    text = inline_text(result.text).strip().rstrip("。.")
    for ask in _ASKS:
        if text.endswith(ask) and len(text) > len(ask):
            return text[: -len(ask)]
    return None


def _named(result: StandardResult) -> str:
    """A survey or data standard by what it measures, else by its whole text."""
    return _measure(result) or inline_text(result.text).strip().rstrip("。.") or result.code


class _Writer:
    def __init__(self, assessment: Assessment, lang: str) -> None:
        self.a = assessment
        self.lang = lang
        gaps = assessment.gaps
        # The columns the text reads, not all of them: every selection below copies what it keeps, and a
        # 250k-site round has 366k gaps.
        self.gaps = (
            gaps[[c for c in NARRATIVE_COLUMNS if c in gaps.columns]]
            if "kind" in gaps.columns
            else gaps.iloc[0:0]
        )
        self._missed: dict[str, int] | None = None

    def of_kind(self, *kinds: str) -> pd.DataFrame:
        return self.gaps[self.gaps["kind"].isin(kinds)]

    def sites_missing(self, project: str) -> int:
        """How many coverage gaps (one per site) list a standard of ``project`` among those the site
        missed (``required``, "、"-joined); counted once per distinct list, for every project at once."""
        if self._missed is None:
            of = {s.code: s.project for s in self.a.standards}
            counts = self.of_kind("coverage")["required"].astype(object).fillna("").value_counts(sort=False)
            missed: dict[str, int] = {}
            for listed, n in counts.items():
                for p in {of.get(code) for code in str(listed).split("、")} - {None}:
                    missed[str(p)] = missed.get(str(p), 0) + int(n)
            self._missed = missed
        return self._missed.get(project, 0)

    def t(self, key: str, **values: Any) -> str:
        return label(key, self.lang).format(**values)

    def units(self, gaps: pd.DataFrame, limit: int = MAX_NAMES) -> list[str]:
        """The units with most points to recover in ``gaps`` (the engine's total_recoverable), first."""
        if gaps.empty or "department" not in gaps.columns:
            return []
        owned = gaps[gaps["department"].fillna("").astype(str).str.strip() != ""]
        if owned.empty:
            return []
        points = owned.groupby(owned["department"].astype(str), sort=True)["total_recoverable"].sum()
        ordered = points.sort_values(ascending=False, kind="stable")
        return [inline_text(d) for d in ordered.index[:limit]]

    def _rate(self, result: StandardResult) -> str:
        """A survey's or an indicator's value against its target, in words."""
        args = dict(result.reason_args)
        if result.method == "survey":
            value, target, unit = (result.rate or 0.0) * 100, (result.target or 0.0) * 100, "%"
        else:
            value, target = _float(args.get("value", result.rate)), _float(args.get("target"))
            unit = str(args.get("unit") or "")
        below = str(args.get("direction", ">=")) != "<="
        measure = _measure(result)
        if measure is None:
            key, measure = "narr.rate_plain", inline_text(result.text).strip().rstrip("。.")
        else:
            key = "narr.rate_below" if below else "narr.rate_above"
        return self.t(key, measure=measure, value=_num(value, 1) + unit, target=_num(target, 1) + unit)

    def theme(self, project: Rollup, standards: list[StandardResult]) -> str:
        lost = project.points - project.score
        head = self.t(
            "narr.theme",
            name=inline_text(project.name) or project.code,
            points=_num(project.points),
            score=_num(project.score),
            lost=_num(lost),
        )
        gaps = (
            self.gaps[self.gaps["project"] == project.code] if "project" in self.gaps.columns else self.gaps
        )
        clauses: list[str] = []
        problems = gaps[gaps["kind"] == "site_problem"]
        if len(problems):
            descriptions = [_short(d) for d in tables.column_values(problems.head(20), "description") if d]
            examples = list(dict.fromkeys(descriptions))[:MAX_EXAMPLES]
            cases = sum(int(c or 0) for c in tables.column_values(problems, "cases")) or len(problems)
            clauses.append(
                self.t(
                    "narr.site_problems",
                    n=cases,
                    sites=problems["site"].nunique(),
                    examples=_join(examples, self.lang),
                )
            )
        # A coverage gap is one per site and lists every standard the site missed ("、"-joined in
        # ``required``): the theme counts the sites that missed one of its own standards.
        missed = self.sites_missing(project.code)
        if missed:
            clauses.append(self.t("narr.coverage", n=missed))
        materials = gaps[gaps["kind"] == "material"]
        if len(materials):
            names = list(dict.fromkeys(_short(s) for m in standards for s in m.missing_materials))
            shown = _join(names[:MAX_NAMES], self.lang) or "—"
            key = "narr.materials_more" if len(materials) > min(len(names), MAX_NAMES) else "narr.materials"
            clauses.append(self.t(key, names=shown, n=len(materials)))
        for s in standards:
            if s.method in ("survey", "data") and s.status in ("partial", "fail") and s.rate is not None:
                clauses.append(self._rate(s))
        missing = sum(s.status == "no_evidence" for s in standards)
        if missing:
            clauses.append(self.t("narr.no_evidence", n=missing))
        units = self.units(gaps)
        if units:
            clauses.append(self.t("narr.departments", names=_join(units, self.lang)))
        body = label("narr.clause_sep", self.lang).join(clauses)
        return head + (self.t("narr.found", body=body) if body else "")

    def negative(self) -> str:
        """The negative-list events (负面清单) that cost points or veto the total, in one item."""
        events = self.a.negative_events
        if not events:
            return ""
        parts = [
            self.t(
                "narr.negative_event",
                date=self.t("narr.date", y=e.date.year, m=e.date.month, d=e.date.day),
                text=inline_text(e.text),
                effect=label("narr.negative_veto", self.lang)
                if e.veto
                else self.t("narr.negative_deduction", d=_num(e.deduction)),
            )
            for e in events
        ]
        gaps = self.gaps[self.gaps["kind"] == "negative"]
        units = self.units(gaps.assign(total_recoverable=1.0)) if len(gaps) else []
        tail = self.t("narr.departments", names=_join(units, self.lang)) if units else ""
        sep = label("narr.clause_sep", self.lang)
        return self.t("narr.negative", body=sep.join(parts + ([tail] if tail else [])))

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
        import pandas as pd

        dispatched = self.of_kind(*tables.DISPATCHED_KINDS)
        owned = dispatched[dispatched["department"].fillna("").astype(str).str.strip() != ""]
        if len(owned):
            first = pd.to_datetime(owned["deadline"]).min() if "deadline" in owned.columns else pd.NaT
            steps.append(
                self.t(
                    "narr.next_dispatch",
                    n=len(owned),
                    m=owned["department"].nunique(),
                    deadline=self.t("narr.date", y=first.year, m=first.month, d=first.day)
                    if not pd.isna(first)
                    else "—",
                    names=_join(self.units(owned), self.lang) or "—",
                )
            )
        materials = self.of_kind("material")
        if len(materials):
            start, end = self.a.window
            steps.append(
                self.t(
                    "narr.next_materials",
                    n=len(materials),
                    start=self.t("narr.date", y=start.year, m=start.month, d=start.day),
                    end=self.t("narr.date", y=end.year, m=end.month, d=end.day),
                )
            )
        coverage = self.of_kind("coverage")
        if len(coverage):
            steps.append(self.t("narr.next_coverage", n=coverage["site"].nunique()))
        short = [s for s in self.a.standards if s.status in ("partial", "fail") and s.rate is not None]
        for method, key in (("survey", "narr.next_survey"), ("data", "narr.next_data")):
            measures = [_named(s) for s in short if s.method == method]
            if measures:
                shown = _join(measures[:MAX_NAMES], self.lang)
                steps.append(self.t(key, names=shown, n=len(measures)))
        if self.a.negative_events:
            steps.append(label("narr.next_negative", self.lang))
        plan = self.a.plan
        target = self.a.options.target
        if target is not None and len(plan):
            reach = float(plan["cumulative_score"].iloc[-1])
            key = "narr.next_plan" if reach >= target - 0.005 else "narr.next_plan_short"
            steps.append(self.t(key, n=len(plan), target=_num(target), reach=_num(reach)))
        return steps


def render_text(assessment: Assessment, lang: str, *, mark: str = "") -> str:
    """The narrative as plain text (UTF-8, LF line ends); ``mark`` (the generation) closes it when given."""
    w = _Writer(assessment, lang)
    total = assessment.total
    ordinals = label("narr.ordinals", lang).split("|")
    district = inline_text(assessment.district).strip()
    title = w.t("narr.title", district=district) if district else label("narr.title_plain", lang)
    lines = [title, ""]
    overall = w.t(
        "narr.overall",
        handbook=inline_text(assessment.handbook_name),
        score=_num(total.score),
        max=_num(total.max),
        low=_num(total.low),
        high=_num(total.high),
        reachable=_num(total.max_reachable),
    )
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
    items = [
        w.theme(project, [s for s in assessment.standards if s.project == project.code])
        for project in losing[:MAX_THEMES]
    ]
    negative = w.negative()
    if negative:
        items.append(negative)
    if not items:
        lines.append(label("narr.none", lang))
    sep = "" if lang == "zh" else " "
    for i, item in enumerate(items):
        prefix = ordinals[i] if i < len(ordinals) else f"({i + 1})"
        lines.append(prefix + sep + item)
    if len(losing) > MAX_THEMES:
        names = [inline_text(p.name) or p.code for p in losing[MAX_THEMES:]]
        lines.append(w.t("narr.others", names=_join(names, lang)))

    steps = w.next_steps()
    if steps:
        lines += ["", label("narr.next_head", lang)]
        for i, step in enumerate(steps):
            prefix = ordinals[i] if i < len(ordinals) else f"({i + 1})"
            lines.append(prefix + sep + step)
    if mark:
        lines += ["", f"（{mark}）" if lang == "zh" else f"({mark})"]
    return "\n".join(lines) + "\n"
