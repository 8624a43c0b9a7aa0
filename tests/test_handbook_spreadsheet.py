"""The handbook spreadsheet: export → import gives back an equal Handbook; bad workbooks are located."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from checker.errors import HandbookError, UsageError
from checker.handbook.codes import place
from checker.handbook.loader import bundled_criteria_dirs, find_packs, load_handbook
from checker.handbook.model import Handbook
from checker.handbook.sheet_columns import SHEETS
from checker.handbook.sheet_export import export_workbook
from checker.handbook.sheet_import import import_workbook

TINY = Path(__file__).parent / "fixtures" / "packs" / "tiny"
BUNDLED = [folder for base in bundled_criteria_dirs() for folder in find_packs(base)]

Edit = Callable[..., None]


def _round_trip(handbook: Handbook, tmp_path: Path) -> Handbook:
    workbook = tmp_path / "handbook.xlsx"
    export_workbook(handbook, workbook)
    imported = import_workbook(workbook, tmp_path / "pack")
    assert load_handbook(tmp_path / "pack") == imported
    return imported


def test_tiny_pack_round_trips(tmp_path: Path) -> None:
    handbook = load_handbook(TINY)
    assert _round_trip(handbook, tmp_path) == handbook
    files = sorted(p.name for p in (tmp_path / "pack").iterdir())
    assert files == ["pack.yaml", "project-01.yaml"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left


@pytest.mark.parametrize("pack", BUNDLED, ids=[p.name for p in BUNDLED])
def test_bundled_pack_round_trips(pack: Path, tmp_path: Path) -> None:
    handbook = load_handbook(pack)
    assert _round_trip(handbook, tmp_path) == handbook


def test_tricky_text_survives(tmp_path: Path) -> None:
    """Text that looks like a formula, a number or a yes/no, and names that hold a list separator."""
    base = load_handbook(TINY)
    first = base.standards[0]
    assert first.field is not None
    site_types = (
        *base.site_types,
        base.site_types[0].model_copy(update={"name": "公共广场、公园", "aliases": ()}),
    )
    changed = first.model_copy(
        update={
            "text": "=SUM(A1:A3) 看起来像公式",
            "advice": "010",
            "aliases": ("no", "1e3"),
            "field": first.field.model_copy(update={"site_types": ("公共广场、公园",)}),
        }
    )
    project = base.projects[0]
    indicator = project.indicators[0]
    content = indicator.contents[0]
    content = content.model_copy(update={"standards": (changed, *content.standards[1:])})
    indicator = indicator.model_copy(update={"contents": (content, *indicator.contents[1:])})
    project = project.model_copy(update={"indicators": (indicator, *project.indicators[1:])})
    handbook = base.model_copy(update={"projects": (project,), "site_types": site_types, "edition": "2026"})
    handbook = Handbook.model_validate(handbook.model_dump(by_alias=True))
    imported = _round_trip(handbook, tmp_path)
    assert imported == handbook
    cell = load_workbook(tmp_path / "handbook.xlsx")["测评标准"]["E2"]
    assert (cell.value, cell.data_type) == ("=SUM(A1:A3) 看起来像公式", "s")


@pytest.fixture
def exported(tmp_path: Path) -> Path:
    workbook = tmp_path / "handbook.xlsx"
    export_workbook(load_handbook(TINY), workbook)
    return workbook


def _edit(workbook: Path, change: Callable[..., None]) -> None:
    book = load_workbook(workbook)
    change(book)
    book.save(workbook)


def _import_problems(workbook: Path, target: Path) -> list[tuple[str, int, str]]:
    with pytest.raises(HandbookError) as caught:
        import_workbook(workbook, target)
    assert not target.exists()  # nothing is written when the workbook has problems
    return [(p.code, p.line, place(p, "en")) for p in caught.value.problems]


def test_missing_sheet_is_named(exported: Path, tmp_path: Path) -> None:
    _edit(exported, lambda book: book.remove(book["负面清单"]))
    problems = _import_problems(exported, tmp_path / "out")
    assert problems == [("sheet-missing", 0, "负面清单")]


def test_missing_column_is_named(exported: Path, tmp_path: Path) -> None:
    def drop_points(book: object) -> None:
        book["测评标准"].delete_cols(7)  # type: ignore[index]

    _edit(exported, drop_points)
    problems = _import_problems(exported, tmp_path / "out")
    assert ("column-missing", 1, "测评标准 row 1") in problems
    assert len(problems) == 1


def test_bad_cells_name_sheet_row_and_column(exported: Path, tmp_path: Path) -> None:
    def spoil(book: object) -> None:
        sheet = book["测评标准"]  # type: ignore[index]
        sheet["F3"] = "抽样调查"  # 测评方法 of the second standard
        sheet["G4"] = "两分"  # 分值 of the third
        book["点位类型"]["C2"] = "很多"  # type: ignore[index]

    _edit(exported, spoil)
    problems = _import_problems(exported, tmp_path / "out")
    assert problems == [
        ("not-a-number", 2, "点位类型!C2 默认抽查数量"),
        ("unknown-method", 3, "测评标准!F3 测评方法"),
        ("not-a-number", 4, "测评标准!G4 分值"),
    ]


def test_model_rules_point_to_cells(exported: Path, tmp_path: Path) -> None:
    def spoil(book: object) -> None:
        sheet = book["测评标准"]  # type: ignore[index]
        sheet["G2"] = -2  # negative points
        sheet["I3"] = "区交通局"  # unknown lead department

    _edit(exported, spoil)
    problems = _import_problems(exported, tmp_path / "out")
    assert [(code, line, path.split(" · ")[0]) for code, line, path in problems] == [
        ("out-of-range", 2, "测评标准!G2 分值"),
        ("unknown-department", 3, "测评标准!I3 牵头单位"),
    ]


def test_office_sheet_with_title_row_merged_levels_and_no_codes(tmp_path: Path) -> None:
    """An office's sheet: a title row above the header, hierarchy written once, no Ⅰ/Ⅱ/Ⅲ codes."""
    workbook = tmp_path / "handbook.xlsx"
    export_workbook(load_handbook(TINY), workbook)

    def officeify(book: object) -> None:
        sheet = book["测评标准"]  # type: ignore[index]
        sheet.delete_cols(12, 3)  # 项目编号, 指标编号, 内容编号
        sheet.insert_rows(1)
        sheet["A1"] = "某区创建全国文明城市操作手册"
        for row in (4, 6):  # the second standard of each 测评内容: hierarchy cells left blank (merged)
            for col in "ABC":
                sheet[f"{col}{row}"] = None
        sheet["A5"] = None  # Ⅰ 测评项目 repeated from the row above

    _edit(workbook, officeify)
    imported = import_workbook(workbook, tmp_path / "pack")
    original = load_handbook(TINY)
    assert [s for s in imported.standards] == [s for s in original.standards]
    assert [(p.code, p.name) for p in imported.projects] == [("Ⅰ-1", "公共环境")]
    assert [c.name for p in imported.projects for i in p.indicators for c in i.contents] == [
        "市场秩序",
        "满意度",
    ]


def test_not_a_workbook_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    fake = tmp_path / "handbook.xlsx"
    fake.write_text("not a zip", encoding="utf-8")
    problems = _import_problems(fake, tmp_path / "out")
    assert [code for code, *_ in problems] == ["workbook-unreadable"]


def test_existing_targets_need_force(exported: Path, tmp_path: Path) -> None:
    handbook = load_handbook(TINY)
    with pytest.raises(UsageError, match="--force"):
        export_workbook(handbook, exported)
    export_workbook(handbook, exported, force=True)
    target = tmp_path / "pack"
    import_workbook(exported, target)
    (target / "stale.yaml").write_text("# left from an old pack\n", encoding="utf-8")
    with pytest.raises(UsageError, match="--force"):
        import_workbook(exported, target)
    assert import_workbook(exported, target, force=True) == handbook
    assert not (target / "stale.yaml").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["handbook.xlsx", "pack"]


def test_import_refuses_to_replace_the_folder_holding_the_workbook(tmp_path: Path) -> None:
    workbook = tmp_path / "handbook.xlsx"
    export_workbook(load_handbook(TINY), workbook)
    with pytest.raises(UsageError, match="inside"):
        import_workbook(workbook, tmp_path, force=True)
    assert workbook.exists()


def test_export_has_every_sheet_with_a_frozen_filled_header(exported: Path) -> None:
    book = load_workbook(exported)
    assert book.sheetnames == list(SHEETS)
    sheet = book["测评标准"]
    assert sheet.freeze_panes == "A2"
    headers = [c.value for c in sheet[1]]
    assert headers[:11] == [
        "测评项目", "指标", "测评内容", "标准编号", "测评标准", "测评方法", "分值", "点位类型", "牵头单位", "责任单位", "整改建议",
    ]  # fmt: skip
    assert sheet["A1"].fill.fgColor.rgb.endswith("DDEBF7")
    assert sheet.column_dimensions["E"].width > sheet.column_dimensions["G"].width
