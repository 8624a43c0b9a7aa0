"""Cell, text and sheet-title sanitising: properties over arbitrary text (file names: test_files.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.report.sanitize import (
    EXCEL_CELL_MAX,
    NEUTRALISER,
    REPLACEMENT,
    TRUNCATED_MARK,
    cell_text,
    inline_text,
    sheet_title,
)

FORMULA_STARTS = "=+-@\t\r\n"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+86 138", "'+86 138"),
        ("-5%", "'-5%"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1+1", "'\t=1+1"),
        ("  =1", "'  =1"),
        ("\u3000=1", "'\u3000=1"),
        ("地面\x0b有积水\x00", f"地面{REPLACEMENT}有积水{REPLACEMENT}"),
        ("正常文本", "正常文本"),
        ("多行\n文本", "多行\n文本"),
        (None, ""),
        (float("nan"), ""),
    ],
)
def test_cell_text_examples(raw: object, expected: str) -> None:
    assert cell_text(raw) == expected


def test_over_long_text_is_cut_visibly() -> None:
    cut = cell_text("字" * 40_000)
    assert len(cut) == EXCEL_CELL_MAX
    assert cut.endswith(TRUNCATED_MARK)


@given(st.text())
def test_cell_text_never_starts_like_a_formula_nor_keeps_control_characters(raw: str) -> None:
    safe = cell_text(raw)
    assert len(safe) <= EXCEL_CELL_MAX
    stripped = safe.lstrip(" \u3000\u00a0")
    assert not stripped or stripped[0] not in FORMULA_STARTS or safe.startswith(NEUTRALISER)
    assert not any(ord(ch) < 32 and ch not in "\t\n\r" for ch in safe)
    assert "\ufffe" not in safe and "\uffff" not in safe


@given(st.text())
def test_inline_text_is_one_line(raw: str) -> None:
    line = inline_text(raw)
    assert "\n" not in line and "\r" not in line
    assert not any(ord(ch) < 32 for ch in line)


@given(st.lists(st.text(), min_size=1, max_size=12))
def test_sheet_titles_are_valid_and_unique(names: list[str]) -> None:
    taken: set[str] = set()
    titles = [sheet_title(n, taken) for n in names]
    assert len({t.casefold() for t in titles}) == len(titles)
    for title in titles:
        assert 1 <= len(title) <= 31
        assert not set(title) & set("[]:*?/\\")


def test_text_xlsxwriter_would_take_for_rich_text_is_neutralised() -> None:
    # xlsxwriter (constant memory) writes a string that starts with <r> and ends with </r> into the sheet
    # as raw XML: submitted text could smuggle a formula past the neutraliser that way.
    hostile = "<r><t>a</t></r></is><f>HYPERLINK(1)</f><is><r><t>b</t></r>"
    assert cell_text(hostile) == "'" + hostile
    assert cell_text("<r>\nx</r>") == "'<r>\nx</r>"
    assert cell_text("<r>x") == "<r>x"
