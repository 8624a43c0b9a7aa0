"""The report.json document as pydantic models: one source for its field list and its JSON Schema.

:func:`report_json_schema` is generated from :class:`ReportDocument` (as :mod:`checker.handbook.schema` does
for packs); the serializer (:mod:`checker.report.jsonout`) takes its plain field lists from the models, and
the tests check that every key it writes is a model field, in the model's order, and that every model field
is written. A field that holds a code enumerates the codes: intake's rejection and skipped-file codes
(:data:`checker.intake.codes.CODES`), statuses, grades, methods, gap kinds, lifecycle states, reply statuses.

Conventions: a record's documented fields are all required (``null`` where the type says so) and an engine
may add more (``additionalProperties``); a field a document may leave out (what a recorded round adds, the
``check`` run's ``generation``, a row's several ``problems``) has a default and is never null when present
unless its type says so. The top level admits no other names.

The models' validators are built when first used (``defer_build``): a check needs only their field lists,
and building them took ~15 ms of its start-up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from checker.handbook.model import Grade, Method
from checker.intake.codes import CODES
from checker.intake.kinds import REPLY_STATUSES
from checker.report.reasons import PLAN_NOTES, REASONS
from checker.scoring.assessment import GapKind, RollupLevel, Status
from checker.scoring.document import FILE_UNRESOLVED, MISSING, OUT_OF_WINDOW
from checker.scoring.tracking import LIFECYCLE

# 1.1: reason_args, reason_code, plan note_code / note_args; 1.2: key, tracking; 1.3: skipped (the files of
# the evidence folder that were not read); 1.4: generation; 1.5: fields (and problems) of rejected rows and
# skipped files, their message in the report's language, their codes enumerated; 1.6: a coverage gap is one
# per site, its ``required`` the "、"-joined codes of the standards the site missed (no field changed)
SCHEMA_VERSION = "1.6"
SCHEMA_ID = "https://civcheck.example/report.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
_MAJOR = SCHEMA_VERSION.split(".")[0]

MATERIAL_REASONS = (MISSING, OUT_OF_WINDOW, FILE_UNRESOLVED)
# Intake's levels whose codes reject a file, a sheet or a row (rejected_rows[]), and skip a file (skipped[]).
REJECTION_LEVELS = ("file", "sheet", "row")
SKIPPED_LEVELS = ("skipped",)


def _one_of(values: Iterable[str]) -> Any:
    """``Literal[*values]``: an ``enum`` in the schema, checked when a document is validated."""
    return Literal[tuple(values)]


def _codes(levels: tuple[str, ...]) -> list[str]:
    return sorted(code for code, entry in CODES.items() if entry.level in levels)


def _gap_reasons() -> list[str]:
    """The reason codes a gap can carry: a standard's own (标准失分 gaps), and those of the gaps the engine
    describes itself — coverage, a material, a negative-list event; site problems carry none ("")."""
    engine = {"", "coverage.not_inspected", "negative.veto", "negative.deduction"}
    engine |= {f"material.{why}" for why in MATERIAL_REASONS}
    return sorted(engine | set(REASONS))


if TYPE_CHECKING:  # the type checker cannot see a Literal built from a registry at run time
    RejectionCode = str
    SkippedCode = str
    Lifecycle = str
    ReplyStatus = str
    ReasonCode = str
    GapReasonCode = str
    PlanNoteCode = str
else:
    RejectionCode = _one_of(_codes(REJECTION_LEVELS))
    SkippedCode = _one_of(_codes(SKIPPED_LEVELS))
    Lifecycle = _one_of(LIFECYCLE)
    ReplyStatus = _one_of(REPLY_STATUSES)
    ReasonCode = _one_of(sorted(REASONS))
    GapReasonCode = _one_of(_gap_reasons())
    PlanNoteCode = _one_of(sorted(PLAN_NOTES))

Share = Annotated[float, Field(ge=0, le=1)]
NonNegative = Annotated[float, Field(ge=0)]
# The values of a reason's template by name: numbers, text, flags, lists of names (materials, indicators).
ReasonArgs = dict[str, str | float | bool | list[str] | None]
# The values of a coded problem's message by name (rendered in the report's language as ``message``).
ProblemFields = dict[str, str | float | bool | None]
# Left out of the schema's types: a field that may be absent is never null when present.
Absent = SkipJsonSchema[None]


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def _optional() -> Any:
    """A field a document may leave out (not required; the schema shows no default)."""
    return Field(default=None, json_schema_extra=_no_default)


class _Record(BaseModel):
    """A record whose documented fields are all required; an engine may add more."""

    model_config = ConfigDict(extra="allow", defer_build=True)


class HandbookRecord(_Record):
    """The criteria pack (测评体系) the round was scored against."""

    id: str
    name: str
    edition: str


class OptionsRecord(_Record):
    """The options of the assessment: test date (测评日期), observed draw, target, issue date (交办日期)."""

    test_date: dt.date
    observed_draw: bool
    target: float | None
    issued: dt.date | None


class WindowRecord(_Record):
    """The document window (材料时间窗), inclusive."""

    start: dt.date
    end: dt.date


class TotalRecord(_Record):
    """The weighted total (预计总分) with its range."""

    score: float
    max: float
    low: float
    high: float
    max_reachable: float
    deductions: float
    veto: bool
    veto_reasons: list[str]


class RollupRecord(_Record):
    """A Ⅰ/Ⅱ/Ⅲ level or a method: points and score of the standards under it."""

    level: RollupLevel
    code: str
    name: str
    points: float
    score: float
    low: float
    high: float
    standards: int
    passed: int
    no_evidence: int
    weighted: float | None
    weighted_max: float | None


class StandardRecord(_Record):
    """One standard (测评标准): status, grade, score, the evidence counted, and why (reason_code, reason_args)."""

    code: str
    text: str
    method: Method
    project: str
    indicator: str
    content: str
    status: Status
    grade: Grade | None
    points: float
    score: float
    expected_share: Share
    p_full: Share | None
    lead: str
    departments: list[str]
    reason: str
    rows: int
    sites_inspected: int
    sites_failing: int
    cases: int
    sites_registered: int
    sites_uncovered: int
    sample: int | None
    sample_short: bool
    missing_materials: list[str]
    rate: float | None
    rate_low: float | None
    rate_high: float | None
    target: float | None
    respondents: int | None
    small_sample: bool
    interval_below_target: bool
    reason_code: ReasonCode
    grade_probabilities: list[Share] | None = Field(min_length=4, max_length=4)
    excluded_sites: int
    reason_args: ReasonArgs


class NegativeEventRecord(_Record):
    """An event of the negative list (负面清单): its deduction, or a veto."""

    code: str
    text: str
    date: dt.date
    note: str
    deduction: float
    veto: bool
    evidence: str


class LastReply(_Record):
    """The last reply (整改反馈) a department sent for a gap."""

    status: ReplyStatus
    date: dt.date | None
    measure: str


class GapRecord(_Record):
    """One gap (问题): what is wrong, who must fix it by when, and the points fixing it recovers.

    A round recorded in a ledger adds ``lifecycle``, ``first_seen``, ``rounds_open`` and ``last_reply``.
    """

    id: str
    kind: GapKind
    standard: str | None
    project: str | None
    method: str | None
    site: str | None
    site_name: str | None
    site_type: str | None
    street: str | None
    department: str | None
    description: str | None
    required: str | None
    cases: int | None
    photo: str | None
    points_lost: float | None
    points_recoverable: NonNegative
    total_recoverable: NonNegative
    deadline: dt.date | None
    evidence: str | None
    reason_code: GapReasonCode | None
    key: str | Absent = _optional()
    lifecycle: Lifecycle | Absent = _optional()
    first_seen: str | None = None
    rounds_open: int | Absent = _optional()
    last_reply: LastReply | None = None


class DepartmentRecord(_Record):
    """A responsible unit (责任单位) in the ranking; a recorded round adds its accountability counts."""

    department: str | None
    sites: int | None
    inspections: int | None
    problems: int | None
    conformity: float | None
    gaps: int | None
    points_recoverable: float | None
    total_recoverable: float | None
    rank: int | None
    assigned: int | Absent = _optional()
    replied: int | Absent = _optional()
    on_time: int | Absent = _optional()
    verified_fixed: int | Absent = _optional()
    false_claims: int | Absent = _optional()
    recurred: int | Absent = _optional()
    overdue: int | Absent = _optional()


class StreetRecord(_Record):
    """A sub-district (街道) in the ranking."""

    street: str | None
    sites: int | None
    inspections: int | None
    problems: int | None
    conformity: float | None
    gaps: int | None
    points_recoverable: float | None
    total_recoverable: float | None
    rank: int | None


class PlanStep(_Record):
    """One fix of the plan (整改计划), in order, with the total it brings the district to."""

    step: int | Absent = _optional()
    id: str | Absent = _optional()
    kind: str | None = None
    standard: str | None = None
    site: str | None = None
    department: str | None = None
    cost: float | Absent = _optional()
    points_recoverable: float
    total_gain: float | Absent = _optional()
    cumulative_score: float


class PlanRecord(_Record):
    """The plan: its note (also as note_code and note_args) and its steps."""

    note: str
    steps: list[PlanStep]
    note_code: PlanNoteCode
    note_args: ReasonArgs


class InputRecord(_Record):
    """One file read, with its warnings as texts in the report's language."""

    file: str
    sha256: str
    format: str
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    rows_blank: int
    sheets: list[str]
    skipped_sheets: list[str]
    warnings: list[str]
    encoding: str | None


class SkippedRecord(_Record):
    """A file of the evidence folder that was not read, with its skipped-… code."""

    file: str
    code: SkippedCode
    message: str
    fields: ProblemFields


class RowProblem(BaseModel):
    """One of the problems of a row that has several."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    column: str
    code: RejectionCode
    fields: ProblemFields


class RejectedRow(_Record):
    """A rejected row (or a whole file or sheet, with row 0), its message in the report's language."""

    file: str
    sheet: str
    row: int = Field(ge=0)
    column: str
    code: RejectionCode
    message: str
    standard: str
    fields: ProblemFields
    problems: list[RowProblem] | Absent = _optional()


class Generation(_Record):
    """The ``check`` run that wrote the file: its id, its time (UTC) and each input's SHA-256."""

    run_id: str
    written_at: dt.datetime
    inputs: dict[str, str]


class TrackingRecord(_Record):
    """What a recorded round changed: the ids closed, falsely claimed, recurred, overdue and still open."""

    round: str
    previous: str | None
    as_of: dt.date
    closed: list[str]
    false_claim: list[str]
    recurred: list[str]
    overdue: list[str]
    still_open: list[str]


class AccountabilityRecord(_Record):
    """A unit's row of the accountability table (整改通报)."""

    department: str
    assigned: int
    replied: int
    on_time: int
    verified_fixed: int
    false_claims: int
    recurred: int
    overdue: int
    reply_rate: float
    on_time_rate: float
    fix_rate: float
    rank: int


class ReportDocument(BaseModel):
    """A civilized-city self-check assessment: totals, standards, gaps, rankings, inputs."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    schema_version: str = Field(pattern=rf"^{_MAJOR}\.\d+$")
    generation: Generation | Absent = _optional()
    handbook: HandbookRecord
    district: str
    options: OptionsRecord
    window: WindowRecord
    total: TotalRecord
    rollups: list[RollupRecord]
    standards: list[StandardRecord]
    negative_events: list[NegativeEventRecord]
    gaps: list[GapRecord]
    departments: list[DepartmentRecord]
    streets: list[StreetRecord]
    plan: PlanRecord
    inputs: list[InputRecord]
    skipped: list[SkippedRecord]
    rejected_rows: list[RejectedRow]
    tracking: TrackingRecord | Absent = _optional()
    accountability: list[AccountabilityRecord] | Absent = _optional()


def field_names(model: type[BaseModel]) -> tuple[str, ...]:
    """A record's documented fields, in the order the document writes them."""
    return tuple(model.model_fields)


def report_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of report.json, generated from :class:`ReportDocument`."""
    schema = ReportDocument.model_json_schema(mode="validation")
    out: dict[str, Any] = {
        "$schema": DIALECT,
        "$id": SCHEMA_ID,
        "title": "civcheck report",
        "$comment": f"report.json schema_version {SCHEMA_VERSION}",
    }
    out.update({k: v for k, v in schema.items() if k != "title"})
    return out
