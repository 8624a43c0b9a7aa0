"""The printed 交办单 and workbook: page header and footer, wrapped rows high enough, the address, the
overdue rule, the print areas (checked on the xlsx; tests/test_report_libreoffice.py renders the PDFs)."""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from report_fixtures import SAMPLE_ROUND, assessment, sample_assessment
from sheet_types import page_footer, page_header, page_setup_properties

from checker.report import write_reports
from checker.report.dispatch import header_row
from checker.report.workbook import LINE_POINTS, display_width

UNIT = "区委宣传部（区文明办）"


@pytest.fixture(scope="module")
def sample_books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if not SAMPLE_ROUND.is_dir():
        pytest.skip("evidence/sample is not present")
    out = tmp_path_factory.mktemp("print")
    paths = write_reports(sample_assessment(), out, {"xlsx"}, dispatch=True)
    return {p.stem: p for p in paths}


def _dispatch(books: dict[str, Path]) -> openpyxl.Workbook:
    return openpyxl.load_workbook(books[UNIT.replace("（", "(").replace("）", ")")])


def test_every_printed_page_names_the_sheet_the_unit_and_the_dates(sample_books: dict[str, Path]) -> None:
    book = _dispatch(sample_books)
    for ws in book.worksheets:
        header, footer = page_header(ws), page_footer(ws)
        assert UNIT in (header.left.text or "")
        assert "创城问题整改交办单" in (header.center.text or "")
        assert "交办日期：2026-06-12" in (header.right.text or "")
        assert "反馈截止：2026-06-19" in (header.right.text or "")  # the earliest deadline of the unit
        assert footer.right.text == "第 &P 页，共 &N 页"
        assert "负责人签字" in (footer.left.text or "")
        assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
        setup = ws.page_setup  # one page wide (1 is the default, left out), as many pages high as needed
        assert (
            page_setup_properties(ws).fitToPage and setup.fitToWidth in (None, 1) and setup.fitToHeight == 0
        )
    note = {r[0]: r[1] for r in book["填报说明"].iter_rows(values_only=True) if r[0]}
    assert note["承办单位"] == UNIT
    assert {"交办日期", "反馈截止", "承办单位联系人", "联系电话", "负责人签字（盖章）", "报回日期"} <= set(
        note
    )


def test_the_header_row_stays_on_row_one_and_the_replies_are_printed(sample_books: dict[str, Path]) -> None:
    ws = _dispatch(sample_books).worksheets[0]
    header = [c.value for c in ws[1]]
    assert header == header_row("zh")
    assert ws.print_title_rows == "$1:$1"
    # The print area runs from the id to the last reply column; the trailing columns stay on screen.
    area = str(ws.print_area)
    last = get_column_letter(header.index("整改照片") + 1)
    assert area.endswith(f"$A$1:${last}${ws.max_row}")
    assert header.index("街道") < header.index("整改状态") and header.index("地址") < header.index("整改状态")


def test_wrapped_cells_get_rows_high_enough(sample_books: dict[str, Path]) -> None:
    ws = _dispatch(sample_books).worksheets[0]
    header = [c.value for c in ws[1]]
    wrapped = [header.index(h) for h in ("问题情况", "标准要求", "整改目标", "地址", "点位名")]
    for row in ws.iter_rows(min_row=2):
        number = row[0].row
        assert number is not None
        height = ws.row_dimensions[number].height
        assert height is not None
        for col in wrapped:
            cell = row[col]
            assert cell.alignment.wrap_text and cell.alignment.vertical == "top"
            assert cell.border.left.style == "thin"
            if isinstance(cell.value, str):
                width = ws.column_dimensions[get_column_letter(col + 1)].width
                # LibreOffice fits about 1.2 display columns of text per unit of width; 1.1 leaves room
                lines = math.ceil(display_width(cell.value) / (width * 1.1 - 1))
                assert height >= lines * LINE_POINTS, (cell.coordinate, cell.value)


def test_site_rows_carry_the_street_and_the_registers_address(sample_books: dict[str, Path]) -> None:
    ws = _dispatch(sample_books).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    sites = [dict(zip(header, r, strict=True)) for r in rows[1:] if r[header.index("点位")]]
    assert sites and all(r["街道"] and r["地址"] for r in sites)
    assert all(str(r["地址"]).startswith("滨江区" + str(r["街道"])) for r in sites)


def test_the_deadline_turns_red_when_overdue_and_not_fixed(sample_books: dict[str, Path]) -> None:
    ws = _dispatch(sample_books).worksheets[0]
    header = [c.value for c in ws[1]]
    due = get_column_letter(header.index("整改期限") + 1)
    status = get_column_letter(header.index("整改状态") + 1)
    [(ranges, rules)] = [(str(r.sqref), r.rules) for r in ws.conditional_formatting]
    assert ranges == f"{due}2:{due}{ws.max_row}"
    assert rules[0].formula == [f'AND(${due}2<>"",${due}2<TODAY(),${status}2<>"已整改")']
    assert rules[0].dxf.font.color.rgb.endswith("C00000")


def test_english_page_header_and_a_hostile_unit_name(tmp_path: Path) -> None:
    a = assessment()
    a.gaps.loc[a.gaps["id"] == "P-00000000a9", "department"] = "A&B " + "长" * 80
    paths = write_reports(a, tmp_path, set(), lang="en", dispatch=True)
    [path] = [p for p in paths if p.stem.startswith("A&B")]
    ws = openpyxl.load_workbook(path).worksheets[0]
    left = page_header(ws).left.text
    assert left is not None
    assert left.startswith("Responsible unit: A&&B 长")
    assert left.endswith("…")
    assert page_footer(ws).right.text == "Page &P of &N"


def test_the_workbook_prints_one_page_wide_with_page_numbers(sample_books: dict[str, Path]) -> None:
    book = openpyxl.load_workbook(sample_books["自查报告"])
    for ws in book.worksheets:
        assert page_footer(ws).center.text == "第 &P 页，共 &N 页", ws.title
        assert page_header(ws).right.text == "&A" and page_header(ws).left.text == "文明城市创建自查测评报告"
        setup = ws.page_setup
        assert page_setup_properties(ws).fitToPage and setup.fitToWidth in (None, 1), ws.title
        assert setup.fitToHeight == 0 and not ws.print_title_cols, ws.title
    # 测评结果 and 问题清单 print the columns that matter on paper, first; the rest stays on screen.
    for name, printed in (
        (
            "测评结果",
            ["测评项目", "指标", "测评内容", "测评标准", "标准内容", "测评方式", "分值", "预计得分"],
        ),
        (
            "问题清单",
            ["问题编号", "测评标准", "点位名", "街道", "责任单位", "问题情况", "问题数", "可挽回总分"],
        ),
    ):
        ws = book[name]
        header = [c.value for c in ws[1]]
        assert header[: len(printed)] == printed
        last = get_column_letter(header.index("牵头单位" if name == "测评结果" else "整改期限") + 1)
        assert str(ws.print_area).endswith(f"$A$1:${last}${ws.max_row}")
        assert len(header) > header.index(ws[f"{last}1"].value) + 1  # more columns on screen


def test_the_plans_total_gain_is_formatted_as_points(tmp_path: Path) -> None:
    [path] = write_reports(assessment(), tmp_path, {"xlsx"})
    rows = list(openpyxl.load_workbook(path)["整改计划"].iter_rows())
    [head] = [i for i, r in enumerate(rows) if r[0].value == "序号"]
    gain = [c.value for c in rows[head]].index("总分增加")
    cells = [r[gain] for r in rows[head + 1 :]]
    assert cells and all(c.number_format == "0.00" for c in cells)
