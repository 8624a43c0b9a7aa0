"""The assessment (测评结果): everything ``evaluate`` computes, and nothing a renderer must recompute.

Small collections are frozen dataclasses; the long lists (gaps, rankings, plan) are pandas frames with
the documented columns, so that renderers can stream 200k problems without building objects per row.

Statuses (who sets them: only the method evaluators in ``checker.scoring``):

- ``pass``            达标      grade A
- ``partial``         部分达标  grade B or C
- ``fail``            不达标    grade C#
- ``no_evidence``     无证据    no usable evidence at all; scored 0, listed apart, counted at full in ``high``
- ``not_applicable``  不适用    no applicable site exists; excluded from the maximum
- ``invalid``         数据有误  evidence existed but every row of it was rejected
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pandas as pd

    from checker.intake.evidence import InputFile, Rejection, SkippedFile
    from checker.scoring.tracking import Tracking

Status = Literal["pass", "partial", "fail", "no_evidence", "not_applicable", "invalid"]

# A reason's values (counts, rates, targets, names…), by name: the language-neutral data a renderer fills
# into the template of the reason_code. Names listed (materials, indicators, site types) are tuples.
ReasonValue = str | int | float | bool | None | tuple[str, ...]
ReasonArgs = tuple[tuple[str, ReasonValue], ...]

GapKind = Literal["site_problem", "coverage", "material", "survey", "data", "negative", "standard"]
RollupLevel = Literal["project", "indicator", "content", "method"]

# Columns of Assessment.gaps — one row per gap, sorted by total_recoverable, points_recoverable (desc), id.
GAP_COLUMNS = (
    "id",  # stable: derived from the key alone (hashlib), "P-XXXX-XXXX" (see scoring.gaps)
    "kind",  # GapKind
    "standard",  # standard code ("" for negative-list events)
    "project",  # Ⅰ code
    "method",
    "site",  # site id ("" when not a site gap)
    "site_name",
    "site_type",
    "street",  # 所属街道
    "department",  # the responsible unit it is dispatched to
    # What was observed: the evidence's own text (site problems); "" where the engine describes the gap
    # itself — its reason_code and values say it, and the report layer writes the sentence.
    "description",
    "required",  # what the standard requires: its text, or the material's name; "" for negative events
    "cases",  # int; problem cases at the site (site_problem), else 0
    "photo",
    "points_lost",  # for standard/survey/data/material gaps: points the standard loses now
    "points_recoverable",  # expected standard points regained by fixing this gap alone (exact, ≥ 0)
    "total_recoverable",  # the same on the scale of the weighted total (× the method group's factor)
    "deadline",  # date: issue date (交办日期) + the pack's days for the method, never on/after the test date
    "evidence",  # "file › sheet › row" of the evidence row, when there is one
    # The stable code of what the gap says, "" when description is evidence text (site problems):
    # material.missing / material.out_of_window / material.file_unresolved (values: the material, in
    # required), coverage.not_inspected, negative.veto / negative.deduction (values: the negative event with
    # this evidence, the deduction in points_lost), and for standard/survey/data gaps the standard's own
    # reason_code (values: StandardResult.reason_args). checker.report.reasons renders them in zh or en.
    "reason_code",
    # The key the id is derived from, "kind|standard|site|detail";
    # the ledger matches problems across rounds on it (see docs/ledger.md).
    "key",
)


@dataclass(frozen=True)
class StandardResult:
    """The result of one standard (测评标准)."""

    code: str
    text: str
    method: str
    project: str  # Ⅰ code
    indicator: str  # Ⅱ code
    content: str  # Ⅲ code
    points: float
    status: Status
    grade: str | None  # A/B/C/C#; for field standards under the draw, the most likely grade; None if no grade
    score: float  # expected points (field) or points × share
    expected_share: float  # score / points
    p_full: float | None  # chance of full marks (field standards under the draw); 1/0 for deterministic ones
    lead: str
    departments: tuple[str, ...]
    # Evidence counts
    rows: int = 0  # accepted evidence rows used
    sites_inspected: int = 0
    sites_failing: int = 0
    cases: int = 0
    sites_registered: int = 0
    sites_uncovered: int = 0
    sample: int | None = None  # assessors' draw size (sum over site types)
    sample_short: bool = False  # fewer inspected sites than the draw
    missing_materials: tuple[str, ...] = ()
    rate: float | None = None  # survey rate or data value
    rate_low: float | None = None  # survey: 95% Wilson interval
    rate_high: float | None = None
    target: float | None = None
    respondents: int | None = None
    small_sample: bool = False
    interval_below_target: bool = False
    # Why this status (observed vs required), as a stable code: the report layer writes the sentence from
    # it and reason_args, in zh or en (checker.report.reasons; the codes: docs/scoring.md)
    reason_code: str = ""
    grade_probabilities: tuple[float, float, float, float] | None = None  # P(A), P(B), P(C), P(C#)
    excluded_sites: int = 0  # inspected sites whose type is not one of the standard's site types
    # The values the reason_code's template needs, by name
    reason_args: ReasonArgs = ()


@dataclass(frozen=True)
class Rollup:
    """A Ⅰ/Ⅱ/Ⅲ level or method total: raw points and score of the standards under it."""

    level: RollupLevel
    code: str
    name: str
    points: float  # maximum, not-applicable standards excluded
    score: float
    low: float  # no-evidence standards at 0 (= score)
    high: float  # no-evidence standards at full marks
    standards: int
    passed: int
    no_evidence: int
    # Method rollups only: what the method puts into the weighted total (its group's weight spread over
    # the group's applicable points), now and at most. Σ weighted − deductions = Total.score.
    weighted: float | None = None
    weighted_max: float | None = None

    @property
    def rate(self) -> float:
        return self.score / self.points if self.points else 0.0


@dataclass(frozen=True)
class NegativeEvent:
    code: str
    text: str
    date: date
    note: str
    deduction: float
    veto: bool
    evidence: str


@dataclass(frozen=True)
class Total:
    """The weighted total on the pack's scale (e.g. 100): score with its range."""

    score: float
    max: float  # the scale minus method groups with no applicable standard
    low: float  # no-evidence standards at 0 (equals score)
    high: float  # no-evidence standards at full marks
    max_reachable: float  # max minus deductions; 0 when vetoed
    deductions: float
    veto: bool  # a veto event of the negative list (Assessment.negative_events, veto=True) happened


@dataclass(frozen=True)
class Options:
    test_date: date
    observed_draw: bool = False  # grade observed cases directly (the evidence is a mock test with the draw)
    target: float | None = None
    issued: date | None = (
        None  # 交办日期: when the problems are dispatched; default: the round's last inspection
    )


@dataclass
class Assessment:
    handbook_id: str
    handbook_name: str
    handbook_edition: str
    options: Options
    window: tuple[date, date]  # document window (inclusive)
    total: Total
    standards: list[StandardResult]
    rollups: list[Rollup]  # projects, indicators, contents, then methods, in handbook order
    negative_events: list[NegativeEvent]
    gaps: pd.DataFrame  # GAP_COLUMNS
    departments: pd.DataFrame  # department ranking: department, sites, inspections, problems, conformity, points_recoverable, total_recoverable, rank
    streets: pd.DataFrame  # sub-district ranking: street, same columns
    plan: (
        pd.DataFrame
    )  # the fixes, in order: gap id, standard, site, department, points_recoverable, cumulative_score
    inputs: list[InputFile] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    district: str = ""
    issued: date | None = None  # the issue date the deadlines were counted from
    # The plan note (整改计划说明) as a stable code and its values: reached / cannot be reached, and what
    # else is missing. The report layer writes the sentence (checker.report.reasons.plan_note_text).
    plan_note_code: str = ""
    plan_note_args: ReasonArgs = ()
    # Every counted inspection of a field standard — standard, site, date,
    # fail (bool) — so that a later round can tell a re-inspected, now compliant site (销号) from one not
    # inspected again.
    inspected: pd.DataFrame | None = None
    # Filled by the ledger when the round is recorded (check --record): lifecycle of every problem.
    tracking: Tracking | None = None
    # For the 交办单: each registered site's address (地址) by site id, when the register gives one.
    addresses: pd.Series | None = None
    # The files of the evidence folder that were not read, each with its skipped-… code.
    skipped: list[SkippedFile] = field(default_factory=list)
