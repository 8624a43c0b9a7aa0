"""report.html: self-contained (no network), escaped, printable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from report_fixtures import HOSTILE_DEPT, assessment

from checker.report import write_reports


def _html(tmp_path: Path, **kw: object) -> str:
    a = assessment()
    a.gaps.loc[0, "description"] = '<script>alert("x")</script><img src=x onerror=1>'
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
