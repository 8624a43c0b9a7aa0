"""report.html: self-contained (no network), escaped, printable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from report_fixtures import HOSTILE_DEPT, assessment

from checker.report import write_reports


def _html(tmp_path: Path, **kw: object) -> str:
    a = assessment()
    site_problem = a.gaps.index[a.gaps["kind"] == "site_problem"][0]  # evidence text, shown as submitted
    a.gaps.loc[site_problem, "description"] = '<script>alert("x")</script><img src=x onerror=1>'
    a.district = '示例区 <b onmouseover="x">'
    write_reports(a, tmp_path, {"html"}, **kw)  # type: ignore[arg-type]
    name = "report.html"
    return (tmp_path / name).read_text(encoding="utf-8")


def test_everything_is_escaped(tmp_path: Path) -> None:
    page = _html(tmp_path)
    assert "<script" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<img" not in page and "<b " not in page
    assert "=HYPERLINK(&quot;http://x&quot;)" in page  # department names escaped, quotes included
    assert HOSTILE_DEPT not in page


def test_self_contained_and_printable(tmp_path: Path) -> None:
    page = _html(tmp_path)
    # no external resource of any kind: the only URL is the SVG namespace
    assert re.findall(r"<[^>]*\s(?:src|href|srcset)\s*=", page) == []
    assert "@import" not in page and "url(" not in page
    assert "@page { size: A4" in page and "@media print" in page
    assert page.count("<svg") == 1
    assert "公共环境" in page and "62.7%" in page  # Ⅰ-level chart with its rate


def test_top_gaps_and_the_count_of_the_rest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from checker.report import html

    monkeypatch.setattr(html, "TOP_GAPS", 5)
    page = _html(tmp_path)
    assert "另有 7 条问题未列出" in page
    assert page.count("P-0000000") == 5


def test_english_page(tmp_path: Path) -> None:
    page = _html(tmp_path, lang="en")
    assert '<html lang="en">' in page and "Department ranking" in page


def test_chart_scales_to_the_screen_and_sets_codes_apart(tmp_path: Path) -> None:
    page = _html(tmp_path)
    svg = re.search(r"<svg[^>]*>", page)
    assert svg and 'viewBox="0 0 ' in svg.group(0) and 'class="chart"' in svg.group(0)
    assert "svg.chart { display: block; width: 100%;" in page
    # the code is set in its own span with a Latin font first: a CJK font draws "Ⅰ" full-width ("Ⅰ -1")
    assert '<tspan class="code">Ⅰ-1</tspan> 公共环境' in page
    assert "font-variant-east-asian: proportional-width" in page


def test_tables_scroll_by_themselves_and_keep_readable_columns(tmp_path: Path) -> None:
    page = _html(tmp_path)
    tables = page.count("<table")
    assert tables >= 3 and page.count('<div class="scroll"><table') == tables
    assert ".scroll { overflow-x: auto;" in page
    gap_table = page[page.index('<table class="gaps"') :]
    gap_table = gap_table[: gap_table.index("</table>")]
    first_row = re.findall(r'<td class="(\w)">', gap_table.split("<tbody>")[1].split("</tr>")[0])
    # id, kind, standard: short, never wrap; site and department: a minimum width; the description: wide
    assert first_row[:3] == ["s", "s", "s"] and first_row[5] == "t"


def test_a_gap_without_a_site_says_so(tmp_path: Path) -> None:
    page = _html(tmp_path)
    assert "全区（非点位问题）" in page
    assert "district-wide (no site)" in _html(tmp_path / "en", lang="en")
