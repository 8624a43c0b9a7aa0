"""What departments' systems export (issue 16): Excel 2003 XML, HTML tables saved as .xls, WPS .et, templates.

The same inspection round saved in every format reads to the same accepted and rejected rows and the same
score. The fixtures are made by tests/fixtures/evidence/make_exports.py (LibreOffice for HTML, .et, .xltx and
.xlsm; Excel 2003 XML shaped like Excel's, WPS's and FreeMarker templates' output, and opened by LibreOffice).
"""

from __future__ import annotations

import hashlib
import random
import shutil
from datetime import date
from pathlib import Path

import pytest
from inspection_round import EXPECTED_ACCEPTED, EXPECTED_REJECTED, accepted_rows

from checker.handbook.loader import load_handbook
from checker.handbook.model import Handbook
from checker.intake.evidence import Evidence
from checker.intake.limits import Limits
from checker.intake.reader import read_evidence
from checker.scoring.assessment import Options
from checker.scoring.evaluate import evaluate

FIXTURES = Path(__file__).parent / "fixtures" / "evidence"
EXPORTS = FIXTURES / "exports"
LO = FIXTURES / "lo"
TINY = Path(__file__).parent / "fixtures" / "packs" / "tiny"

SAME_ROUND = [
    (LO / "inspections" / "实地考察.xlsx", "xlsx", None, "实地考察"),
    (LO / "inspections" / "实地考察.xls", "xls", None, "实地考察"),
    (LO / "inspections" / "实地考察.ods", "ods", None, "实地考察"),
    (LO / "inspections" / "实地考察-utf8.csv", "csv", "utf-8", ""),
    (EXPORTS / "实地考察-excel2003.xls", "xml2003", None, "实地考察"),
    (EXPORTS / "实地考察-wps.xml", "xml2003", None, "实地考察"),
    (EXPORTS / "实地考察.html", "html", "utf-8", "表1"),
    (EXPORTS / "实地考察-网页.xls", "html", "utf-8", "表1"),
    (EXPORTS / "实地考察.et", "xls", None, "实地考察"),
    (EXPORTS / "实地考察-ooxml.et", "xlsx", None, "实地考察"),
    (EXPORTS / "实地考察.xltx", "xlsx", None, "实地考察"),
    (EXPORTS / "实地考察.xlsm", "xlsx", None, "实地考察"),
]


@pytest.fixture(scope="module")
def tiny() -> Handbook:
    return load_handbook(TINY)


def _round(tmp_path: Path, source: Path) -> Path:
    folder = tmp_path / "round"
    folder.mkdir(parents=True)
    shutil.copy2(LO / "register" / "点位台账.xlsx", folder / "点位台账.xlsx")
    shutil.copy2(source, folder / source.name)
    return folder


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _score(tiny: Handbook, evidence: Evidence) -> tuple[float, float, float]:
    total = evaluate(tiny, evidence, Options(test_date=date(2023, 7, 1))).total
    return (total.score, total.low, total.high)


@pytest.fixture(scope="module")
def xlsx_score(tiny: Handbook, tmp_path_factory: pytest.TempPathFactory) -> tuple[float, float, float]:
    folder = _round(tmp_path_factory.mktemp("xlsx"), LO / "inspections" / "实地考察.xlsx")
    return _score(tiny, read_evidence(folder, tiny))


@pytest.mark.parametrize(
    ("source", "fmt", "encoding", "sheet"), SAME_ROUND, ids=[s[0].name for s in SAME_ROUND]
)
def test_the_same_round_in_every_format_gives_the_same_rows_and_score(
    tiny: Handbook,
    tmp_path: Path,
    xlsx_score: tuple[float, float, float],
    source: Path,
    fmt: str,
    encoding: str | None,
    sheet: str,
) -> None:
    folder = _round(tmp_path, source)
    before = _digest(folder)
    evidence = read_evidence(folder, tiny)
    assert _digest(folder) == before  # inputs are never modified
    info = {i.file: i for i in evidence.inputs}[source.name]
    assert (info.format, info.encoding) == (fmt, encoding)
    assert not any("扩展名" in w for w in info.warning_texts())  # .et, .xltx, HTML .xls: no extension warning
    assert (info.rows_read, info.rows_accepted, info.rows_rejected, info.rows_blank) == (10, 4, 6, 1)
    assert [(r.file, r.sheet, r.row, r.column, r.code) for r in evidence.rejected] == [
        (source.name, sheet, row, column, code) for row, column, code in EXPECTED_REJECTED
    ]
    assert accepted_rows(evidence) == EXPECTED_ACCEPTED
    assert _score(tiny, evidence) == xlsx_score


def test_excel_2003_xml_hidden_sheet_comment_and_rich_text(tiny: Handbook, tmp_path: Path) -> None:
    evidence = read_evidence(_round(tmp_path, EXPORTS / "实地考察-excel2003.xls"), tiny)
    info = {i.file: i for i in evidence.inputs}["实地考察-excel2003.xls"]
    assert info.sheets == ["实地考察 → inspections"]
    assert info.skipped_sheets == ["旧数据 (hidden)"]
    assert info.skipped_sheet_texts("zh") == ["旧数据（隐藏）"]
    assert "隐藏的工作表“旧数据”未读取" in info.warning_texts()
    frame = evidence.frame("inspections").sort_values("_row")
    # Row 4's site id carries a comment ("李科长:核对点位"): the value is the cell's own data.
    assert frame["site_id"].iloc[0] == "S001"
    # "不符合" written as rich text (<B><Font>不</Font></B><Font>符合</Font>) reads as one word.
    assert list(frame["result"]) == ["pass", "fail", "fail", "pass"]


def test_freemarker_export_merges_errors_formulas_and_booleans(tiny: Handbook, tmp_path: Path) -> None:
    name = "台账导出-freemarker.xls"
    evidence = read_evidence(_round(tmp_path, EXPORTS / name), tiny)
    info = {i.file: i for i in evidence.inputs}[name]
    assert (info.format, info.rows_read, info.rows_accepted, info.rows_rejected) == ("xml2003", 6, 4, 2)
    assert [(r.sheet, r.row, r.column, r.code) for r in evidence.rejected] == [
        ("检查台账", 4, "D 问题数", "cell-error"),
        ("检查台账", 5, "C 检查结果", "formula-no-cache"),
    ]
    assert "D4" in evidence.rejected[0].message and "#DIV/0!" in evidence.rejected[0].message
    assert (
        "C5" in evidence.rejected[1].message and 'IF(RC[1]>0,"不符合","符合")' in evidence.rejected[1].message
    )
    frame = evidence.frame("inspections").sort_values("_row")
    rows = [
        (int(r["_row"]), r["site_id"], r["result"], int(r["cases"]), r["date"].strftime("%m-%d"))
        for r in frame.to_dict("records")
    ]
    # S001 and S003 are merged down (ss:MergeDown="1"); "2.0" is two cases; Boolean 1 is a pass.
    assert rows == [
        (2, "S001", "pass", 0, "05-03"),
        (3, "S001", "fail", 2, "05-04"),
        (6, "S003", "pass", 0, "05-06"),
        (7, "S003", "fail", 1, "05-07"),
    ]
    assert frame["description"].iloc[1] == "占道经营\n已劝离"
    assert any("A2:A3" in w and "A6:A7" in w for w in info.warning_texts())


def test_a_big_export_parsed_in_a_worker_reads_the_same(tiny: Handbook, tmp_path: Path) -> None:
    """``isolate=always`` parses Excel 2003 XML and HTML in a worker process: the same rows come back."""
    for source in (EXPORTS / "台账导出-freemarker.xls", EXPORTS / "实地考察.html"):
        folder = _round(tmp_path / source.stem, source)
        here = read_evidence(folder, tiny, limits=Limits(isolate="never"))
        there = read_evidence(folder, tiny, limits=Limits(isolate="always"))
        assert there.rejected == here.rejected
        assert accepted_rows(there) == accepted_rows(here)
        assert len(here.frame("inspections")) == 4


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("name", ["实地考察-excel2003.xls", "实地考察-wps.xml", "台账导出-freemarker.xls"])
def test_libreoffice_opens_the_shaped_excel_2003_xml_fixtures(name: str, tmp_path: Path) -> None:
    import subprocess
    import zipfile

    source = tmp_path / f"in{Path(name).suffix}"
    shutil.copy2(EXPORTS / name, source)
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "xlsx", "--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    with zipfile.ZipFile(tmp_path / "in.xlsx") as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    assert b"<c " in sheet


# -- hostile and broken exports -----------------------------------------------------------------------------

SS_HEAD = (
    '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
    '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
    'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">'
)
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    + "]>\n"
)
SITES_CSV = "点位编号,点位名称,点位类型,所属街道,责任单位\nS001,城东菜市场,农贸市场,东街道,区市场监管局\n"


def _ss(rows: str, name: str = "实地考察") -> str:
    return f'{SS_HEAD}<Worksheet ss:Name="{name}"><Table>{rows}</Table></Worksheet></Workbook>'


def _codes(tiny: Handbook, tmp_path: Path, name: str, data: str | bytes, **limits: object) -> list[str]:
    """The codes of the file ``name`` in a round with a good register, which must still be read."""
    folder = tmp_path / "round"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    (folder / "点位台账.csv").write_text(SITES_CSV, encoding="utf-8")
    before = _digest(folder)
    evidence = read_evidence(folder, tiny, limits=Limits(**limits))  # type: ignore[arg-type]
    assert _digest(folder) == before
    assert len(evidence.frame("sites")) == 1
    assert all("Traceback" not in r.message for r in evidence.rejected)
    return [r.code for r in evidence.rejected if r.file == name]


def test_entity_bombs_and_doctypes_are_xml_dtd(tiny: Handbook, tmp_path: Path) -> None:
    bomb = LAUGHS + _ss('<Row><Cell><Data ss:Type="String">&lol9;</Data></Cell></Row>').split("\n", 1)[1]
    assert _codes(tiny, tmp_path, "bomb.xls", bomb) == ["xml-dtd"]
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        + _ss('<Row><Cell><Data ss:Type="String">&e;</Data></Cell></Row>').split("\n", 1)[1]
    )
    assert _codes(tiny, tmp_path, "xxe.xml", xxe) == ["xml-dtd"]
    html = '<!DOCTYPE html [<!ENTITY a "aaaaaaaaaa">]><html><body><table><tr><td>&a;</td></tr></table></body></html>'
    assert _codes(tiny, tmp_path, "bomb.html", html) == ["xml-dtd"]


def test_deep_nesting_is_refused(tiny: Handbook, tmp_path: Path) -> None:
    deep = "<B>" * 100_000 + "x" + "</B>" * 100_000
    xml = _ss(f'<Row><Cell><Data ss:Type="String">{deep}</Data></Cell></Row>')
    assert _codes(tiny, tmp_path, "deep.xls", xml) == ["xml-too-deep"]
    tables = "<table><tr><td>" * 200 + "x" + "</td></tr></table>" * 200
    assert _codes(tiny, tmp_path, "deep.html", f"<html><body>{tables}</body></html>") == ["xml-too-deep"]


def test_a_huge_cell_is_refused_naming_the_cell(tiny: Handbook, tmp_path: Path) -> None:
    huge = "很" * 2_000_001
    xml = _ss(f'<Row><Cell ss:Index="3"><Data ss:Type="String">{huge}</Data></Cell></Row>')
    assert _codes(tiny, tmp_path, "huge.xls", xml) == ["cell-too-large"]
    html = f"<html><table><tr><td>a</td><td>{huge}</td></tr></table></html>"
    assert _codes(tiny, tmp_path, "huge.html", html) == ["cell-too-large"]
    folder = tmp_path / "round"
    evidence = read_evidence(folder, tiny)
    messages = {r.file: r.message for r in evidence.rejected}
    assert "C1" in messages["huge.xls"] and "B1" in messages["huge.html"]
    assert "max_cell_chars" in messages["huge.xls"]


def test_many_columns_rows_and_sparse_cells_are_refused(tiny: Handbook, tmp_path: Path) -> None:
    wide = _ss('<Row><Cell ss:Index="16384"><Data ss:Type="String">x</Data></Cell></Row>')
    assert _codes(tiny, tmp_path, "wide.xls", wide) == ["too-wide"]
    merged_wide = _ss('<Row><Cell ss:MergeAcross="5000"><Data ss:Type="String">x</Data></Cell></Row>')
    assert _codes(tiny, tmp_path, "merged-wide.xls", merged_wide) == ["too-wide"]
    tall = _ss('<Row ss:Index="2000000"><Cell><Data ss:Type="String">x</Data></Cell></Row>')
    assert _codes(tiny, tmp_path, "tall.xls", tall) == ["too-many-rows"]
    sparse = _ss(
        '<Row><Cell><Data ss:Type="String">a</Data></Cell></Row>'
        '<Row ss:Index="1000000"><Cell ss:Index="1900"><Data ss:Type="String">z</Data></Cell></Row>'
    )
    assert _codes(tiny, tmp_path, "sparse.xls", sparse) == ["sparse-range"]
    html = '<html><table><tr><td colspan="900">a</td><td colspan="900">b</td><td colspan="900">c</td></tr></table>'
    assert _codes(tiny, tmp_path, "wide.html", html) == ["too-wide"]
    assert _codes(tiny, tmp_path, "tables.html", "<table></table>" * 30, max_sheets=20) == ["too-many-sheets"]


def test_broken_xml_and_a_page_without_a_table(tiny: Handbook, tmp_path: Path) -> None:
    cut = _ss('<Row><Cell><Data ss:Type="String">x</Data></Cell></Row>')[:-40]
    assert _codes(tiny, tmp_path, "cut.xls", cut) == ["corrupt-xml"]
    back = _ss('<Row ss:Index="5"><Cell/></Row><Row ss:Index="3"><Cell/></Row>')
    assert _codes(tiny, tmp_path, "back.xls", back) == ["corrupt-xml"]
    page = "<html><head><title>导出</title></head><body><p>暂无数据</p></body></html>"
    assert _codes(tiny, tmp_path, "empty.xls", page) == ["html-no-table"]


def test_index_gaps_and_cells_under_a_range_merged_down(tiny: Handbook, tmp_path: Path) -> None:
    """A cell after a range merged down, written without ss:Index, goes to the first column the range does
    not cover; row gaps (ss:Index on a row) keep the spreadsheet's row numbers."""

    def s(text: str, at: str = "") -> str:
        return f'<Cell{at}><Data ss:Type="String">{text}</Data></Cell>'

    at5 = ' ss:Index="5"'
    header = "".join(s(h) for h in ("点位编号", "测评标准", "检查结果", "问题描述", "检查日期", "检查人"))
    rows = (
        f'<Row ss:Index="2">{header}</Row>'
        f'<Row><Cell ss:MergeDown="2" ss:MergeAcross="1"><Data ss:Type="String">S001</Data></Cell>'
        f"{s('符合')}{s('', '')}{s('2023-05-03', at5)}{s('张三')}</Row>"
        f"<Row>{s('不符合')}{s('占道')}{s('2023-05-04')}{s('张三')}</Row>"
        f'<Row ss:Index="6">{s("S001")}{s("Ⅲ-1-1")}{s("符合")}{s("2023-05-05", at5)}{s("李四")}</Row>'
    )
    folder = tmp_path / "round"
    folder.mkdir()
    (folder / "点位台账.csv").write_text(SITES_CSV, encoding="utf-8")
    (folder / "gaps.xls").write_text(_ss(rows), encoding="utf-8")
    evidence = read_evidence(folder, tiny)
    # Row 3: A3:B5 merged; row 4 starts at column C; row 5 (covered, not written) is blank; row 6 is after a gap.
    # B ("测评标准") is merged across from A, so rows 3–4 have no standard of their own: missing-value.
    assert [(r.row, r.column, r.code) for r in evidence.rejected] == [
        (3, "B 测评标准", "missing-value"),
        (4, "B 测评标准", "missing-value"),
    ]
    frame = evidence.frame("inspections")
    assert list(zip(frame["_row"], frame["site_id"], frame["inspector"], strict=True)) == [
        (6, "S001", "李四")
    ]
    info = {i.file: i for i in evidence.inputs}["gaps.xls"]
    assert (info.rows_read, info.rows_blank) == (3, 1)
    assert any("A3:B5" in w for w in info.warning_texts())


def test_html_charset_spans_line_breaks_and_scripts(tiny: Handbook, tmp_path: Path) -> None:
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        "<script>document.write('<table><tr><td>点位编号</td></tr></table>')</script>"
        '<link rel="stylesheet" href="http://example.invalid/x.css"></head><body>'
        "<table><caption>实地考察</caption>"
        "<tr><th>点位编号</th><th>测评标准</th><th>检查结果</th><th>问题描述</th><th>检查日期</th><th>检查人</th></tr>"
        '<tr><td rowspan="2">S001</td><td>Ⅲ-1-1</td><td>不符合</td><td>占道&amp;乱堆<br>已劝离</td>'
        '<td>2023-05-03</td><td rowspan="2">张&nbsp;三</td></tr>'
        "<tr><td>Ⅲ-1-2</td><td>符合</td><td></td><td>2023/5/4</td></tr>"
        '<tr><td>S001</td><td colspan="2">Ⅲ-1-1</td><td>  多个\n  空格  </td><td>2023年5月5日</td><td>李四</td></tr>'
        "</table></body></html>"
    )
    folder = tmp_path / "round"
    folder.mkdir()
    (folder / "点位台账.csv").write_text(SITES_CSV, encoding="utf-8")
    (folder / "网页导出.xls").write_bytes(page.encode("gbk"))
    evidence = read_evidence(folder, tiny)
    info = {i.file: i for i in evidence.inputs}["网页导出.xls"]
    assert (info.format, info.encoding, info.sheets) == ("html", "gb18030", ["表1 → inspections"])
    # Row 3 cites Ⅲ-1-2 (a document standard) in an inspection sheet; row 4's result sits under the
    # colspan (merged across from the standard), so it is blank: accepted as not inspected.
    assert [(r.sheet, r.row, r.column, r.code) for r in evidence.rejected] == [
        ("表1", 3, "B 测评标准", "wrong-method")
    ]
    frame = evidence.frame("inspections").sort_values("_row")
    rows = list(
        zip(
            frame["_row"],
            frame["site_id"],
            frame["result"],
            frame["description"].fillna(""),
            frame["inspector"],
            strict=True,
        )
    )
    assert rows == [
        (2, "S001", "fail", "占道&乱堆\n已劝离", "张\xa0三"),
        (4, "S001", "none", "多个 空格", "李四"),
    ]


# -- nothing skipped silently -------------------------------------------------------------------------------


def _report_workbook(path: Path) -> None:
    """A workbook marked as civcheck's report the way the report writer marks it."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"title": "文明城市创建自查测评报告", "comments": "由 civcheck 生成"})
    book.add_worksheet("总览").write(0, 0, "总分")
    book.close()


def test_every_file_of_the_folder_is_read_rejected_or_listed_as_skipped(
    tiny: Handbook, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from checker.cli import main

    folder = tmp_path / "round"
    (folder / "照片").mkdir(parents=True)
    (folder / ".git").mkdir()
    (folder / ".git" / "config").write_text("x", encoding="utf-8")
    (folder / "__MACOSX").mkdir()
    (folder / "__MACOSX" / "._实地考察.et").write_bytes(b"\x00")
    shutil.copy2(LO / "register" / "点位台账.xlsx", folder / "点位台账.xlsx")
    shutil.copy2(EXPORTS / "实地考察.et", folder / "实地考察.et")
    shutil.copy2(EXPORTS / "实地考察.xltx", folder / "模板.xltx")
    (folder / "照片" / "S001.jpg").write_bytes(b"\xff\xd8\xff")
    (folder / "说明.pdf").write_bytes(b"%PDF-1.4")
    (folder / "~$实地考察.xlsx").write_bytes(b"lock")
    (folder / ".~lock.点位台账.xlsx#").write_text("lock", encoding="utf-8")
    _report_workbook(folder / "第一轮汇总.xlsx")  # civcheck's report, known by its content, not its name
    (folder / "导出.html").write_text("<html><body><p>无数据</p></body></html>", encoding="utf-8")
    evidence = read_evidence(folder, tiny)
    assert sorted(i.file for i in evidence.inputs) == [
        "实地考察.et",
        "导出.html",
        "模板.xltx",
        "点位台账.xlsx",
    ]
    assert [(r.file, r.code) for r in evidence.rejected if r.row == 0] == [("导出.html", "html-no-table")]
    assert [(s.file, s.code) for s in evidence.skipped] == [
        (".git/", "skipped-hidden"),
        (".~lock.点位台账.xlsx#", "skipped-lock-file"),
        ("__MACOSX/", "skipped-system-folder"),
        ("~$实地考察.xlsx", "skipped-lock-file"),
        ("照片/S001.jpg", "skipped-not-spreadsheet"),
        ("第一轮汇总.xlsx", "skipped-own-output"),
        ("说明.pdf", "skipped-not-spreadsheet"),
    ]
    assert "扩展名 .jpg" in evidence.skipped[4].message
    assert main(["read", str(folder), "--handbook", str(TINY)]) == 0
    out = capsys.readouterr().out
    for line in (
        "说明.pdf  [跳过: skipped-not-spreadsheet]",
        "~$实地考察.xlsx  [跳过: skipped-lock-file]",
    ):
        assert line in out
    assert "实地考察.et  [xls]" in out and "模板.xltx  [xlsx]" in out


def test_check_lists_the_skipped_files_in_report_json_and_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``check`` carries Evidence.skipped into report.json's skipped[] and says how many on stderr."""
    import json

    import jsonschema

    from checker.cli import main
    from checker.report import report_json_schema

    folder = tmp_path / "round"
    folder.mkdir()
    shutil.copy2(LO / "register" / "点位台账.xlsx", folder / "点位台账.xlsx")
    shutil.copy2(LO / "inspections" / "实地考察-utf8.csv", folder / "实地考察.csv")
    (folder / "~$x.xlsx").write_bytes(b"lock")
    (folder / "说明.txt").write_text("检查说明", encoding="utf-8")
    (folder / "方案.pdf").write_bytes(b"%PDF-1.4")
    common = ["--handbook", str(TINY), "--test-date", "2023-06-30"]
    # A first run written into the evidence folder on purpose: its outputs must not be read back.
    assert main(["check", str(folder), *common, "-f", "xlsx,json", "-o", str(folder / "输出")]) == 0
    capsys.readouterr()
    import openpyxl

    summary = openpyxl.load_workbook(folder / "输出" / "自查报告.xlsx").worksheets[0]
    cells = [tuple(v for v in row if v is not None) for row in summary.iter_rows(values_only=True)]
    at = cells.index(("未读取的文件",))  # below the files read: the files of the folder that were not
    assert cells[at + 1 : at + 5] == [
        ("代码", "原因", "文件"),
        ("skipped-lock-file", "Office/WPS/LibreOffice 打开文件时留下的锁文件，未读取", "~$x.xlsx"),
        ("skipped-not-spreadsheet", "不是表格文件（扩展名 .pdf），未读取", "方案.pdf"),
        ("skipped-not-spreadsheet", "不是表格文件（扩展名 .txt），未读取", "说明.txt"),
    ]

    out = tmp_path / "out"
    assert main(["check", str(folder), *common, "-f", "json", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    document = json.loads((out / "report.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, report_json_schema())
    skipped = {s["file"]: s["code"] for s in document["skipped"]}
    assert {
        name: skipped.get(name) for name in ("~$x.xlsx", "方案.pdf", "说明.txt", "输出/自查报告.xlsx")
    } == {
        "~$x.xlsx": "skipped-lock-file",
        "方案.pdf": "skipped-not-spreadsheet",
        "说明.txt": "skipped-not-spreadsheet",
        "输出/自查报告.xlsx": "skipped-own-output",
    }
    written = [p.relative_to(folder).as_posix() for p in (folder / "输出").rglob("*") if p.is_file()]
    assert "输出/report.json" in written and set(written) <= set(skipped)  # every file the first run wrote
    assert all(s["message"] for s in document["skipped"])
    assert sorted(i["file"] for i in document["inputs"]) == ["实地考察.csv", "点位台账.xlsx"]
    n = len(skipped)
    assert f"跳过 {n} 个非证据文件（锁文件 1、非表格文件 " in err and "本工具的输出 " in err
    assert "：~$x.xlsx、方案.pdf、说明.txt等；用 civcheck read 可查看每个文件的原因" in err

    assert (
        main(
            ["check", str(folder), *common, "--lang", "en", "-f", "terminal,xlsx", "-o", str(tmp_path / "en")]
        )
        == 0
    )
    err = capsys.readouterr().err
    summary = openpyxl.load_workbook(tmp_path / "en" / "self-check-report.xlsx").worksheets[0]
    rows = [tuple(v for v in row if v is not None) for row in summary.iter_rows(values_only=True)]
    assert ("skipped-not-spreadsheet", "not a spreadsheet (extension .pdf); not read", "方案.pdf") in rows
    assert (
        f"{n} files skipped as not evidence (lock file 1, not a spreadsheet " in err
        and "civcheck output " in err
    )
    assert f"~$x.xlsx, 方案.pdf, 说明.txt and {n - 3} more; civcheck read" in err


# -- the row scanner of Excel 2003 XML (speed) reads what the XML parser reads -------------------------------


def _random_cell(rng: random.Random, column: list[int]) -> str:
    attrs = []
    pick = rng.random()
    if pick < 0.15:
        column[0] += rng.randint(1, 3)
        attrs.append(f'ss:Index="{column[0]}"')
    elif pick < 0.2:
        column[0] += rng.randint(1, 3)
        attrs.append(f"Index='{column[0]}'")  # no prefix, single quotes
    elif pick < 0.2005:
        attrs.append('ss:Index="1"')  # goes back, mostly
    else:
        column[0] += 1
    if rng.random() < 0.08:
        across = rng.randint(0, 2)
        column[0] += across
        attrs.append(f'ss:MergeAcross="{across}"')
    if rng.random() < 0.08:
        attrs.append(f'ss:MergeDown="{rng.randint(0, 2)}"')
    if rng.random() < 0.1:
        attrs.append('ss:StyleID="s21"')
    pick = rng.random()
    if pick < 0.05:
        attrs.append('ss:Formula="=IF(RC[1]&gt;0,&quot;不符合&quot;,&quot;符合&quot;)"')
    elif pick < 0.08:
        attrs.append('ss:Formula="=SUM(R1C1:R2C1)"')
    if rng.random() < 0.0005:
        attrs.append('ss:StyleID="s21"')  # twice: malformed
    written = (" " + " ".join(attrs)) if attrs else ""
    pick = rng.random()
    if pick < 0.08:
        return f"<Cell{written}/>"
    if pick < 0.12:
        return f"<Cell{written}>\n  </Cell>"
    kind = rng.choice(["String", "String", "String", "Number", "DateTime", "Boolean", "Error", ""])
    texts = {
        "String": [
            "符合",
            "占道经营",
            "A&amp;B",
            "&lt;x&gt;",
            "行1&#10;行2",
            "&#x4E2D;文",
            " 空格 ",
            "",
            "a\r\nb",
        ],
        "Number": ["2", "2.0", "-3.50", "1e3", " 7 "],
        "DateTime": ["2023-05-03T00:00:00.000", "2023-05-03", "bad"],
        "Boolean": ["1", "0", "x"],
        "Error": ["#DIV/0!", "#N/A", " "],
        "": ["文本"],
    }
    text = rng.choice(texts[kind])
    typed = f' ss:Type="{kind}"' if kind else ""
    pick = rng.random()
    if pick < 0.05:
        data = '<ss:Data ss:Type="String" xmlns="http://www.w3.org/TR/REC-html40"><B>不</B><Font>符合</Font></ss:Data>'
    elif pick < 0.08:
        data = f'<Data ss:Type="String"><B>{text}</B>后</Data>'
    elif pick < 0.1:
        data = f"<Data{typed}/>"
    else:
        data = f"<Data{typed}>{text}</Data>"
    if rng.random() < 0.05:
        data += '<NamedCell ss:Name="Print_Area"/>'
    if rng.random() < 0.03:
        data += '<Comment ss:Author="李"><ss:Data xmlns="http://www.w3.org/TR/REC-html40">核对</ss:Data></Comment>'
    space = rng.choice(["", "", " ", "\n    "])
    return f"<Cell{written}>{space}{data}{space}</Cell>"


def _random_export(seed: int) -> str:
    """An Excel 2003 XML file with a mix of everything the format allows (and a few faults)."""
    rng = random.Random(seed)
    sheets = []
    for n in range(rng.randint(1, 3)):
        rows, at = [], 0
        for _ in range(rng.randint(1, 25)):
            attrs = []
            if rng.random() < 0.1:
                at += rng.randint(1, 3)
                attrs.append(f'ss:Index="{at}"')
            else:
                at += 1
            if rng.random() < 0.1:
                attrs.append('ss:AutoFitHeight="0" ss:Height="20"')
            written = (" " + " ".join(attrs)) if attrs else ""
            column = [0]
            cells = "".join(_random_cell(rng, column) for _ in range(rng.randint(0, 7)))
            rows.append(f"<Row{written}/>" if rng.random() < 0.05 else f"<Row{written}>{cells}</Row>")
        visible = "<Visible>SheetHidden</Visible>" if rng.random() < 0.2 else "<Selected/>"
        sheets.append(
            f'<Worksheet ss:Name="表{n}">\n  <Table ss:ExpandedColumnCount="20">\n   ' + "\n   ".join(rows)
            + f'\n  </Table>\n  <WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel">{visible}'
            "</WorksheetOptions>\n </Worksheet>"
        )  # fmt: skip
    text = (
        SS_HEAD.replace('xmlns:ss="', 'xmlns:x="urn:schemas-microsoft-com:office:excel" xmlns:ss="')
        + '\n <Styles><Style ss:ID="s21"/></Styles>\n '
        + "\n ".join(sheets)
        + "\n</Workbook>\n"
    )
    return text.replace("\n", "\r\n") if rng.random() < 0.2 else text


def _both_ways(path: Path, limits: Limits) -> tuple[object, object]:
    """What the reader gives with the row scanner and with the XML parser alone: cells, or the error code."""
    from checker.intake.preflight import PreflightError
    from checker.intake.sheets import ReadError
    from checker.intake.spreadsheetml import read_spreadsheetml

    def read(scan: bool) -> object:
        try:
            found = read_spreadsheetml(path, limits, scan=scan)
        except (ReadError, PreflightError) as exc:
            return exc.code
        sheets = [
            (s.name, s.visible, s.table.to_pydict(), s.columns, s.errors, s.merged, s.formulas)
            for s in found.sheets
        ]
        return sheets, found.hidden

    return read(True), read(False)


EDGE_ROW = (
    '<Row><Cell><Data ss:Type="String">a</Data></Cell><Cell><Data ss:Type="Number">2.0</Data></Cell></Row>'
)
EDGE_CASES = {
    "unbound prefix on a cell": EDGE_ROW
    + '<Row><Cell foo:Index="2"><Data ss:Type="String">b</Data></Cell></Row>',
    "unbound prefix on a row": EDGE_ROW + '<Row foo:x="1"><Cell><Data ss:Type="String">b</Data></Cell></Row>',
    "a row in another namespace": EDGE_ROW
    + '<Row xmlns="urn:x"><Cell><Data>b</Data></Cell></Row>'
    + EDGE_ROW,
    "ss bound elsewhere in a row": EDGE_ROW
    + '<Row xmlns:ss="urn:x"><Cell ss:Index="3"><Data>b</Data></Cell></Row>',
    "a cell in another namespace": EDGE_ROW
    + '<Row><Cell xmlns="urn:x"><Data>b</Data></Cell></Row>'
    + EDGE_ROW,
    "not a row": EDGE_ROW + "<Rows><Cell><Data>x</Data></Cell></Rows>" + EDGE_ROW,
    "a row in a row": EDGE_ROW + "<Row><Row/><Cell><Data>y</Data></Cell></Row>" + EDGE_ROW,
    "white space in values": '<Row ss:Index="\n2"><Cell ss:Index=" 3\t"><Data ss:Type="String">b</Data></Cell></Row>',
    "text around cells": '<Row>t<Cell>u<Data ss:Type="String">x</Data>v</Cell>w<Data>z</Data></Row>'
    + EDGE_ROW,
    "named cells": '<Row><Cell><Data ss:Type="String">x</Data><NamedCell ss:Name="P"/></Cell>'
    '<Cell><Data ss:Type="String">y</Data><NamedCell ss:Name="P"></NamedCell></Cell></Row>',
    "two data, nested data": "<Row><Cell><Data>x</Data><Data>y</Data></Cell><Cell><Data><Data>z</Data></Data></Cell>"
    "</Row>",
    "empty data and types": '<Row><Cell><Data ss:Type="Error"/></Cell><Cell><Data ss:Type="">7.0</Data></Cell>'
    '<Cell><Data Type="Number">7.0</Data></Cell><Cell><Data Type="Number" ss:Type="String">7.0</Data></Cell></Row>',
    "quotes and spaces": "<Row ss:Index='2'><Cell ss:Index = '2' ><Data ss:Type = 'String' >q</Data ></Cell ></Row >",
    "line ends": '<Row>\r\n<Cell><Data ss:Type="String">a\r\nb\rc&#13;d &gt; "e"</Data></Cell>\r\n</Row>',
    "merged down": '<Row><Cell ss:MergeDown="2" ss:MergeAcross="1"><Data ss:Type="String">m</Data></Cell>'
    '<Cell><Data ss:Type="String">n</Data></Cell></Row>' + EDGE_ROW * 3,
    "a comment": "<!-- c -->" + EDGE_ROW,
    "a bare ampersand": EDGE_ROW + '<Row><Cell><Data ss:Type="String">A & B</Data></Cell></Row>',
    "an undefined entity": EDGE_ROW + '<Row><Cell><Data ss:Type="String">A&nbsp;B</Data></Cell></Row>',
    "an ampersand in a value": EDGE_ROW + '<Row><Cell ss:StyleID="a&b"><Data>x</Data></Cell></Row>',
    "'<' in a value": EDGE_ROW + '<Row><Cell ss:StyleID="a<b"><Data>x</Data></Cell></Row>',
    "a control character": EDGE_ROW + '<Row><Cell><Data ss:Type="String">a\x01b</Data></Cell></Row>',
    "the end of CDATA in text": EDGE_ROW + '<Row><Cell><Data ss:Type="String">a]]>b</Data></Cell></Row>',
    "a name in Chinese": EDGE_ROW + '<Row><Cell 样式="1"><Data ss:Type="String">b</Data></Cell></Row>',
    "an unclosed cell": EDGE_ROW + '<Row><Cell><Data ss:Type="String">b</Data></Row>' + EDGE_ROW,
    "a stray end tag": EDGE_ROW + "<Row><Cell/></Data></Row>" + EDGE_ROW,
    "an invalid character reference": '<Row><Cell><Data ss:Type="String">&#0;</Data></Cell></Row>',
    "cut": EDGE_ROW * 3,  # the file ends after the rows
}


@pytest.mark.parametrize("name", sorted(EDGE_CASES))
def test_the_row_scanner_reads_edge_cases_as_the_xml_parser_does(name: str, tmp_path: Path) -> None:
    path = tmp_path / "x.xls"
    text = _ss(EDGE_CASES[name])
    text = text[: text.index("</Table>")] if name == "cut" else text
    path.write_bytes(text.encode("utf-8"))
    for limits in (
        Limits(),
        Limits(max_xml_depth=5),
        Limits(max_xml_depth=6),
        Limits(max_rows=2),
        Limits(max_columns=2),
        Limits(max_cell_chars=1),
    ):
        scanned, parsed = _both_ways(path, limits)
        assert scanned == parsed, (name, limits)


def test_the_row_scanner_leaves_bad_utf8_to_the_xml_parser(tmp_path: Path) -> None:
    path = tmp_path / "x.xls"
    path.write_bytes(
        _ss(EDGE_ROW + '<Row><Cell><Data ss:Type="String">b</Data></Cell></Row>')
        .encode()
        .replace(b">b<", b">\xff<")
    )
    assert _both_ways(path, Limits()) == ("corrupt-xml", "corrupt-xml")


def test_the_row_scanner_reads_random_exports_as_the_xml_parser_does(tmp_path: Path) -> None:
    from checker.intake.spreadsheetml import _plan

    path, scanned_files = tmp_path / "x.xls", 0
    outcomes = set()
    for seed in range(300):
        path.write_bytes(_random_export(seed).encode("utf-8"))
        scanned, parsed = _both_ways(path, Limits())
        assert scanned == parsed, seed
        outcomes.add(scanned if isinstance(scanned, str) else "read")
        scanned_files += _plan(path.read_bytes(), Limits()) is not None
    assert scanned_files > 250  # the scanner did the work, not only the parser
    assert outcomes == {
        "read",
        "corrupt-xml",
    }  # good files and faults (ss:Index going back, attributes twice)
