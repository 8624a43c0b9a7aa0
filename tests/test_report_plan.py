"""The plan (整改计划) over every kind of fix, shown where a reader looks: the page and the workbook."""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path

import openpyxl
from report_fixtures import sample_assessment

from checker.handbook.loader import load_handbook
from checker.intake.reader import read_evidence
from checker.report.html import render_html
from checker.report.workbook import write_workbook
from checker.scoring.assessment import Assessment
from checker.scoring.evaluate import evaluate

ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def _planned() -> Assessment:
    handbook = load_handbook("wenming-city")
    evidence = read_evidence(ROOT / "evidence" / "sample", handbook)
    return evaluate(handbook, evidence, replace(sample_assessment().options, target=85.0))


def test_the_plan_mixes_kinds_and_prefers_points_per_cost() -> None:
    plan = _planned().plan
    kinds = set(plan["kind"].astype(str))
    assert {"survey", "data", "material", "site_problem"} <= kinds
    gain_per_cost = (plan["total_gain"] / plan["cost"]).tolist()
    # Flat fixes are taken best first; a site fix's value can only fall as its standard improves.
    assert gain_per_cost[0] == max(gain_per_cost)
    assert plan["cumulative_score"].is_monotonic_increasing
    assert plan["cumulative_score"].iloc[-1] >= 85.0


def test_the_page_lists_the_steps_with_what_they_fix() -> None:
    page = render_html(_planned(), "zh")
    section = page.split("<h2>整改计划</h2>")[1]
    assert "指标未达标" in section and "Ⅲ-9-1" in section and "团区委" in section
    assert "累计得分" in section


def test_the_workbook_names_each_kind(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    write_workbook(_planned(), path, "zh")
    sheet = openpyxl.load_workbook(path, read_only=True)["整改计划"]
    values = {str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None}
    assert {"指标未达标", "问卷未达标", "材料缺失", "点位问题"} <= values
