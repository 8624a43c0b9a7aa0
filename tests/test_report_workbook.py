"""The self-check workbook and the 交办单 workbooks, re-read with openpyxl cell by cell."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from report_fixtures import CONTROL_DESC, DOT_DEPT, HOSTILE_DEPT, INJECTION_DESC, assessment

from checker.intake.kinds import KINDS, REPLY_STATUSES
from checker.report import write_reports
from checker.report.dispatch import header_row

SHEETS_ZH = [
    "总览",
    "测评结果",
    "问题清单",
    "未覆盖点位",
    "材料缺失",
    "问卷与数据",
    "部门排名",
    "街道排名",
    "整改计划",
    "数据问题",
]


def _write(tmp_path: Path, **kw: object) -> list[Path]:
    return write_reports(assessment(), tmp_path, {"xlsx"}, **kw)  # type: ignore[arg-type]


def _rows(ws: Worksheet) -> list[tuple[Any, ...]]:
    """The sheet's values, row by row: whatever each cell holds, compared by the tests as such."""
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def test_sheets_headers_and_key_figures(tmp_path: Path) -> None:
    [path] = _write(tmp_path)
    assert path.name == "自查报告.xlsx"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == SHEETS_ZH

    summary = {r[0]: r[1] for r in _rows(book["总览"]) if r and r[0]}
    assert summary["预计总分"] == 69.5
    assert summary["满分"] == 100
    assert summary["区间上限"] == 73.5
    assert summary["可达最高分"] == 99
    assert summary["退回行数"] == 3
    assert summary["测评日期"] == datetime(2024, 6, 1)

    standards = _rows(book["测评结果"])
    assert standards[0][:4] == ("测评项目", "指标", "测评内容", "测评标准")
    by_code = {r[3]: r for r in standards[1:]}
    assert len(by_code) == 9
    header = standards[0]
    row = by_code["Ⅲ-1-1"]
    assert row[header.index("状态")] == "部分达标"
    assert row[header.index("测评方式")] == "实地考察"
    assert row[header.index("预计得分")] == pytest.approx(2.64)
    assert row[header.index("问题数")] == 4
    assert row[header.index("责任单位")] == "区城管局、" + HOSTILE_DEPT  # does not start like a formula
    status_cell = book["测评结果"].cell(row=2, column=header.index("状态") + 1)
    assert status_cell.fill.fgColor.rgb.endswith("FFEB9C")  # partial → yellow
    assert book["测评结果"].freeze_panes == "A2"
    assert book["测评结果"].auto_filter.ref.startswith("A1:")

    problems = _rows(book["问题清单"])
    assert problems[0][0] == "问题编号"
    assert [r[0] for r in problems[1:]] == [
        "P-00000000a1",
        "P-00000000a2",
        "P-00000000a6",
        "P-00000000a9",
        "P-00000000b2",
    ]
    recoverable = [r[problems[0].index("可挽回总分")] for r in problems[1:]]
    assert recoverable == sorted(recoverable, reverse=True)
    assert problems[1][problems[0].index("整改期限")] == datetime(2024, 6, 30)
    described = {r[0]: r[problems[0].index("问题情况")] for r in problems[1:]}
    assert described["P-00000000a2"] == "'" + INJECTION_DESC
    assert described["P-00000000a6"] == CONTROL_DESC.replace("\x0b", "\ufffd").replace("\x00", "\ufffd")
    assert (
        book["问题清单"].cell(row=2, column=problems[0].index("整改期限") + 1).number_format == "yyyy-mm-dd"
    )

    coverage = _rows(book["未覆盖点位"])
    assert [r[0] for r in coverage[1:]] == ["P-00000000a7", "P-00000000a8"]
    assert [r[coverage[0].index("未检查的标准")] for r in coverage[1:]] == ["Ⅲ-1-1、Ⅲ-2-1", "Ⅲ-1-1"]
    assert [r[coverage[0].index("问题情况")] for r in coverage[1:]] == [
        "该点位尚有2项标准未检查",
        "该点位尚有1项标准未检查",
    ]
    assert [r[0] for r in _rows(book["材料缺失"])[1:]] == ["P-00000000a5", "P-00000000b3"]
    assert [r[0] for r in _rows(book["问卷与数据"])[1:]] == ["Ⅲ-3-1", "Ⅲ-3-2", "Ⅲ-4-1", "Ⅲ-4-2"]
    departments = _rows(book["部门排名"])
    assert departments[0][:2] == ("责任单位", "排名")
    assert departments[4][0] == "'" + HOSTILE_DEPT
    assert departments[1][departments[0].index("合格率")] is None  # NaN is left blank, not "nan"
    plan = _rows(book["整改计划"])
    assert plan[0][1].endswith("列出 3 项后总分为 73.42，未达到目标 75")
    assert plan[3][:2] == (1, "P-00000000a3")
    rejected = _rows(book["数据问题"])
    assert rejected[0] == ("文件", "工作表", "行号", "列", "代码", "原因")
    assert rejected[1] == (
        "实地.xlsx",
        "实地考察",
        14,
        "检查日期",
        "bad-date",
        "“检查日期”的值“2024-13-01”不是可识别的日期（如 2023-05-03、2023/5/3、2023年5月3日）",
    )
    assert rejected[2][3] == "'=测评标准"


def test_english_workbook(tmp_path: Path) -> None:
    [path] = _write(tmp_path, lang="en")
    assert path.name == "self-check-report.xlsx"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:3] == ["Summary", "Standards", "Problems"]
    standards = _rows(book["Standards"])
    assert "partial" in {r[standards[0].index("Status")] for r in standards[1:]}


def _sheet_xml(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml")}


def test_no_formula_anywhere_and_a_chart_on_the_summary(tmp_path: Path) -> None:
    paths = write_reports(assessment(), tmp_path, {"xlsx"}, dispatch=True)
    for path in paths:
        xml = _sheet_xml(path)
        sheets = {n: x for n, x in xml.items() if n.startswith("xl/worksheets/sheet")}
        assert sheets
        for text in sheets.values():
            assert "<f>" not in text and "<f " not in text
    charts = [n for n in _sheet_xml(paths[0]) if n.startswith("xl/charts/chart")]
    assert len(charts) == 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    payload=st.one_of(
        st.text(), st.sampled_from(["=1+1", "@A1", "\t=cmd", "\u3000+1", "-2", "\x00=x", "=" * 40000])
    )
)
def test_any_submitted_text_is_stored_as_a_string(tmp_path: Path, payload: str) -> None:
    a = assessment()
    first = a.gaps.index[a.gaps["kind"] == "site_problem"][0]  # the first row of the 问题清单 sheet
    a.gaps.loc[first, "description"] = payload
    a.gaps.loc[first, "department"] = payload
    out = tmp_path / "run"
    paths = write_reports(a, out, {"xlsx"}, dispatch=True, force=True)
    problems = openpyxl.load_workbook(paths[0])["问题清单"]
    header = [c.value for c in problems[1]]
    cell = problems.cell(row=2, column=header.index("问题情况") + 1)
    if payload.strip("\x00"):
        assert cell.data_type == "s"
    for path in paths:
        for name, text in _sheet_xml(path).items():
            if name.startswith("xl/worksheets/sheet"):
                assert not re.search(r"<f[ >]", text)


def _other_kind_matches(headers: list[str]) -> list[str]:
    """Kinds (other than replies) whose every required column has its header or an alias in ``headers``."""
    present = {h.strip().casefold() for h in headers}
    found = []
    for kind, spec in KINDS.items():
        if kind == "replies" or not spec.required:
            continue
        if all({c.header.casefold(), *(a.casefold() for a in c.aliases)} & present for c in spec.required):
            found.append(kind)
    return found


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_dispatch_header_reads_as_replies_and_as_nothing_else(lang: str) -> None:
    headers = header_row(lang)
    spec = KINDS["replies"]
    for column in spec.columns:
        names = {column.header, *column.aliases}
        assert names & set(headers), column.header
    if lang == "zh":
        assert {c.header for c in spec.columns} <= set(headers)
    assert _other_kind_matches(headers) == []
    assert len(headers) == len(set(headers))


def test_dispatch_books_one_per_department_with_only_its_rows(tmp_path: Path) -> None:
    paths = write_reports(assessment(), tmp_path, set(), dispatch=True)
    names = sorted(p.name for p in paths)
    assert all(p.parent == tmp_path / "交办单" for p in paths)
    assert names == sorted(
        [
            "未明确责任单位.xlsx",
            "区市场监管局.xlsx",
            "=HYPERLINK(_http___x_)_区城管局_CON.xlsx",
            "区城管局.xlsx",
            "区教育局.xlsx",
            "区文明办.xlsx",
            "区应急局.xlsx",
        ]
    )
    # Every kind is dispatched (in the report's order: points recoverable first), the negative-list event
    # to its item's lead unit.
    expected_ids = {
        "区市场监管局.xlsx": ["P-00000000a1", "P-00000000a6"],
        "区教育局.xlsx": ["P-00000000a7", "P-00000000a8"],
        "区文明办.xlsx": ["P-00000000a3", "P-00000000a5", "P-00000000b3"],
        "区城管局.xlsx": ["P-00000000a4", "P-00000000a9"],
        "区应急局.xlsx": ["P-00000000b1"],
        "未明确责任单位.xlsx": ["P-00000000b2"],
    }
    for path in paths:
        book = openpyxl.load_workbook(path)
        ws = book.worksheets[0]
        rows = _rows(ws)
        assert list(rows[0]) == header_row("zh")
        if path.name in expected_ids:
            assert [r[0] for r in rows[1:]] == expected_ids[path.name]
        status_col = rows[0].index("整改状态") + 1
        validations = ws.data_validations.dataValidation
        lists = [v for v in validations if v.type == "list"]
        assert lists and lists[0].formula1 == '"' + ",".join(REPLY_STATUSES) + '"'
        letter = get_column_letter(status_col)
        assert str(lists[0].sqref).startswith(f"{letter}2")
        assert ws.freeze_panes == "B2"
    note = openpyxl.load_workbook(tmp_path / "交办单" / "区市场监管局.xlsx")["填报说明"]
    values = {r[0]: r[1] for r in _rows(note) if r[0]}
    assert values["承办单位"] == DOT_DEPT
    assert values["交办问题数"] == 2


def test_dispatch_replies_round_trip(tmp_path: Path) -> None:
    """Fill the reply columns as a department would, then read the sheet back as 整改反馈 rows."""
    [path] = [
        p for p in write_reports(assessment(), tmp_path, set(), dispatch=True) if p.name == "区教育局.xlsx"
    ]
    book = openpyxl.load_workbook(path)
    ws = book.worksheets[0]
    header = [c.value for c in ws[1]]
    for row in (2, 3):
        ws.cell(row=row, column=header.index("整改状态") + 1, value=REPLY_STATUSES[0])
        ws.cell(row=row, column=header.index("整改措施") + 1, value="已安排检查")
        ws.cell(row=row, column=header.index("完成日期") + 1, value=date(2024, 6, 20))
    book.save(path)

    # Until checker.intake.reader exists, read the replies columns by their kind's headers, as intake will.
    spec = KINDS["replies"]
    back = openpyxl.load_workbook(path).worksheets[0]
    head = [c.value for c in back[1]]
    at = {c.column: head.index(c.header) for c in spec.columns}
    replies = [{k: r[i] for k, i in at.items()} for r in back.iter_rows(min_row=2, values_only=True)]
    assert [r["problem_id"] for r in replies] == ["P-00000000a7", "P-00000000a8"]
    assert {r["status"] for r in replies} == {"已整改"}
    assert all(r["date"] == datetime(2024, 6, 20) for r in replies)


def test_two_departments_with_the_same_safe_name_never_overwrite(tmp_path: Path) -> None:
    a = assessment()
    a.gaps.loc[a.gaps["id"] == "P-00000000a1", "department"] = "财政局/预算"
    a.gaps.loc[a.gaps["id"] == "P-00000000a6", "department"] = "财政局:预算"
    paths = write_reports(a, tmp_path, set(), dispatch=True)
    names = {p.name for p in paths}
    assert {"财政局_预算.xlsx", "财政局_预算-2.xlsx"} <= names
    ids = set()
    for path in paths:
        ids |= {r[0] for r in _rows(openpyxl.load_workbook(path).worksheets[0])[1:]}
    assert {"P-00000000a1", "P-00000000a6"} <= ids
