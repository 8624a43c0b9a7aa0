"""``civcheck template``: exact headers, drop-downs, pre-listed standards, per-department books, overwrite rules."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pytest

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
    assert filled == [("农贸市场", "Ⅲ-1-1"), ("背街小巷", "Ⅲ-1-1")]
    # only the type and the standard are filled: the line reads as blank until someone fills it in
    assert all(v is None for r in rows for i, v in enumerate(r) if i not in (2, 3))


def test_documents_prelist_required_materials(tiny: Handbook, tmp_path: Path) -> None:
    write_templates(tiny, tmp_path, by_department=False, force=False)
    rows = sheet_rows(tmp_path / "材料.xlsx", "材料")[2:]
    assert [tuple(r[:3]) for r in rows if r[0]] == [
        ("Ⅲ-1-2", "市场管理制度", "规范文件"),
        ("Ⅲ-1-2", "检查台账", "工作台账"),
    ]


def test_dropdowns_offer_the_pack_values(tiny: Handbook, tmp_path: Path) -> None:
    write_templates(tiny, tmp_path, by_department=False, force=False)
    departments = [d.name for d in tiny.departments]
    inspections = dropdowns(tmp_path / "实地考察.xlsx", "实地考察")
    assert inspections == {
        "点位类型": ["农贸市场", "背街小巷"],
        "测评标准": ["Ⅲ-1-1"],
        "检查结果": list(RESULT_CHOICES),
        "责任单位": departments,
    }
    assert dropdowns(tmp_path / "材料.xlsx", "材料")["测评标准"] == ["Ⅲ-1-2"]
    assert dropdowns(tmp_path / "负面清单.xlsx", "负面清单") == {"事项编号": ["N1", "N2"]}
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
        "区市场监管局": ["实地考察", "材料", "列表"],
        "区城管局": ["实地考察", "列表"],  # responsible (not lead) for the market standard
        "区文明办": ["问卷汇总", "数据指标", "列表"],
    }
    for path in written:
        own = {s.code for s in tiny.standards if path.stem in s.departments}
        for sheet in ("实地考察", "材料"):
            if sheet in sheets[path.stem]:
                listed = {r[3] if sheet == "实地考察" else r[0] for r in sheet_rows(path, sheet)[2:]}
                assert listed <= own
                assert set(dropdowns(path, sheet)["测评标准"]) <= own


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
    try:
        evidence = read_evidence(tmp_path, tiny)
    except NotImplementedError:
        pytest.skip("evidence intake (read_evidence) is not built yet")
    assert evidence.rejected == []
    assert sum(i.rows_accepted for i in evidence.inputs) == 0
