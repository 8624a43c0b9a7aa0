"""The renderers on the real sample round (evidence/sample → intake → engine): golden files, cross-checks
between outputs, and the 交办单 round trip through the evidence reader."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import jsonschema
import openpyxl
import pytest
from report_fixtures import SAMPLE_OUTPUTS, SAMPLE_ROUND, sample_assessment

from checker.generate.flaws import EXPECTED_CODES
from checker.intake.kinds import REPLY_STATUSES
from checker.report import report_json_schema, write_reports

GOLDEN = Path(__file__).parent / "golden"

pytestmark = pytest.mark.skipif(not SAMPLE_ROUND.is_dir(), reason="evidence/sample is not present")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("sample-report")
    paths = write_reports(sample_assessment(), out, {"xlsx", "json", "html", "text"}, dispatch=True)
    return out, paths


@pytest.mark.parametrize("name", sorted(SAMPLE_OUTPUTS))
def test_sample_output_matches_golden_file(name: str) -> None:
    expected = (GOLDEN / name).read_text(encoding="utf-8")
    assert SAMPLE_OUTPUTS[name]() == expected, f"{name} changed: review, then run tests/golden/regen.py"


def test_json_is_valid_and_agrees_with_the_assessment(written: tuple[Path, list[Path]]) -> None:
    out, _ = written
    a = sample_assessment()
    document = json.loads((out / "report.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(report_json_schema(), format_checker=jsonschema.FormatChecker()).validate(
        document
    )
    assert document["total"]["score"] == a.total.score
    assert [s["code"] for s in document["standards"]] == [s.code for s in a.standards]
    assert [g["id"] for g in document["gaps"]] == a.gaps["id"].tolist()
    assert len(document["inputs"]) == len(a.inputs)


def test_workbook_figures_agree_with_the_assessment(written: tuple[Path, list[Path]]) -> None:
    out, _ = written
    a = sample_assessment()
    book = openpyxl.load_workbook(out / "自查报告.xlsx")
    summary = {r[0]: r[1] for r in book["总览"].iter_rows(values_only=True) if r and r[0]}
    assert summary["预计总分"] == pytest.approx(a.total.score)
    assert summary["负面清单扣分"] == pytest.approx(a.total.deductions)
    problems = list(book["问题清单"].iter_rows(values_only=True))
    site_problems = a.gaps[a.gaps["kind"] == "site_problem"]
    assert [r[0] for r in problems[1:]] == site_problems["id"].tolist()
    standards = list(book["测评结果"].iter_rows(values_only=True))
    assert len(standards) - 1 == len(a.standards)
    departments = list(book["部门排名"].iter_rows(values_only=True))
    assert [r[0] for r in departments[1:]] == a.departments["department"].tolist()


def test_workbook_lists_the_rejected_rows_and_the_total_has_a_range(written: tuple[Path, list[Path]]) -> None:
    out, _ = written
    a = sample_assessment()
    book = openpyxl.load_workbook(out / "自查报告.xlsx")
    rows = list(book["数据问题"].iter_rows(values_only=True))
    assert [(r[0], r[2], r[4]) for r in rows[1:]] == [(r.file, r.row, r.code) for r in a.rejected]
    assert sorted(str(r[4]) for r in rows[1:]) == sorted(EXPECTED_CODES.values())
    # The sample leaves a field and a document standard without evidence: 0 in the score, full in high.
    unknown = sorted(s.code for s in a.standards if s.status == "no_evidence")
    assert unknown == ["Ⅲ-47-3", "Ⅲ-6-1"]
    assert a.total.low == a.total.score < a.total.high


def test_dispatch_covers_every_gap_once_in_its_units_book(written: tuple[Path, list[Path]]) -> None:
    """Every gap reaches its unit: survey and data shortfalls, standards without evidence and the
    negative-list event (to the item's lead unit) as well as site problems, coverage and materials."""
    out, paths = written
    a = sample_assessment()
    books = {p.stem: p for p in paths if p.parent == out / "交办单"}
    assert (a.gaps["department"] != "").all()  # the negative-list event has its item's lead
    # Every unit that owns a gap gets its 交办单 (each loss listed once: a standard's lead gets none for a
    # loss already dispatched as the site problems of other units).
    assert len(books) == a.gaps["department"].nunique() >= 18
    assert {"区委政法委", "区应急管理局", "团区委", "区司法局"} <= set(books)
    found: dict[str, str] = {}
    rows: dict[str, dict[str, object]] = {}
    for stem, path in books.items():
        book = openpyxl.load_workbook(path, read_only=True)
        sheet = list(book.worksheets[0].iter_rows(values_only=True))
        book.close()
        for row in sheet[1:]:
            assert row[0] not in found
            found[str(row[0])] = stem.replace("(", "（").replace(")", "）")
            rows[str(row[0])] = dict(zip((str(h) for h in sheet[0]), row, strict=True))
    assert found == dict(zip(a.gaps["id"], a.gaps["department"], strict=True))
    # What the unit needs to act on, by kind: the rate and the target of a survey, an indicator's value …
    by_standard = {(g.kind, g.standard): str(g.id) for g in a.gaps.itertuples()}
    assert (
        rows[by_standard[("survey", "Ⅲ-19-1")]]["整改目标"]
        == "Q08 肯定率达到 85%（现为 80.95%，差 4.05 个百分点）"
    )
    assert rows[by_standard[("data", "Ⅲ-9-1")]]["整改目标"] == "注册志愿者人数/常住人口 ≥ 13%（现为 11.48%）"
    # A standard with no material at all: its loss is listed once, as each missing material.
    assert ("standard", "Ⅲ-6-1") not in by_standard
    wanted = {"道德模范和身边好人评选文件", "典型人物库", "礼遇帮扶活动记录"}
    targets = {str(r["整改目标"]) for r in rows.values() if r.get("测评标准") == "Ⅲ-6-1"}
    assert targets == {f"报送 2025-07-01 至 2026-06-30 期间形成的“{m}”" for m in wanted}
    material = rows[by_standard[("material", "Ⅲ-1-2")]]
    assert material["整改目标"] == "报送 2025-07-01 至 2026-06-30 期间形成的“创建任务分解表”"
    negative = rows[a.gaps.loc[a.gaps["kind"] == "negative", "id"].item()]
    assert negative["问题类型"] == "负面清单" and found[str(negative["问题编号"])] == "区应急管理局"


def test_returned_dispatch_workbook_reads_back_as_replies(
    written: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    from checker.handbook.loader import load_handbook
    from checker.intake.reader import read_evidence

    out, paths = written
    source = max((p for p in paths if p.parent == out / "交办单"), key=lambda p: p.stat().st_size)
    returned = tmp_path / "returned" / source.name
    returned.parent.mkdir()
    shutil.copy(source, returned)
    book = openpyxl.load_workbook(returned)
    ws = book.worksheets[0]
    header = [c.value for c in ws[1]]
    expected = []
    for row in range(2, ws.max_row + 1):
        status = REPLY_STATUSES[row % len(REPLY_STATUSES)]
        ws.cell(row=row, column=header.index("整改状态") + 1, value=status)
        ws.cell(row=row, column=header.index("整改措施") + 1, value=f"已落实整改 {row}")
        ws.cell(row=row, column=header.index("完成日期") + 1, value=date(2026, 7, 1))
        expected.append((ws.cell(row=row, column=1).value, status, f"已落实整改 {row}"))
    book.save(returned)

    evidence = read_evidence(returned.parent, load_handbook("wenming-city"))
    assert evidence.rejected == []
    replies = evidence.frame("replies")
    got = list(zip(replies["problem_id"], replies["status"], replies["measure"], strict=True))
    assert got == expected
    assert (replies["date"] == "2026-07-01").all()
