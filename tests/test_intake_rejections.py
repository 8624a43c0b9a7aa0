"""A rejected row names the standard it cited, so scoring can tell 数据有误 (invalid) from 无证据."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from checker.handbook.loader import load_handbook
from checker.intake.reader import read_evidence
from checker.scoring.assessment import Options
from checker.scoring.evaluate import evaluate

TINY = Path(__file__).parent / "fixtures" / "packs" / "tiny"

CSV = """点位编号,测评标准,检查结果,问题描述,检查日期,检查人
M01,Ⅲ-1-1,也许,摊位外溢,2026-05-03,张三
M02,III-1-1,不符合,占道经营,2026年5月40日,李四
"""


def test_rejected_rows_carry_their_standard_and_make_it_invalid(tmp_path: Path) -> None:
    round_ = tmp_path / "round"
    round_.mkdir()
    (round_ / "inspections.csv").write_text(CSV, encoding="utf-8")
    handbook = load_handbook(TINY)
    evidence = read_evidence(round_, handbook)
    assert [(r.row, r.code, r.standard) for r in evidence.rejected] == [
        (2, "bad-result", "Ⅲ-1-1"),
        (3, "bad-date", "Ⅲ-1-1"),
    ]
    result = next(
        s
        for s in evaluate(handbook, evidence, Options(test_date=date(2026, 7, 15))).standards
        if s.code == "Ⅲ-1-1"
    )
    assert result.status == "invalid"


def test_a_row_with_two_bad_cells_names_both(tmp_path: Path) -> None:
    round_ = tmp_path / "round"
    round_.mkdir()
    (round_ / "inspections.csv").write_text(
        "点位编号,测评标准,检查结果,问题数,问题描述,检查日期,检查人,点位类型\n"
        "M01,Ⅲ-1-1,不符合,两处,摊位外溢,2026-05-40,张三,农贸市场\n"  # a bad count and a bad date
        "M02,Ⅲ-1-1,不符合,三,占道经营,2026-05-03,张三,农贸市场\n"  # only a bad count
        "M03,Ⅲ-1-1,不符合,2,占道经营,2026-05-03,张三,农贸市场\n",
        encoding="utf-8",
    )
    evidence = read_evidence(round_, load_handbook(TINY))
    assert [(r.row, r.code) for r in evidence.rejected] == [(2, "bad-number"), (3, "bad-number")]
    both, one = evidence.rejected
    assert both.column == "D 问题数、F 检查日期"
    assert both.message == (
        "D 问题数：“问题数”的值“两处”不是有效数字（0 或正整数）；"
        "F 检查日期：“检查日期”的值“2026-05-40”不是可识别的日期（如 2023-05-03、2023/5/3、2023年5月3日）"
    )
    assert one.column == "D 问题数" and one.message == "“问题数”的值“三”不是有效数字（0 或正整数）"
    # the row is rejected once: the file's counts stay row counts
    (info,) = evidence.inputs
    assert (info.rows_read, info.rows_accepted, info.rows_rejected) == (3, 1, 2)
