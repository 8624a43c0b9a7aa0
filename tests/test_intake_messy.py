"""Messy but honest workbooks (merged headers, title rows, stray totals, mixed date forms…) and every kind of sheet, read to exact rows and codes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from sheet_types import active

from checker.cli import main
from checker.handbook.loader import load_handbook
from checker.handbook.model import Handbook
from checker.intake.evidence import Evidence
from checker.intake.reader import read_evidence

TINY = Path(__file__).parent / "fixtures" / "packs" / "tiny"
REGISTER = [
    ("点位编号", "点位名称", "点位类型", "所属街道", "责任单位"),
    ("S001", "城东菜市场", "农贸市场", "东街道", "区市场监管局"),
    ("S002", "幸福巷", "背街小巷", "东街道", "区城管局"),
]
INSPECTION = ("点位编号", "测评标准", "检查结果", "问题数", "问题描述", "检查日期", "检查人")


@pytest.fixture(scope="module")
def tiny() -> Handbook:
    return load_handbook(TINY)


def workbook(
    path: Path, sheets: Mapping[str, Sequence[tuple[object, ...]]], epoch: dt.datetime | None = None
) -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    if epoch is not None:
        wb.epoch = epoch
    wb.remove(active(wb))
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    wb.save(path)
    return wb


def projection(evidence: Evidence) -> list[tuple[str, int, str, str]]:
    return [(r.sheet, r.row, r.column, r.code) for r in evidence.rejected]


def test_title_rows_merged_cells_messy_headers_and_symbols(tiny: Handbook, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = active(wb)
    ws.title = "检查"
    ws["A1"] = "城东街道 2023 年自查记录"
    ws.merge_cells("A1:G1")
    ws.append(["填报单位：城东街道"])
    ws.append(
        [
            "点位\u3000编号",
            "\u00a0测评标准 ",
            "检查\u200b结果",
            "问题数（处）",
            "问题描述*",
            "检查日期",
            "Inspector",
        ]
    )
    ws.append(["S001", "Ⅲ-1-1", "√", None, None, "2023年5月3日", "张三"])  # row 4
    ws.append(["S002", "Ⅲ-1-1", "✗", None, "占道", None, None])  # row 5: E5:G5 merged, only E5 holds a value
    ws.merge_cells("E5:G5")
    ws.append([])  # row 6: blank
    ws.append(["S001", "Ⅲ-1-1", "N/A", None, None, "２０２３年５月３日", "张三"])  # row 7: na
    ws.append(["S002", "Ⅲ-1-1", "null", None, None, "2023/6/1", "李四"])  # row 8: kept visible, rejected
    ws.append(["S002", "Ⅲ-1-1", "-", None, None, "2023/6/1", "李四"])  # row 9
    ws.append(["S001", "Ⅲ-1-1", '=IF(1>0,"符合","不符合")', None, None, "2023/6/2", "张三"])  # row 10
    ws.append([None, "Ⅲ-1-1", None, None, None, None, None])  # row 11: pre-listed, never filled → blank
    wb.create_sheet("台账")
    for row in REGISTER:
        wb["台账"].append(list(row))
    hidden = wb.create_sheet("旧表")
    hidden.append(list(INSPECTION))
    hidden.append(["S001", "Ⅲ-1-1", "不符合", 1, "x", "2023-05-03", "张三"])
    hidden.sheet_state = "hidden"
    very = wb.create_sheet("隐藏2")
    very.sheet_state = "veryHidden"
    wb.save(tmp_path / "messy.xlsx")

    evidence = read_evidence(tmp_path, tiny)
    info = evidence.inputs[0]
    assert info.sheets == ["检查 → inspections", "台账 → sites"]
    assert info.skipped_sheets == ["旧表 (hidden)", "隐藏2 (hidden)"]
    assert info.skipped_sheet_texts("en") == info.skipped_sheets
    assert projection(evidence) == [
        ("检查", 8, "C 检查\u200b结果", "bad-result"),
        ("检查", 9, "C 检查\u200b结果", "bad-result"),
        ("检查", 10, "C 检查\u200b结果", "formula-no-cache"),
    ]
    assert "C10" in evidence.rejected[2].message and 'IF(1>0,"符合","不符合")' in evidence.rejected[2].message
    assert (info.rows_read, info.rows_accepted, info.rows_rejected, info.rows_blank) == (8, 5, 3, 2)
    frame = evidence.frame("inspections")
    assert list(frame["_row"]) == [4, 5, 7]
    assert list(frame["result"]) == ["pass", "fail", "na"]
    assert list(frame["cases"]) == [0, 1, 0]
    assert list(frame["date"].dt.strftime("%Y-%m-%d").fillna("")) == ["2023-05-03", "", "2023-05-03"]
    assert list(frame["inspector"].fillna("")) == ["张三", "", "张三"]
    assert list(frame["description"].fillna("")) == ["", "占道", ""]
    assert any("E5:G5" in w for w in info.warning_texts())
    assert sum("隐藏的工作表" in w for w in info.warning_texts()) == 2


def test_a_value_merged_down_a_column_is_used_on_every_row_of_the_range(
    tiny: Handbook, tmp_path: Path
) -> None:
    wb = openpyxl.Workbook()
    ws = active(wb)
    ws.title = "检查"
    ws.append([*INSPECTION, "内部编码"])  # a column civcheck does not use
    ws.append(["S001", "Ⅲ-1-1", "符合", None, None, "2023-05-03", "张三"])  # row 2
    ws.append([None, "Ⅲ-1-1", "不符合", 1, "占道", "2023-05-04", None])  # row 3: A2:A3 merged, G2:G4 merged
    ws.append(["S002", "Ⅲ-1-1", "符合", None, None, "2023-05-05", None])  # row 4
    ws.append(["S002", "Ⅲ-1-1", "不符合", 2, "堆物", "2023-05-06", "李四"])  # row 5: the note E5:E6 merged
    ws.append([None, None, None, None, None, None, None, "K-6"])  # row 6: only the merged note → blank
    for cells in ("A2:A3", "G2:G4", "E5:E6"):
        ws.merge_cells(cells)
    wb.create_sheet("台账")
    for row in REGISTER:
        wb["台账"].append(list(row))
    wb.save(tmp_path / "merged.xlsx")

    evidence = read_evidence(tmp_path, tiny)
    assert projection(evidence) == []
    frame = evidence.frame("inspections")
    assert list(frame["_row"]) == [2, 3, 4, 5]
    assert list(frame["site_id"]) == ["S001", "S001", "S002", "S002"]
    assert list(frame["inspector"].fillna("")) == ["张三", "张三", "张三", "李四"]
    assert list(frame["description"].fillna("")) == ["", "占道", "", "堆物"]
    info = evidence.inputs[0]
    assert (info.rows_read, info.rows_accepted, info.rows_blank) == (4 + 2, 4 + 2, 1)  # + the register
    assert any("A2:A3" in w and "G2:G4" in w for w in info.warning_texts())


def test_headers_that_collide_after_normalising_name_both_columns(tiny: Handbook, tmp_path: Path) -> None:
    workbook(
        tmp_path / "dup.xlsx",
        {"台账": [("点位名称", "点位类型", "所属街道", "点位编号", "点位 编号", "责任单位")]},
    )
    evidence = read_evidence(tmp_path, tiny)
    assert projection(evidence) == [("台账", 1, "", "duplicate-header")]
    assert "D 列" in evidence.rejected[0].message and "E 列" in evidence.rejected[0].message


def test_dates_every_spelling_and_the_1900_bug(tiny: Handbook, tmp_path: Path) -> None:
    rows: list[tuple[object, ...]] = [
        INSPECTION,
        ("S001", "Ⅲ-1-1", "符合", None, None, dt.datetime(2023, 5, 3), "a"),  # 2 date cell
        ("S001", "Ⅲ-1-1", "符合", None, None, 45049, "a"),  # 3 bare serial (General)
        ("S001", "Ⅲ-1-1", "符合", None, None, "2023年5月3日", "a"),  # 4
        ("S001", "Ⅲ-1-1", "符合", None, None, "２０２３年５月３日", "a"),  # 5
        ("S001", "Ⅲ-1-1", "符合", None, None, "2023.5.3", "a"),  # 6
        ("S001", "Ⅲ-1-1", "符合", None, None, "2023/6/1", "a"),  # 7
        ("S001", "Ⅲ-1-1", "符合", None, None, 60, "a"),  # 8 the day that never was
        ("S001", "Ⅲ-1-1", "符合", None, None, 59, "a"),  # 9 before the bug: warned
        ("S001", "Ⅲ-1-1", "符合", None, None, "三月三日", "a"),  # 10
    ]
    workbook(tmp_path / "d.xlsx", {"检查": rows, "台账": REGISTER})
    evidence = read_evidence(tmp_path, tiny)
    assert projection(evidence) == [
        ("检查", 8, "F 检查日期", "bad-date"),
        ("检查", 10, "F 检查日期", "bad-date"),
    ]
    dates = list(evidence.frame("inspections")["date"].dt.strftime("%Y-%m-%d"))
    assert dates == ["2023-05-03"] * 5 + ["2023-06-01", "1900-02-28"]
    assert sum("1900" in w for w in evidence.inputs[0].warning_texts()) >= 1


def test_1904_workbook_dates(tiny: Handbook, tmp_path: Path) -> None:
    rows = [INSPECTION, ("S001", "Ⅲ-1-1", "符合", None, None, dt.datetime(2023, 5, 3), "a")]
    workbook(tmp_path / "mac.xlsx", {"检查": rows, "台账": REGISTER}, epoch=CALENDAR_MAC_1904)
    evidence = read_evidence(tmp_path, tiny)
    assert evidence.rejected == []
    assert list(evidence.frame("inspections")["date"].dt.strftime("%Y-%m-%d")) == ["2023-05-03"]


def test_ids_keep_leading_zeros_and_warn_about_lost_precision(tiny: Handbook, tmp_path: Path) -> None:
    rows = [
        REGISTER[0],
        ("00123", "a", "农贸市场", "东街道", "区城管局"),
        ("110101199003071234", "b", "背街小巷", "东街道", "区城管局"),
        (110101199003071234, "c", "背街小巷", "东街道", "区城管局"),
    ]
    workbook(tmp_path / "ids.xlsx", {"台账": rows})
    evidence = read_evidence(tmp_path, tiny)
    ids = list(evidence.frame("sites")["site_id"])
    assert ids[:2] == ["00123", "110101199003071234"]
    warnings = [w for w in evidence.inputs[0].warning_texts() if "精度" in w]
    assert len(warnings) == 1 and "台账!A4" in warnings[0]


def test_every_kind_of_sheet(tiny: Handbook, tmp_path: Path) -> None:
    (tmp_path / "制度.pdf").write_bytes(b"%PDF-1.4")
    sheets: dict[str, list[tuple[object, ...]]] = {
        "材料": [
            ("测评标准", "材料名称", "材料类型", "提交单位", "材料日期", "文件"),
            ("Ⅲ-1-2", "市场管理制度", "规范文件", "市场监管局", "2023-03-01", "制度.pdf"),
            ("Ⅲ-1-2", "检查台账", "工作台账", "区市场监管局", "2023-04-01", "https://example.org/t.pdf"),
            ("Ⅲ-1-2", "检查台账", "工作台账", "区市场监管局", "2023-04-02", "缺失.pdf"),
            ("Ⅲ-1-1", "x", None, "区市场监管局", "2023-04-02", "制度.pdf"),
        ],
        "问卷汇总": [("题号", "有效样本", "肯定回答"), ("Q01", 120, 110), ("q01", 10, 20), ("Q99", 5, 1)],
        "答卷": [
            ("受访者编号", "性别", "Q01 您对创建工作是否满意"),
            ("R1", "男", "满意"),
            ("R2", "女", "不满意"),
            ("R3", "女", "比较满意"),
            ("R4", "男", None),
        ],
        "指标": [
            ("指标", "数值", "单位", "统计日期", "来源单位"),
            ("注册志愿者人数", "1,200", "人", "2023-05-01", "区文明办"),
        ],
        "负面": [("事项编号", "发生日期", "说明"), ("N1", "2023-02-01", "事故"), ("N7", "2023-02-01", "?")],
        "反馈": [
            ("问题编号", "整改状态", "整改措施", "完成日期"),
            ("P1", "已整改", "清理", "2023-05-10"),
            ("P2", "搞定", "", None),
        ],
    }
    workbook(tmp_path / "all.xlsx", sheets)
    evidence = read_evidence(tmp_path, tiny)
    assert projection(evidence) == [
        ("反馈", 3, "B 整改状态", "bad-status"),
        ("材料", 5, "A 测评标准", "wrong-method"),
        ("负面", 3, "A 事项编号", "unknown-item"),
        ("问卷汇总", 3, "C 肯定回答", "bad-tally"),
        ("问卷汇总", 4, "A 题号", "unknown-question"),
    ]
    docs = evidence.frame("documents")
    assert list(docs["file_ok"]) == [True, True, False]
    assert list(docs["department"]) == ["区市场监管局"] * 3
    survey = evidence.frame("survey")
    assert [
        (r["question"], r["respondents"], r["favourable"], r["source"]) for r in survey.to_dict("records")
    ] == [
        ("Q01", 120, 110, "tally"),
        ("Q01", 3, 2, "responses"),
    ]
    assert list(evidence.frame("indicators")["value"]) == [1200.0]
    assert list(evidence.frame("incidents")["item"]) == ["N1"]
    assert list(evidence.frame("replies")["status"]) == ["已整改"]


def test_cli_read_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good"
    good.mkdir()
    workbook(good / "台账.xlsx", {"台账": REGISTER})
    assert main(["read", str(good), "--handbook", str(TINY)]) == 0
    out = capsys.readouterr().out
    assert "台账 → sites" in out and "接受 2" in out
    assert main(["read", str(good), "--handbook", str(TINY), "--lang", "en"]) == 0
    assert "accepted 2" in capsys.readouterr().out
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.xlsx").write_bytes(b"")
    (bad / "y.csv").write_bytes(b"\x00\x01")
    assert main(["read", str(bad), "--handbook", str(TINY)]) == 2
    captured = capsys.readouterr()
    assert "empty-file" in captured.out and "binary" in captured.out
    assert "Traceback" not in captured.out + captured.err
    assert main(["read", str(tmp_path / "missing"), "--handbook", str(TINY)]) == 2
