"""A small, hand-built Assessment for the renderer tests (the engine is not used: renderers only format).

The figures are chosen to be easy to check by eye: 4 Ⅰ items, 9 standards over the four methods, 12 gaps of
every kind, two departments whose names are hostile to file systems and spreadsheets, rejected rows.
"""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Literal, get_args

import pandas as pd
from pydantic import BaseModel
from rich.console import Console

from checker.intake.evidence import InputFile, Rejection
from checker.report.jsonmodel import ReportDocument
from checker.report.jsonout import report_json
from checker.report.narrative import render_text
from checker.report.terminal import render_terminal
from checker.scoring.assessment import (
    GAP_COLUMNS,
    Assessment,
    NegativeEvent,
    Options,
    Rollup,
    StandardResult,
    Total,
)

HOSTILE_DEPT = '=HYPERLINK("http://x")/区城管局:CON'
DOT_DEPT = "..区市场监管局.."
CONTROL_DESC = "地面\x0b有积水\x00"
INJECTION_DESC = "=cmd|' /C calc'!A0"


def _standard(
    code: str, method: str, project: str, points: float, status: str, **kw: object
) -> StandardResult:
    grade = {"pass": "A", "partial": "B", "fail": "C#"}.get(status)
    share = {"pass": 1.0, "partial": 0.66, "fail": 0.0}.get(status, 0.0)
    values: dict[str, object] = {
        "code": code,
        "text": f"{code} 的标准内容",
        "method": method,
        "project": project,
        "indicator": project.replace("Ⅰ", "Ⅱ") + "-1",
        "content": project.replace("Ⅰ", "Ⅲ") + "-1",
        "points": points,
        "status": status,
        "grade": grade,
        "score": round(points * share, 4),
        "expected_share": share,
        "p_full": 1.0 if status == "pass" else (0.25 if status == "partial" else 0.0),
        "lead": "区文明办",
        "departments": ("区城管局",),
    }
    values.update(kw)
    return StandardResult(**values)  # type: ignore[arg-type]


def standards() -> list[StandardResult]:
    return [
        _standard(
            "Ⅲ-1-1",
            "field",
            "Ⅰ-1",
            4.0,
            "partial",
            sites_inspected=20,
            sites_failing=3,
            cases=4,
            sites_registered=22,
            sites_uncovered=2,
            sample=5,
            departments=("区城管局", HOSTILE_DEPT),
            reason_code="field.partial",
            reason_args=(
                ("draw", "random"),
                ("sample", 5),
                ("expected", 0.66),
                ("p_full", 0.25),
                ("inspected", 20),
                ("failing", 3),
                ("cases", 4),
                ("short", False),
                ("uncovered", 2),
            ),
        ),
        _standard(
            "Ⅲ-1-2",
            "field",
            "Ⅰ-1",
            3.0,
            "pass",
            sites_inspected=10,
            sample=3,
            reason_code="field.pass",
            reason_args=(
                ("draw", "random"),
                ("sample", 3),
                ("expected", 1.0),
                ("p_full", 1.0),
                ("inspected", 10),
                ("failing", 0),
                ("cases", 0),
                ("short", False),
                ("uncovered", 0),
            ),
        ),
        _standard(
            "Ⅲ-1-3",
            "field",
            "Ⅰ-1",
            2.0,
            "fail",
            sites_inspected=8,
            sites_failing=6,
            cases=9,
            sample=4,
            sample_short=False,
            departments=(DOT_DEPT,),
            reason_code="field.fail",
            reason_args=(
                ("draw", "random"),
                ("sample", 4),
                ("expected", 0.0),
                ("p_full", 0.0),
                ("inspected", 8),
                ("failing", 6),
                ("cases", 9),
                ("short", False),
                ("uncovered", 0),
            ),
        ),
        _standard(
            "Ⅲ-2-1",
            "document",
            "Ⅰ-2",
            3.0,
            "partial",
            missing_materials=("工作方案",),
            p_full=0.0,
            reason_code="document.missing",
            reason_args=(("materials", ("工作方案",)), ("why", ("missing",))),
        ),
        _standard(
            "Ⅲ-2-2",
            "document",
            "Ⅰ-2",
            2.0,
            "no_evidence",
            grade=None,
            p_full=None,
            reason_code="document.none",
            reason_args=(("required", 1),),
        ),
        _standard(
            "Ⅲ-3-1",
            "survey",
            "Ⅰ-3",
            5.0,
            "partial",
            rate=0.82,
            rate_low=0.78,
            rate_high=0.86,
            target=0.9,
            respondents=400,
            interval_below_target=True,
            p_full=0.0,
            reason_code="survey.short",
            reason_args=(
                ("question", "Q01"),
                ("rate", 0.82),
                ("low", 0.78),
                ("high", 0.86),
                ("respondents", 400),
                ("target", 0.9),
                ("min_sample", None),
            ),
        ),
        _standard(
            "Ⅲ-3-2",
            "survey",
            "Ⅰ-3",
            2.0,
            "pass",
            rate=0.95,
            rate_low=0.9,
            rate_high=0.98,
            target=0.9,
            respondents=60,
            small_sample=True,
            reason_code="survey.met",
            reason_args=(
                ("question", "Q02"),
                ("rate", 0.95),
                ("low", 0.9),
                ("high", 0.98),
                ("respondents", 60),
                ("target", 0.9),
                ("min_sample", 100),
            ),
        ),
        _standard(
            "Ⅲ-4-1",
            "data",
            "Ⅰ-4",
            3.0,
            "fail",
            rate=0.41,
            target=0.6,
            p_full=0.0,
            reason_code="data.short",
            reason_args=(
                ("indicator", "垃圾分类覆盖率"),
                ("value", 41.0),
                ("unit", "%"),
                ("direction", ">="),
                ("target", 60.0),
            ),
        ),
        _standard(
            "Ⅲ-4-2",
            "data",
            "Ⅰ-4",
            1.0,
            "not_applicable",
            grade=None,
            p_full=None,
            score=0.0,
            expected_share=0.0,
            reason_code="data.none",
            reason_args=(("indicators", ("公厕数量",)),),
        ),
    ]


def rollups(results: list[StandardResult]) -> list[Rollup]:
    names = {"Ⅰ-1": "公共环境", "Ⅰ-2": "工作机制", "Ⅰ-3": "群众满意度", "Ⅰ-4": "城市管理数据"}
    out: list[Rollup] = []

    def roll(
        level: Literal["project", "indicator", "content", "method"],
        code: str,
        name: str,
        group: list[StandardResult],
    ) -> Rollup:
        scored = [s for s in group if s.status != "not_applicable"]
        points = sum(s.points for s in scored)
        score = sum(s.score for s in scored)
        gap = sum(s.points for s in scored if s.status == "no_evidence")
        return Rollup(
            level,
            code,
            name,
            points,
            round(score, 4),
            round(score, 4),
            round(score + gap, 4),
            len(group),
            sum(s.status == "pass" for s in group),
            sum(s.status == "no_evidence" for s in group),
        )

    for code, name in names.items():
        out.append(roll("project", code, name, [s for s in results if s.project == code]))
    # Method rollups carry their part of the weighted total; here every standard point weighs 0.5.
    for method in ("field", "document", "survey", "data"):
        r = roll("method", method, method, [s for s in results if s.method == method])
        out.append(replace(r, weighted=round(r.score * 0.5, 4), weighted_max=r.points * 0.5))
    return out


def gaps() -> pd.DataFrame:
    d1, d2 = date(2024, 6, 30), date(2024, 7, 15)
    rows = [
        (
            "P-00000000a1",
            "site_problem",
            "Ⅲ-1-3",
            "Ⅰ-1",
            "field",
            "S001",
            "幸福路农贸市场",
            "农贸市场",
            "城东街道",
            DOT_DEPT,
            "地面有积水，垃圾未及时清运",
            "市场内环境整洁",
            3,
            "img/1.jpg",
            0.0,
            0.52,
            d1,
            "实地.xlsx › 实地考察 › 5",
        ),
        (
            "P-00000000a2",
            "site_problem",
            "Ⅲ-1-1",
            "Ⅰ-1",
            "field",
            "S002",
            "人民公园",
            "公园",
            "城西街道",
            HOSTILE_DEPT,
            INJECTION_DESC,
            "无乱贴乱画",
            2,
            "",
            0.0,
            0.41,
            d1,
            "实地.xlsx › 实地考察 › 6",
        ),
        (
            "P-00000000a3",
            "standard",
            "Ⅲ-3-1",
            "Ⅰ-3",
            "survey",
            "",
            "",
            "",
            "",
            "区文明办",
            "",  # the engine says it by reason_code
            "知晓率≥90%",
            0,
            "",
            1.7,
            1.7,
            d2,
            "",
        ),
        (
            "P-00000000a4",
            "data",
            "Ⅲ-4-1",
            "Ⅰ-4",
            "data",
            "",
            "",
            "",
            "",
            "区城管局",
            "",  # the engine says it by reason_code
            "≥60%",
            0,
            "",
            3.0,
            1.2,
            d2,
            "数据.xlsx › 指标 › 3",
        ),
        (
            "P-00000000a5",
            "material",
            "Ⅲ-2-1",
            "Ⅰ-2",
            "document",
            "",
            "",
            "",
            "",
            "区文明办",
            "",  # the engine says it by reason_code
            "年度工作方案",
            0,
            "",
            1.02,
            1.02,
            d2,
            "",
        ),
        (
            "P-00000000a6",
            "site_problem",
            "Ⅲ-1-3",
            "Ⅰ-1",
            "field",
            "S003",
            "和平社区",
            "社区",
            "城东街道",
            DOT_DEPT,
            CONTROL_DESC,
            "无积水",
            1,
            "",
            0.0,
            0.33,
            d1,
            "实地.xlsx › 实地考察 › 9",
        ),
        (
            "P-00000000a7",
            "coverage",
            "Ⅲ-1-1",
            "Ⅰ-1",
            "field",
            "S010",
            "东门小学",
            "学校",
            "城东街道",
            "区教育局",
            "",  # the engine says it by reason_code
            "Ⅲ-1-1、Ⅲ-2-1",
            0,
            "",
            0.0,
            0.2,
            d1,
            "",
        ),
        (
            "P-00000000a8",
            "coverage",
            "Ⅲ-1-1",
            "Ⅰ-1",
            "field",
            "S011",
            "西门小学",
            "学校",
            "城西街道",
            "区教育局",
            "",  # the engine says it by reason_code
            "Ⅲ-1-1",
            0,
            "",
            0.0,
            0.2,
            d1,
            "",
        ),
        (
            "P-00000000a9",
            "site_problem",
            "Ⅲ-1-1",
            "Ⅰ-1",
            "field",
            "S004",
            "火车站广场",
            "广场",
            "城西街道",
            "区城管局",
            "+86 138 占道经营",
            "无占道经营",
            1,
            "",
            0.0,
            0.15,
            d1,
            "实地.xlsx › 实地考察 › 12",
        ),
        (
            "P-00000000b1",
            "negative",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "区应急局",
            "",  # the engine says it by reason_code
            "",
            0,
            "",
            1.0,
            0.0,
            d2,
            "负面.xlsx › 负面清单 › 2",
        ),
        (
            "P-00000000b2",
            "site_problem",
            "Ⅲ-1-1",
            "Ⅰ-1",
            "field",
            "S005",
            "城南菜场",
            "农贸市场",
            "城南街道",
            "",
            "@SUM(1) 无人认领",
            "责任落实",
            1,
            "",
            0.0,
            0.1,
            d1,
            "",
        ),
        (
            "P-00000000b3",
            "material",
            "Ⅲ-2-2",
            "Ⅰ-2",
            "document",
            "",
            "",
            "",
            "",
            "区文明办",
            "",  # the engine says it by reason_code
            "会议纪要",
            0,
            "",
            2.0,
            0.0,
            d2,
            "",
        ),
    ]
    frame = pd.DataFrame(
        rows, columns=[c for c in GAP_COLUMNS if c not in ("total_recoverable", "reason_code", "key")]
    )
    frame["key"] = frame["kind"] + "|" + frame["standard"] + "|" + frame["site"] + "|" + frame["id"]
    frame.loc[frame["kind"] == "coverage", "key"] = "coverage|" + frame["site"]  # one problem per site
    # The code of the text the engine writes itself (site problems: evidence text, no code).
    codes = {"survey": "survey.short", "data": "data.short", "document": "material.missing"}
    frame["reason_code"] = (
        frame["kind"]
        .map({"coverage": "coverage.not_inspected", "negative": "negative.deduction", "site_problem": ""})
        .fillna(frame["method"].map(codes))
    )
    # On the total's scale: as if every method group turned a standard point into half a total point.
    frame.insert(
        GAP_COLUMNS.index("total_recoverable"), "total_recoverable", frame["points_recoverable"] * 0.5
    )
    # The contract: sorted by total recoverable (desc), then points recoverable (desc), then id.
    frame = frame.sort_values(
        ["total_recoverable", "points_recoverable", "id"], ascending=[False, False, True], ignore_index=True
    )
    frame["deadline"] = pd.to_datetime(frame["deadline"])
    return frame


def departments() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "department": ["区教育局", "区城管局", DOT_DEPT, HOSTILE_DEPT],
            "sites": [2, 12, 8, 5],
            "inspections": [0, 40, 8, 6],
            "problems": [0, 2, 6, 1],
            "conformity": [float("nan"), 0.95, 0.25, 0.8333],
            "gaps": [2, 3, 6, 1],
            "points_recoverable": [0.4, 1.35, 0.85, 0.41],
            "total_recoverable": [0.2, 0.675, 0.425, 0.205],
            "rank": [1, 2, 3, 4],
        }
    )


def streets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "street": ["城西街道", "城东街道", "城南街道"],
            "sites": [10, 12, 5],
            "inspections": [20, 30, 4],
            "problems": [2, 2, 1],
            "conformity": [0.9, 0.9333, 0.75],
            "gaps": [2, 2, 1],
            "points_recoverable": [0.76, 1.05, 0.1],
            "total_recoverable": [0.38, 0.525, 0.05],
            "rank": [1, 2, 3],
        }
    )


def plan() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "step": [1, 2, 3],
            "id": ["P-00000000a3", "P-00000000a4", "P-00000000a5"],
            "kind": ["survey", "data", "material"],
            "standard": ["Ⅲ-3-1", "Ⅲ-4-1", "Ⅲ-2-1"],
            "site": ["", "", ""],
            "department": ["区文明办", "区城管局", "区文明办"],
            "cost": [4.0, 4.0, 2.0],
            "points_recoverable": [1.7, 1.2, 1.02],
            "total_gain": [1.7, 1.2, 1.02],
            "cumulative_score": [71.2, 72.4, 73.42],
        }
    )


def assessment(*, veto: bool = False, no_gaps: bool = False) -> Assessment:
    results = standards()
    gap_frame = gaps()
    if no_gaps:
        gap_frame = gap_frame.iloc[0:0]
    return Assessment(
        handbook_id="tiny",
        handbook_name="示例测评体系",
        handbook_edition="2024 示例版",
        options=Options(test_date=date(2024, 6, 1), target=75.0),
        window=(date(2023, 5, 1), date(2024, 4, 30)),
        total=Total(
            score=69.5,
            max=100.0,
            low=69.5,
            high=73.5,
            max_reachable=0.0 if veto else 99.0,
            deductions=1.0,
            veto=veto,
        ),
        standards=results,
        rollups=rollups(results),
        negative_events=[
            NegativeEvent(
                "N-3", "较大安全生产事故", date(2024, 3, 2), "某工地", 1.0, veto, "负面.xlsx › 负面清单 › 2"
            )
        ],
        gaps=gap_frame,
        departments=departments(),
        streets=streets(),
        plan=plan(),
        plan_note_code="plan.greedy_short",
        plan_note_args=(("steps", 3), ("score", 73.42), ("target", 75.0)),
        inputs=[
            InputFile("实地.xlsx", "ab" * 32, "xlsx", rows_read=60, rows_accepted=57, rows_rejected=3),
            InputFile("数据.xlsx", "cd" * 32, "xlsx", rows_read=5, rows_accepted=5),
        ],
        rejected=[
            Rejection(
                "实地.xlsx",
                "实地考察",
                14,
                "检查日期",
                "bad-date",
                (("header", "检查日期"), ("value", "2024-13-01")),
            ),
            # a header as a hostile file spells it: a formula if written as it is
            Rejection("实地.xlsx", "实地考察", 15, "=测评标准", "unknown-standard", (("value", "X9.9"),)),
            Rejection("实地.xlsx", "实地考察", 16, "点位编号", "site-not-registered", (("value", "S999"),)),
        ],
        district="示例区",
    )


# -- golden outputs (tests/golden/regen.py writes them; test_report_golden compares) ---------------
# Volatile fields are stripped so the files change only when rendering changes: the fixture has no run
# date or absolute path, and its sha256 digests are fixed.


def terminal(lang: str, *, detail: bool = False, veto: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=80, force_terminal=False, color_system=None, legacy_windows=False)
    render_terminal(assessment(veto=veto), lang=lang, detail=detail, console=console)
    return buffer.getvalue()


def report_json_text() -> str:
    return report_json(assessment())


OUTPUTS: dict[str, Callable[[], str]] = {
    "report.json": report_json_text,
    "shortcomings.zh.txt": lambda: render_text(assessment(), "zh"),
    "shortcomings.en.txt": lambda: render_text(assessment(veto=True), "en"),
    "terminal.zh.txt": lambda: terminal("zh"),
    "terminal.en.detail.txt": lambda: terminal("en", detail=True, veto=True),
}


# -- the real sample round (evidence/sample read by intake and scored by the engine) ---------------------

SAMPLE_ROUND = Path(__file__).resolve().parent.parent / "evidence" / "sample"
SAMPLE_TEST_DATE = date(2026, 7, 15)


@functools.cache
def sample_assessment() -> Assessment:
    """The bundled sample round, read and evaluated as ``civcheck check`` does (cached: ~3 s)."""
    from checker.handbook.loader import load_handbook
    from checker.intake.reader import read_evidence
    from checker.scoring.evaluate import evaluate

    handbook = load_handbook("wenming-city")
    evidence = read_evidence(SAMPLE_ROUND, handbook)
    return evaluate(handbook, evidence, Options(test_date=SAMPLE_TEST_DATE))


def sample_json() -> str:
    """report.json of the sample round with the volatile fields stripped (file digests)."""
    document = json.loads(report_json(sample_assessment()))
    for item in document["inputs"]:
        item["sha256"] = "<sha256>"
    return json.dumps(document, ensure_ascii=False, indent=1, allow_nan=False) + "\n"


def sample_terminal() -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=80, force_terminal=False, color_system=None, legacy_windows=False)
    render_terminal(sample_assessment(), console=console)
    return buffer.getvalue()


SAMPLE_OUTPUTS: dict[str, Callable[[], str]] = {
    "sample.report.json": sample_json,
    "sample.shortcomings.zh.txt": lambda: render_text(sample_assessment(), "zh"),
    "sample.shortcomings.en.txt": lambda: render_text(sample_assessment(), "en"),
    "sample.terminal.zh.txt": sample_terminal,
}


# -- report.json against its models (checker.report.jsonmodel) -------------------------------------------


def tracked_assessment() -> Assessment:
    """The fixture as a round recorded in a ledger (hand-built tracking: each gap's history, the lists, the
    accountability table), with a row rejected for two problems and a file of the folder not read."""
    from checker.intake.evidence import SkippedFile
    from checker.scoring.tracking import ACCOUNTABILITY_COLUMNS, Tracking

    base = assessment()
    ids = base.gaps["id"].astype(str).tolist()
    replied = ids[0]
    states = pd.DataFrame(
        {
            "lifecycle": ["false_claim" if i == replied else "new" for i in ids],
            "first_seen": ["R1" if i == replied else "R2" for i in ids],
            "rounds_open": [2 if i == replied else 1 for i in ids],
            "dispatches": [2 if i == replied else 1 for i in ids],
            "last_status": ["已整改" if i == replied else None for i in ids],
            "last_measure": ["已清理" if i == replied else None for i in ids],
            "last_completed": pd.to_datetime(
                pd.Series(["2024-05-20" if i == replied else None for i in ids])
            ).to_numpy(),
        },
        index=pd.Index(ids, name="problem_id"),
    )
    counts = [3, 1, 0, 0, 1, 0, 1, 1 / 3, 0.0, 0.0, 1]
    track = Tracking(
        round="R2",
        previous="R1",
        as_of=date(2024, 5, 25),
        states=states,
        closed=(),
        false_claim=(replied,),
        recurred=(),
        overdue=(ids[1],),
        still_open=(replied, ids[1]),
        accountability=pd.DataFrame([["区城管局", *counts]], columns=list(ACCOUNTABILITY_COLUMNS)),
    )
    two_problems = Rejection(
        "实地.xlsx",
        "实地考察",
        17,
        "检查日期、问题数",
        "bad-date",
        (("header", "检查日期"), ("value", "昨天")),
        problems=(
            ("检查日期", "bad-date", (("header", "检查日期"), ("value", "昨天"))),
            ("问题数", "bad-number", (("header", "问题数"), ("value", "两处"), ("expected", "count"))),
        ),
    )
    return replace(
        base,
        tracking=track,
        rejected=[*base.rejected, two_problems],
        skipped=[SkippedFile("~$实地.xlsx", "skipped-lock-file")],
    )


def record_models() -> set[type[BaseModel]]:
    """Every model of report.json's records, from the document down."""
    found: set[type[BaseModel]] = set()

    def visit(model: type[BaseModel]) -> None:
        if model not in found:
            found.add(model)
            for info in model.model_fields.values():
                inner = _model_in(info.annotation)
                if inner is not None:
                    visit(inner)

    visit(ReportDocument)
    return found


def _model_in(annotation: object) -> type[BaseModel] | None:
    """The record model a field's type holds (``list[X]``, ``X | None``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def written_keys(document: dict[str, object]) -> dict[type[BaseModel], set[str]]:
    """The keys a document writes, by the model of each record; fails on a key that is not a model field or
    keys out of the model's order (the serializer and the models list the same fields in the same order)."""
    seen: dict[type[BaseModel], set[str]] = {}

    def walk(model: type[BaseModel], value: object) -> None:
        if value is None:
            return
        if isinstance(value, list):
            for item in value:
                walk(model, item)
            return
        assert isinstance(value, dict), (model.__name__, value)
        fields = list(model.model_fields)
        assert list(value) == [f for f in fields if f in value], (model.__name__, list(value))
        seen.setdefault(model, set()).update(value)
        for name, info in model.model_fields.items():
            inner = _model_in(info.annotation)
            if inner is not None and name in value:
                walk(inner, value[name])

    walk(ReportDocument, document)
    return seen
