"""Cell, text and file-name sanitising: properties over arbitrary text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.report.sanitize import (
    EXCEL_CELL_MAX,
    NEUTRALISER,
    REPLACEMENT,
    TRUNCATED_MARK,
    cell_text,
    inline_text,
    safe_stem,
    sheet_title,
    unique_file,
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


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("com1", "_com1"),
        ("..区市场监管局..", "区市场监管局"),
        ("财政局/预算:科", "财政局_预算_科"),
        ("   ", "_"),
        ("ＡＢＣ局", "ABC局"),
    ],
)
def test_safe_stem_examples(name: str, expected: str) -> None:
    assert safe_stem(name) == expected


@settings(max_examples=200)
@given(st.lists(st.text(), min_size=1, max_size=8))
def test_unique_files_stay_inside_the_folder_and_never_collide(
    tmp_path_factory: pytest.TempPathFactory, names: list[str]
) -> None:
    folder = tmp_path_factory.mktemp("out")
    taken: set[str] = set()
    paths = [unique_file(folder, name, ".xlsx", taken) for name in names]
    assert len({p.name.casefold() for p in paths}) == len(paths)
    for path in paths:
        assert os.path.dirname(os.path.realpath(path)) == os.path.realpath(folder)
        assert len(path.name.encode("utf-8")) <= 255
        assert path.name.endswith(".xlsx") and not path.name.startswith(".")
        # the name is a real, writable file name on this system
        path.write_bytes(b"")
    assert len(list(folder.iterdir())) == len(paths)


def test_unique_file_refuses_a_symlinked_escape(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "区城管局.xlsx").symlink_to(outside / "x.xlsx")
    with pytest.raises(ValueError, match="outside"):
        unique_file(out, "区城管局", ".xlsx", set())


@given(st.lists(st.text(), min_size=1, max_size=12))
def test_sheet_titles_are_valid_and_unique(names: list[str]) -> None:
    taken: set[str] = set()
    titles = [sheet_title(n, taken) for n in names]
    assert len({t.casefold() for t in titles}) == len(titles)
    for title in titles:
        assert 1 <= len(title) <= 31
        assert not set(title) & set("[]:*?/\\")
