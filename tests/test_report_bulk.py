"""Long tables written as sheet XML (checker.report.sheetxml) hold exactly the cells xlsxwriter would have
written cell by cell: the same values, number formats, fills, fonts, borders and alignment, the same
dimension, and row heights within one pixel (xlsxwriter rounds a height to whole pixels). Checked on the
sample round — its office workbook and every 交办单 — with hostile texts mixed into the problem rows, by
writing each book both ways and reading both back with openpyxl; and a spliced book opens in LibreOffice."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from report_fixtures import SAMPLE_ROUND, sample_assessment, tracked_assessment

from checker.report import dispatch, sheetxml, workbook
from checker.report.sanitize import cell_text
from checker.scoring.assessment import Assessment

pytestmark = pytest.mark.skipif(not SAMPLE_ROUND.is_dir(), reason="evidence/sample is not present")

HOSTILE = [
    '=HYPERLINK("http://x")',
    "\u3000+1",
    "<r><t>raw</t></r>",
    "a & b < c > d",
    "_x0041_ stays literal",
    "tab\tand\r\nbreaks",
    " leading",
    "trailing\u3000",
    "bell\x07 and DEL\x7f",
    "x" * 40_000,
    "中文点位（1）",
    "",
]


def _hostile(a: Assessment) -> Assessment:
    gaps = a.gaps.copy()
    names = [HOSTILE[i % len(HOSTILE)] + (str(i) if i % 5 else "") for i in range(len(gaps))]
    gaps["site_name"] = pd.Series(names, dtype="string", index=gaps.index)
    return dataclasses.replace(a, gaps=gaps)


def _cells(path: Path) -> dict[tuple[str, str], Any]:
    book = openpyxl.load_workbook(path)
    out: dict[tuple[str, str], Any] = {}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and not c.has_style:
                    continue
                fill = c.fill.fgColor.rgb if c.fill is not None and c.fill.fill_type else None
                out[(ws.title, c.coordinate)] = (
                    c.value,
                    c.number_format,
                    fill,
                    c.font.b,
                    c.font.color.rgb if c.font.color is not None else None,
                    c.alignment.wrap_text,
                    c.alignment.vertical,
                    c.border.left.style,
                )
        out[(ws.title, "dimensions")] = ws.dimensions
        out[(ws.title, "heights")] = {r: d.height for r, d in ws.row_dimensions.items() if d.height}
    return out


def _same(slow: Path, fast: Path) -> None:
    a, b = _cells(slow), _cells(fast)
    assert a.keys() == b.keys()
    for key in a:
        if key[1] == "heights":
            assert a[key].keys() == b[key].keys(), key
            for row, height in a[key].items():
                assert abs(height - b[key][row]) <= 0.75, (key, row, height, b[key][row])
        else:
            assert a[key] == b[key], key


@pytest.fixture(scope="module")
def hostile() -> Assessment:
    return _hostile(sample_assessment())


def _both_ways(monkeypatch: pytest.MonkeyPatch, tmp: Path, write: Any) -> tuple[Path, Path]:
    paths = []
    for name, rows in (("cells", 10**9), ("bulk", 1)):
        monkeypatch.setattr(sheetxml, "BULK_ROWS", rows)
        path = tmp / f"{name}.xlsx"
        write(path)
        paths.append(path)
    return paths[0], paths[1]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_office_workbook_is_the_same_either_way(
    hostile: Assessment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    slow, fast = _both_ways(
        monkeypatch, tmp_path, lambda p: workbook.write_workbook(hostile, p, lang, mark="m")
    )
    with zipfile.ZipFile(fast) as book:
        problems = book.read("xl/worksheets/sheet3.xml").decode()
    assert "&lt;r&gt;&lt;t&gt;raw" in problems  # escaped like any text, never raw XML
    assert "'&lt;r&gt;&lt;t&gt;raw&lt;/t&gt;&lt;/r&gt;<" in problems  # and neutralised as the cells are
    assert "_x005F_x0041_ stays literal" in problems
    _same(slow, fast)


def test_every_dispatch_book_is_the_same_either_way(
    hostile: Assessment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    targets = dispatch.targets(hostile, tmp_path / "交办单", "zh")
    assert len(targets) > 10
    for n, target in enumerate(targets):
        folder = tmp_path / str(n)
        folder.mkdir()
        slow, fast = _both_ways(
            monkeypatch, folder, lambda p, t=target: dispatch.write_dispatch_book(t, p, "zh", mark="m")
        )
        _same(slow, fast)


def test_a_recorded_rounds_dispatch_books_are_the_same_either_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With history: the lifecycle column (alerts in red), overdue deadlines, the last reply's columns."""
    tracked = tracked_assessment()
    assert tracked.tracking is not None
    for n, target in enumerate(dispatch.targets(tracked, tmp_path / "交办单", "zh")):
        folder = tmp_path / str(n)
        folder.mkdir()
        slow, fast = _both_ways(
            monkeypatch, folder, lambda p, t=target: dispatch.write_dispatch_book(t, p, "zh", mark="m")
        )
        _same(slow, fast)


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_spliced_books_open_in_libreoffice(
    hostile: Assessment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert SOFFICE is not None
    monkeypatch.setattr(sheetxml, "BULK_ROWS", 1)
    office = tmp_path / "office.xlsx"
    workbook.write_workbook(hostile, office, "zh", mark="m")
    biggest = max(dispatch.targets(hostile, tmp_path / "d", "zh"), key=lambda t: len(t.gaps))
    unit = tmp_path / "unit.xlsx"
    dispatch.write_dispatch_book(biggest, unit, "zh", mark="m")
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to", "csv",
         "--outdir", str(tmp_path / "csv"), str(office), str(unit)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    first = (tmp_path / "csv" / "unit.csv").read_text(encoding="utf-8", errors="replace").splitlines()
    assert len(first) > len(biggest.gaps)  # the header, every problem row (some wrap over lines)
    assert "P-" in first[1]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=12), min_size=1))
def test_texts_rendered_together_match_one_by_one(texts: list[str]) -> None:
    for blank in ("<blank/>", None):
        together = sheetxml.texts_xml(texts, ' s="3"', blank)
        assert together is not None
        one_by_one = [sheetxml.text_xml(cell_text(t), ' s="3"') if t else blank for t in texts]
        assert together.to_pylist() == one_by_one


@pytest.mark.parametrize("rows", [1, 10**9])  # bulk and cell by cell
def test_a_table_beyond_the_sheet_limit_is_cut_with_a_line_saying_so(
    hostile: Assessment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: int
) -> None:
    monkeypatch.setattr(sheetxml, "BULK_ROWS", rows)
    monkeypatch.setattr(sheetxml, "EXCEL_MAX_ROWS", 300)  # stands for Excel's 1,048,576
    office = tmp_path / "office.xlsx"
    workbook.write_workbook(hostile, office, "zh", mark="m")
    problems = [r for r in openpyxl.load_workbook(office)["问题清单"].iter_rows(values_only=True)]
    assert len(problems) == 300  # the header, 298 problems, the line
    shown = int((hostile.gaps["kind"] == "site_problem").sum())
    assert (
        problems[-1][0]
        == f"另有 {shown - 298} 条未列出：超出每张工作表 1,048,576 行的上限，完整清单见 report.json"
    )
    biggest = max(dispatch.targets(hostile, tmp_path / "d", "en"), key=lambda t: len(t.gaps))
    unit = tmp_path / "unit.xlsx"
    dispatch.write_dispatch_book(biggest, unit, "en", mark="m")
    sheet = openpyxl.load_workbook(unit).worksheets[0]
    last = [c for c in next(sheet.iter_rows(min_row=300, max_row=300, values_only=True)) if c]
    assert last == [f"{len(biggest.gaps) - 298} more not listed: beyond the limit of 1,048,576 rows per sheet; "
                    "report.json has them all"]  # fmt: skip


def test_spliced_members_are_compressed_at_the_fast_level(
    hostile: Assessment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every member of a spliced book is deflated at COMPRESS_LEVEL (a ZipInfo keeps its own level, so
    this was silently zlib's default 6: three times the time on a 300 MB sheet): zlib is deterministic,
    so re-deflating the member at that level gives its stored size exactly."""
    import zlib

    monkeypatch.setattr(sheetxml, "BULK_ROWS", 1)
    path = tmp_path / "book.xlsx"
    workbook.write_workbook(hostile, path, "zh")
    with zipfile.ZipFile(path) as book:
        for info in book.infolist():
            squeeze = zlib.compressobj(sheetxml.COMPRESS_LEVEL, zlib.DEFLATED, -15)
            data = book.read(info)
            assert info.compress_type == zipfile.ZIP_DEFLATED, info.filename
            assert info.compress_size == len(squeeze.compress(data) + squeeze.flush()), info.filename
