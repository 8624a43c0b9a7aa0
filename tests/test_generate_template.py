"""``civcheck template``: exact headers, drop-downs, pre-listed standards, per-department books, overwrite rules."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pytest
from sheet_types import page_setup_properties

from checker.cli import main
from checker.files import TEMP_PREFIX
from checker.generate.template import RESULT_CHOICES, TEMPLATE_KINDS, write_templates
from checker.handbook.loader import load_handbook
from checker.handbook.model import Handbook
from checker.intake.kinds import KINDS

TINY = Path(__file__).parent / "fixtures" / "packs" / "tiny" / "pack.yaml"


@pytest.fixture(scope="module")
def tiny() -> Handbook:
    return load_handbook(TINY)


def sheet_rows(path: Path, sheet: str) -> list[list[object]]:
    book = openpyxl.load_workbook(path)
    return [list(r) for r in book[sheet].iter_rows(values_only=True)]


def named_list(book: openpyxl.Workbook, formula: str) -> list[str]:
    """The values of a drop-down: a literal list or a named range on the hidden list sheet."""
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    ref = book.defined_names[formula].attr_text
    sheet, cells = ref.split("!")
    ws = book[sheet.strip("'")]
    assert ws.sheet_state == "hidden"
    return [c.value for (c,) in ws[cells.replace("$", "")] if c.value is not None]


def dropdowns(path: Path, sheet: str) -> dict[str, list[str]]:
    """Header → drop-down values of every list validation of a sheet."""
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    headers = [c.value for c in ws[2]]
    out: dict[str, list[str]] = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type != "list":
            continue
        col = next(iter(dv.sqref.ranges)).min_col
        out[str(headers[col - 1])] = named_list(book, dv.formula1)
    return out


def test_one_workbook_per_kind_with_title_and_exact_headers(tiny: Handbook, tmp_path: Path) -> None:
    written = write_templates(tiny, tmp_path, by_department=False, force=False)
    assert [p.name for p in written] == [f"{KINDS[k].label_zh}.xlsx" for k in TEMPLATE_KINDS]
    for kind, path in zip(TEMPLATE_KINDS, written, strict=True):
        rows = sheet_rows(path, KINDS[kind].label_zh)
        assert rows[0][0] and KINDS[kind].label_zh in str(rows[0][0])
        expected = [c.header for c in KINDS[kind].columns]
        if kind == "responses":
            expected += ["Q01"]
        assert rows[1] == expected


def test_inspections_prelist_every_site_type_and_its_field_standards(tiny: Handbook, tmp_path: Path) -> None:
    write_templates(tiny, tmp_path, by_department=False, force=False)
    rows = sheet_rows(tmp_path / "实地考察.xlsx", "实地考察")[2:]
    filled = [(r[2], r[3]) for r in rows if any(v is not None for v in r)]
    market = "Ⅲ-1-1 农贸市场划行归市，无占道经营"  # the code and its text, as the drop-down offers it
    assert filled == [("农贸市场", market), ("背街小巷", market)]
    # only the type and the standard are filled: the line reads as blank until someone fills it in
    assert all(v is None for r in rows for i, v in enumerate(r) if i not in (2, 3))


def test_documents_prelist_required_materials(tiny: Handbook, tmp_path: Path) -> None:
    write_templates(tiny, tmp_path, by_department=False, force=False)
    rows = sheet_rows(tmp_path / "材料.xlsx", "材料")[2:]
    assert [tuple(r[:3]) for r in rows if r[0]] == [
        ("Ⅲ-1-2 市场管理制度健全", "市场管理制度", "规范文件"),
        ("Ⅲ-1-2 市场管理制度健全", "检查台账", "工作台账"),
    ]


def test_dropdowns_offer_the_pack_values(tiny: Handbook, tmp_path: Path) -> None:
    write_templates(tiny, tmp_path, by_department=False, force=False)
    departments = [d.name for d in tiny.departments]
    inspections = dropdowns(tmp_path / "实地考察.xlsx", "实地考察")
    assert inspections == {
        "点位类型": ["农贸市场", "背街小巷"],
        "测评标准": ["Ⅲ-1-1 农贸市场划行归市，无占道经营"],
        "检查结果": list(RESULT_CHOICES),
        "责任单位": departments,
    }
    assert dropdowns(tmp_path / "材料.xlsx", "材料")["测评标准"] == ["Ⅲ-1-2 市场管理制度健全"]
    assert dropdowns(tmp_path / "负面清单.xlsx", "负面清单") == {
        "事项编号": ["N1 发生重大安全生产事故", "N2 党政主要领导严重违纪违法"]
    }
    assert dropdowns(tmp_path / "点位台账.xlsx", "点位台账") == {
        "点位类型": ["农贸市场", "背街小巷"],
        "责任单位": departments,
    }
    assert dropdowns(tmp_path / "数据指标.xlsx", "数据指标")["指标"] == ["注册志愿者人数", "常住人口"]


def test_by_department_lists_only_its_own_standards(tiny: Handbook, tmp_path: Path) -> None:
    written = write_templates(tiny, tmp_path, by_department=True, force=False)
    assert [p.name for p in written] == ["区市场监管局.xlsx", "区城管局.xlsx", "区文明办.xlsx"]
    sheets = {p.stem: openpyxl.load_workbook(p).sheetnames for p in written}
    assert sheets == {
        "区市场监管局": ["填报说明", "实地考察", "材料", "列表"],
        "区城管局": ["填报说明", "实地考察", "列表"],  # responsible (not lead) for the market standard
        "区文明办": ["填报说明", "问卷汇总", "数据指标", "列表"],
    }
    for path in written:
        own = {s.code for s in tiny.standards if path.stem in s.departments}
        for sheet in ("实地考察", "材料"):
            if sheet in sheets[path.stem]:
                listed = {r[3] if sheet == "实地考察" else r[0] for r in sheet_rows(path, sheet)[2:]}
                assert {str(v).split()[0] for v in listed} <= own
                assert {v.split()[0] for v in dropdowns(path, sheet)["测评标准"]} <= own


def test_templates_are_reproducible(tiny: Handbook, tmp_path: Path) -> None:
    def digest(folder: Path) -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}

    write_templates(tiny, tmp_path / "a", by_department=True, force=False)
    write_templates(tiny, tmp_path / "b", by_department=True, force=False)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")


def test_cli_refuses_to_overwrite_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["template", "--handbook", str(TINY), "-o", str(tmp_path)]
    assert main(args) == 0
    before = (tmp_path / "材料.xlsx").stat().st_mtime_ns
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "--force" in err and "Traceback" not in err
    assert (tmp_path / "材料.xlsx").stat().st_mtime_ns == before
    assert main([*args, "--force"]) == 0
    assert not list(tmp_path.glob(f"{TEMP_PREFIX}*"))


def test_cli_refuses_a_file_as_output_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "not-a-folder"
    target.write_text("x")
    for command in ("template", "sample"):
        assert main([command, "--handbook", str(TINY), "-o", str(target)]) == 2
        err = capsys.readouterr().err
        assert "not a folder" in err and "Traceback" not in err
    assert target.read_text() == "x"


def test_templates_read_back_without_rejections(tiny: Handbook, tmp_path: Path) -> None:
    from checker.intake.reader import read_evidence

    write_templates(tiny, tmp_path / "kinds", by_department=False, force=False)
    write_templates(tiny, tmp_path / "depts", by_department=True, force=False)
    evidence = read_evidence(tmp_path, tiny)
    assert evidence.rejected == []
    assert sum(i.rows_accepted for i in evidence.inputs) == 0


def test_a_row_filled_from_the_dropdowns_reads_back_with_the_codes(tiny: Handbook, tmp_path: Path) -> None:
    from checker.intake.reader import read_evidence

    write_templates(tiny, tmp_path, by_department=False, force=False)
    # 实地考察: fill the first pre-listed line, the standard chosen from the drop-down's text
    path = tmp_path / "实地考察.xlsx"
    standard = dropdowns(path, "实地考察")["测评标准"][0]
    assert standard.startswith("Ⅲ-1-1 ") and len(standard) > len("Ⅲ-1-1 ")
    book = openpyxl.load_workbook(path)
    ws = book["实地考察"]
    headers = [c.value for c in ws[2]]
    row: dict[str, str | int] = {"点位编号": "M01", "测评标准": standard, "检查结果": "不符合", "问题数": 2, "问题描述": "占道经营",
           "检查日期": "2026-05-03", "检查人": "张三"}  # fmt: skip
    for header, value in row.items():
        ws.cell(3, headers.index(header) + 1, value)
    book.save(path)
    # 负面清单: an item chosen from its drop-down
    path = tmp_path / "负面清单.xlsx"
    item = dropdowns(path, "负面清单")["事项编号"][0]
    book = openpyxl.load_workbook(path)
    ws = book["负面清单"]
    headers = [c.value for c in ws[2]]
    for header, value in {"事项编号": item, "发生日期": "2026-03-01", "说明": "某事故"}.items():
        ws.cell(3, headers.index(header) + 1, value)
    book.save(path)

    evidence = read_evidence(tmp_path, tiny)
    assert evidence.rejected == []
    inspections = evidence.frame("inspections")
    assert list(inspections["standard"]) == ["Ⅲ-1-1"] and list(inspections["site_id"]) == ["M01"]
    assert list(evidence.frame("incidents")["item"]) == ["N1"]


def test_every_workbook_opens_on_instructions_for_its_sheets(tiny: Handbook, tmp_path: Path) -> None:
    for path in write_templates(tiny, tmp_path / "depts", by_department=True, force=False):
        book = openpyxl.load_workbook(path)
        assert book.sheetnames[0] == "填报说明" and book["填报说明"].sheet_state == "visible"
        text = "\n".join(str(r[0]) for r in sheet_rows(path, "填报说明") if r[0])
        assert "不要修改各表的标题行和表头行" in text and "读取时只认前面的代码" in text
        for sheet in book.sheetnames[1:-1]:
            assert f"【{sheet}】" in text
            headers = [c.value for c in book[sheet][2]]
            assert all(f"· {h}：" in text for h in headers if h not in ("Q01",))
        # one line per cell in a single column: no line of it can be taken for a header row
        assert book["填报说明"].max_column == 1


def test_date_columns_validate_dates_and_sheets_print_one_page_wide(tiny: Handbook, tmp_path: Path) -> None:
    write_templates(tiny, tmp_path, by_department=False, force=False)
    for kind in TEMPLATE_KINDS:
        spec = KINDS[kind]
        book = openpyxl.load_workbook(tmp_path / f"{spec.label_zh}.xlsx")
        ws = book[spec.label_zh]
        date_columns = {i + 1 for i, c in enumerate(spec.columns) if c.value == "date"}
        validated = {
            next(iter(dv.sqref.ranges)).min_col: dv
            for dv in ws.data_validations.dataValidation
            if dv.type == "date"
        }
        assert set(validated) == date_columns, kind
        for dv in validated.values():
            # between (the default operator) 2000-01-01 and 2099-12-31, as Excel serials
            assert (dv.operator in (None, "between"), dv.formula1, dv.formula2) == (True, "36526", "73050")
            assert dv.errorStyle == "warning" and "2026-05-03" in (dv.error or "")
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0  # 1 is the default
        assert page_setup_properties(ws).fitToPage
        assert ws.print_title_rows == "$1:$2"  # title and header on every printed page


def test_the_instructions_sheet_is_read_past_without_a_warning(tiny: Handbook, tmp_path: Path) -> None:
    from checker.intake.reader import read_evidence

    write_templates(tiny, tmp_path / "t", by_department=False, force=False)
    evidence = read_evidence(tmp_path / "t", tiny)
    assert evidence.inputs
    for info in evidence.inputs:
        assert not [w for w in info.warning_texts() if "填报说明" in w], info.warning_texts()
        assert "填报说明 (instructions)" in info.skipped_sheets, info.skipped_sheets
        assert "填报说明（说明页）" in info.skipped_sheet_texts("zh")
